"""The one kind of Scrapy item the spiders yield: an article, as a flat row named like the index's
``articles`` columns (see DESIGN.md). ``scrapy crawl turan -O articles.jsonl`` (or ``.csv``) exports
these; what else a page tells the archive (links, outcomes, removals) goes to it as facts
(see ``recording.py``), not as items."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class ArticleItem:
    """An article read from a captured page, and the capture it was read from."""

    url: str
    lang: str | None = None
    text_lang: str | None = None
    category: str | None = None
    category_slug: str | None = None
    article_id: int | None = None
    title: str | None = None
    author: str | None = None
    published_at: str | None = None
    body: str | None = None
    editor_code: str | None = None
    paywalled: int = 0
    word_count: int = 0
    extracted_by: str | None = None
    image_url: str | None = None  # the lead image (a page requisite)
    capture_id: int | None = None
    fetched_at: str | None = None

    @classmethod
    def from_extraction(cls, url: str, article: dict, capture_id: int | None, fetched_at: str | None):
        columns = {name: article.get(name) for name in ARTICLE_FIELDS}
        return cls(url=url, **columns, capture_id=capture_id, fetched_at=fetched_at)

    def columns(self) -> dict:
        """The articles columns this item sets."""
        return {name: getattr(self, name) for name in ARTICLE_FIELDS}


# The articles columns an extraction fills: every field but the page's URL and the capture it was read
# from (the index adds id, first_seen, last_seen, version...).
ARTICLE_FIELDS = tuple(
    f.name for f in fields(ArticleItem) if f.name not in ("url", "capture_id", "fetched_at")
)
