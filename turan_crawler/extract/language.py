"""The language a text is written in (en, az or ru), whatever the URL prefix says.

Turan writes Russian in Cyrillic, and Azerbaijani in Latin letters with ə ğ ı ş ç ö ü, which English
text only shows in a few names; so the script and the share of those letters decide, with no model to
load (a general language-id model cost 100 MB of memory and 0.6 s of start-up to tell these three apart).
"""

from __future__ import annotations

LANGUAGES = ("en", "az", "ru")
AZ_LETTERS = frozenset("əğışçöüƏĞŞÇÖÜİ")
AZ_SHARE = 0.02  # Azerbaijani prose runs at 8-12% of such letters; English quoting names stays well under 1%


def detect_language(text: str) -> str | None:
    """'en', 'az' or 'ru' for a text of some length; None when there are too few letters to tell."""
    letters = [ch for ch in text[:3000] if ch.isalpha()]
    if len(letters) < 20:
        return None
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in letters)
    if cyrillic > len(letters) / 2:
        return "ru"
    az = sum(ch in AZ_LETTERS for ch in letters)
    return "az" if az / len(letters) >= AZ_SHARE else "en"
