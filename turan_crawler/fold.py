"""One way to fold text for search, used by the index (the folded FTS table, the author groups) and by
Datasette (``turan_match()``, the search query's FTS5 query for what people type).

Turan writes one name three ways: ``Nurlan Aliyev`` (English), ``Nurlan Əliyev`` (Azerbaijani),
``Нурлан Алиев`` (Russian). Folding makes all three ``nurlan aliyev``:

- case off (``casefold``: also ``ß`` -> ``ss``);
- Azerbaijani letters to the ASCII of English spellings: ``ə`` -> ``a`` (Əliyev -> Aliyev, Məmmədov ->
  Mammadov), ``ı``/``İ`` -> ``i``, and ``ş ç ğ ö ü`` lose their marks like every other diacritic;
- Cyrillic to Latin as English-language news transliterate it (BGN/PCGN without marks): ``х`` -> ``kh``,
  ``ж`` -> ``zh``, ``ш`` -> ``sh``..., and ``е`` -> ``ye`` at the start of a word and after a vowel or a
  soft/hard sign (Алиев -> aliyev, Ереван -> yerevan), else ``e``; the old Azerbaijani Cyrillic letters
  (``ә ғ ҹ һ ј ө ү ҝ``) as their Latin counterparts;
- every remaining combining mark removed (NFKD);
- ``kh`` read as ``h``: Russian writes Azerbaijani names' ``h`` as ``х`` (Махмудов, Ильхам, Шахла), so
  Mahmudov, İlham and Shahla must meet Makhmudov, Ilkham and Shakhla; Khrushchev and Хрущёв still meet;
- a ``y`` between two vowels dropped: İsmayıl is Исмаил (ismail), and Aliyev, Aliev and Алиев all meet.

Text and query must go through this same function; changing it means rebuilding the folded index
(``turan-crawler reindex``). About 0.1 ms per 1,000 characters of Azerbaijani or Russian text.
"""

from __future__ import annotations

import re
import unicodedata

_LETTERS = {
    # Azerbaijani Latin (after casefold)
    "ə": "a",
    "ı": "i",
    # Russian Cyrillic
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # Azerbaijani Cyrillic (before 1991) and neighbours
    "ә": "a",
    "ғ": "g",
    "ҹ": "c",
    "һ": "h",
    "ј": "y",
    "ө": "o",
    "ү": "u",
    "ҝ": "g",
    "і": "i",
    "ї": "yi",
    "є": "ye",
    "ґ": "g",
    "ў": "u",
}
_TABLE = str.maketrans(_LETTERS)
# е/ё is "ye" where English spellings write it so: word start, after a vowel or a soft/hard sign
_IOTATED_E = re.compile(r"(?:(?<!\w)|(?<=[аеёиоуыэюяьъ]))[её]")
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_GLIDE = re.compile(r"(?<=[aeiou])y(?=[aeiou])")
WORD = re.compile(r"\w+")


def fold(text: str | None) -> str:
    """``text`` folded for search (see the module); '' for None."""
    if not text:
        return ""
    text = text.casefold()
    if not text.isascii():
        text = _IOTATED_E.sub("ye", text).translate(_TABLE)
        if not text.isascii():
            text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    return _GLIDE.sub("", text.replace("kh", "h"))


def fold_words(text: str | None) -> list[str]:
    """The words of ``text`` as the search index sees them, folded."""
    return WORD.findall(fold(text))
