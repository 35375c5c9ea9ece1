"""Pure extraction: (URL, HTML bytes, headers) -> article fields, or the reason the page is not an article.

No Scrapy, network or database in here, so the crawl, ``capture`` and ``reindex`` share one parser.
Layers, most trustworthy first: JSON-LD and OpenGraph metadata, Turan site rules (current and old
layouts), then a generic main-text extractor.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from .. import siteconfig
from .article import build_article
from .classify import is_challenge, looks_like_error_page, sniff_not_html
from .decode import decode_html
from .generic import generic_article
from .language import detect_language
from .links import page_links
from .metadata import read_metadata
from .page import PageIndex, parse_html

log = logging.getLogger(__name__)

# Why a page is not an article.
NOT_ARTICLE_REASONS = (
    "empty",
    "not_html",
    "unparseable",
    "challenge",
    "error",
    "listing",
    "no_title",
    "no_text",
)


@dataclass
class Extraction:
    """The result of reading one page: the article (or None and why), and the links it offers."""

    article: dict | None
    reason: str | None
    links: dict[str, list[str]] = field(default_factory=dict)


def extract(
    url: str, body: bytes, headers: Mapping[str, str] | None = None, site: str = "turan"
) -> Extraction:
    """Read one fetched page. Never raises on bad input: the reason says what was wrong.

    ``site`` chooses the rules: ``turan`` (this site's layers) or ``generic`` (metadata and trafilatura
    only, for pages of other sites).
    """
    reason = sniff_not_html(body, headers)
    if reason:
        return Extraction(None, reason)
    text, _codec = decode_html(body, headers)
    try:
        root = parse_html(text)
    except (etree.ParserError, ValueError) as exc:
        log.warning("unparseable HTML at %s: %s", url, exc)
        root = None
    if root is None:
        return Extraction(None, "unparseable")
    if is_challenge(body, headers):
        return Extraction(None, "challenge")
    page = PageIndex(root)
    links = page_links(page, url)
    if site == "generic":
        article = generic_article(url, text, read_metadata(root))
        if article is not None:
            article.update(
                lang=root.get("lang", "").split("-")[0] or None,
                text_lang=detect_language(article["body"]),
                latest_news=[],
                related=[],
                translations=links["translation"],
            )
        return Extraction(article, None if article else "no_text", links)
    if siteconfig.listing_kind(url):
        return Extraction(None, "listing", links)
    if looks_like_error_page(root):
        return Extraction(None, "error", links)
    article, reason = build_article(url, page, text)
    if article is None and siteconfig.parse_article_url(url):
        log.warning("no article could be read from article URL %s (%s)", url, reason)
    if article is not None:
        article["latest_news"] = links["latest_news"]
        article["related"] = links["related"]
        article["translations"] = links["translation"]
    return Extraction(article, reason, links)


def parse_article(url: str, body: bytes, headers: Mapping[str, str] | None = None) -> dict | None:
    """The article's fields (``articles`` column names, plus link lists), or None when not an article."""
    return extract(url, body, headers).article


def why_not_article(url: str, body: bytes, headers: Mapping[str, str] | None = None) -> str | None:
    """None for an article; otherwise one of NOT_ARTICLE_REASONS."""
    return extract(url, body, headers).reason


__all__ = ["NOT_ARTICLE_REASONS", "Extraction", "extract", "parse_article", "why_not_article"]
