"""What a page read by the extractor adds to the index. Shared by the spiders and by ``reindex``, so a
crawl and a rebuild from the WARCs write the same rows."""

from __future__ import annotations

from . import siteconfig
from .extract import Extraction
from .index.store import challenge_error
from .items import ArticleItem, CaptureOutcome, PageLinks


def verdict(extraction: Extraction, capture_id: int | None, status: int = 200) -> CaptureOutcome | None:
    """A capture's outcome that only the parsed page reveals: a challenge page, an error page."""
    if extraction.reason == "challenge":
        return CaptureOutcome(capture_id, "blocked", challenge_error(status))
    if extraction.article is None and extraction.reason == "error":
        return CaptureOutcome(capture_id, "error", "error page")
    return None


def page_items(url: str, extraction: Extraction, capture_id: int | None, fetched_at: str | None) -> list:
    """For a listing page, its links; for an article, the article and its links; else nothing."""
    links = extraction.links
    if siteconfig.listing_kind(url):
        return [PageLinks(url, {"listing": links.get("article", [])}, fetched_at)]
    if extraction.article is None:
        return []
    article = {**extraction.article, "url": url}
    return [
        ArticleItem(article, capture_id, fetched_at),
        PageLinks(url, {k: article[k] for k in ("latest_news", "related", "translations")}, fetched_at),
    ]
