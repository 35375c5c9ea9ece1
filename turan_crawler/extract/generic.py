"""The generic layer: main text of a page whose markup the site rules do not understand (trafilatura)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def main_text_paragraphs(page_html: str) -> list[str]:
    """Paragraphs of the page's main text by trafilatura; [] when it finds none."""
    import trafilatura  # imported lazily: the fallback is rare and the import costs ~0.5 s

    text = trafilatura.extract(
        page_html,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        deduplicate=False,
    )
    if not text:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]
