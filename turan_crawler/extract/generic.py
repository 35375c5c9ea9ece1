"""The generic layer: main text of a page whose markup the site rules do not understand (trafilatura)."""

from __future__ import annotations

import logging

from .prune import prune_link_lists

log = logging.getLogger(__name__)


def _main_text(page_html: str, url: str | None = None):
    """trafilatura's reading of the page (text and metadata), or None."""
    import trafilatura  # imported lazily: the fallback is rare and the import costs ~0.5 s

    doc = trafilatura.bare_extraction(
        prune_link_lists(page_html),
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    return doc if doc is not None and doc.text else None


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def main_text_paragraphs(page_html: str) -> list[str]:
    """Paragraphs of the page's main text by trafilatura; [] when it finds none."""
    doc = _main_text(page_html)
    return _paragraphs(doc.text) if doc else []


def generic_article(url: str, page_html: str, meta) -> dict | None:
    """An article from any site: metadata first (JSON-LD, OpenGraph), then trafilatura for the rest.

    Only the fields a page of unknown layout can give: no category slug, article id or editor code.
    """
    doc = _main_text(page_html, url)
    if doc is None:
        return None
    paragraphs = _paragraphs(doc.text)
    title = meta.title or doc.title
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs.pop(0)  # the heading, printed above the text
    if not title or not paragraphs:
        return None
    body = "\n\n".join(paragraphs)
    return {
        "url": url,
        "title": title,
        "author": meta.author or doc.author,
        "published_at": meta.published_at or (doc.date or None),
        "category": meta.section or (doc.categories[0] if doc.categories else None),
        "category_slug": None,
        "article_id": None,
        "body": body,
        "editor_code": None,
        "paywalled": 0,
        "word_count": len(body.split()),
        "extracted_by": "generic",
    }
