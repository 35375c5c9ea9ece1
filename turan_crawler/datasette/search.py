"""Search that finds what people type: the query folded like the index (``turan_crawler.fold``), each word
a prefix (Azerbaijani and Russian inflect: ``Aliyev`` finds ``Əliyevin`` and ``Алиева``), and snippets
of the original text with the matching words in ``<mark>``.

The SQL functions registered for Datasette (plugin.prepare_connection):

- ``turan_match(q)``: the FTS5 query for ``articles_folded_fts``: words ANDed, ``"quoted phrases"`` kept
  as phrases, every word of 3+ letters also matched as a prefix; ``""`` (matches nothing) when q has none.
  ``turan_match(q, 0)``: the same, words whole. The search query uses it when the whole words alone match
  its 5,000-article window: a prefix of a word found in most articles costs FTS5 ~100 ms to expand over a
  million articles, and would add nothing the window has room for.
- ``turan_snippet(text, q)``: an HTML fragment: about 30 words of ``text`` around the first match, HTML
  special characters escaped, matches wrapped in ``<mark>``. Stored text is scraped and hostile: it is
  escaped here, and ``marked_html`` escapes whatever it is given again except the ``<mark>`` tags.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markupsafe import Markup, escape

from ..fold import WORD, fold, fold_words

PREFIX_MIN = 3  # shorter words match whole: a one- or two-letter prefix would match half the index
_PHRASE = re.compile(r'"([^"]*)"')
_MARK = re.compile(r"(</?mark>)")
_SPACE = re.compile(r"\s+")


def match_query(q: str | None, prefixes: int = 1) -> str:
    """The FTS5 MATCH expression for what a person typed (see the module); ``prefixes=0``: words match
    whole only."""
    if not q:
        return '""'
    parts = []
    for phrase in _PHRASE.findall(q):
        words = fold_words(phrase)
        if words:
            parts.append('"' + " ".join(words) + '"')
    for word in fold_words(_PHRASE.sub(" ", q)):
        parts.append(f'"{word}"*' if prefixes and len(word) >= PREFIX_MIN else f'"{word}"')
    return " ".join(parts) or '""'


def query_terms(q: str | None) -> tuple[set[str], tuple[str, ...]]:
    """(words matched whole, prefixes) of a query, folded, as match_query matches them."""
    whole, prefixes = set(), []
    for word in fold_words(q):
        if len(word) >= PREFIX_MIN:
            prefixes.append(word)
        else:
            whole.add(word)
    return whole, tuple(prefixes)


def snippet(text: str | None, q: str | None, words: int = 30) -> str:
    """About ``words`` words of ``text`` around its first match of ``q``, escaped, matches in <mark>."""
    if not text:
        return ""
    whole, prefixes = query_terms(q)

    def matches(word: str) -> bool:
        folded = _fold_word(word)
        return folded in whole or (bool(prefixes) and folded.startswith(prefixes))

    spans = [m.span() for m in WORD.finditer(text, 0, 200_000)]
    if not spans:
        return str(escape(text[:200]))
    first = next((n for n, (start, end) in enumerate(spans) if matches(text[start:end])), 0)
    begin = max(0, first - words // 3)
    stop = min(len(spans), begin + words)
    out = ["… " if begin > 0 else ""]
    previous = spans[begin][0]
    for start, end in spans[begin:stop]:
        word = text[start:end]
        out.append(str(escape(_SPACE.sub(" ", text[previous:start]))))
        out.append(f"<mark>{escape(word)}</mark>" if matches(word) else str(escape(word)))
        previous = end
    if stop < len(spans):
        out.append(str(escape(_SPACE.sub(" ", text[previous : spans[stop][0]]))).rstrip() + " …")
    return "".join(out)


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    """fold() of one word, remembered: 50 snippets of news text share most of their words (3.5 ms a
    snippet without it, 0.2 ms with it)."""
    return fold(word)


def marked_html(value: object) -> Markup:
    """A snippet as HTML, safe whatever the value holds: only <mark> and </mark> survive as tags."""
    parts = _MARK.split(str(value))
    out, open_marks = [], 0
    for part in parts:
        if part == "<mark>" and open_marks == 0:
            out.append(part)
            open_marks = 1
        elif part == "</mark>" and open_marks == 1:
            out.append(part)
            open_marks = 0
        elif part not in ("<mark>", "</mark>"):
            out.append(str(escape(html.unescape(part))))
    if open_marks:
        out.append("</mark>")
    return Markup("".join(out))
