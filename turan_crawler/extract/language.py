"""The language a text is written in (en, az or ru), whatever the URL prefix says."""

from __future__ import annotations

from functools import cache

LANGUAGES = ("en", "az", "ru")


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(["en", "az", "ru", "tr"])
    return identifier


def detect_language(text: str) -> str | None:
    """'en', 'az' or 'ru' for a text of some length; None when too short or something else."""
    sample = text[:1000]
    if sum(ch.isalpha() for ch in sample) < 20:
        return None
    lang, _score = _identifier().classify(sample)
    if lang == "tr":  # Turan publishes no Turkish: Latin-script Turkic text on the site is Azerbaijani
        return "az"
    return lang if lang in LANGUAGES else None
