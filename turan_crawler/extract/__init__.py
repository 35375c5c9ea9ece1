"""Pure extraction: (URL, HTML bytes, headers) -> article fields, or the reason the page is not an article.

No Scrapy, network or database in here, so the crawl, ``capture`` and ``reindex`` share one parser.
Layers, most trustworthy first: JSON-LD and OpenGraph metadata, the site's own rules (for Turan: current
and old layouts), then a generic main-text extractor. Which site's rules apply is chosen by the URL's host
(``sites.site_for_url``) unless the caller names the site.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree
from scrapy.utils._compression import _DecompressionMaxSizeExceeded

from ..sites import Site, site_for_url, site_named
from ..warc.reader import MAX_BODY, too_large_error
from .article import Reading, build_article
from .body import find_container
from .classify import content_type, is_challenge, sniff_not_html
from .links import page_links
from .metadata import read_metadata
from .page import HtmlSource, PageIndex, read_html
from .requisites import page_requisites, stylesheet_urls
from .sitemap import looks_like_sitemap, read_sitemap, robots_sitemaps
from .structure import PageStructure

log = logging.getLogger(__name__)
ERROR_MAX_TEXT = 600  # characters: a "not found" heading over more running text than this is an article

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
    "http_error",
    "parse_failed",
    "too_large",
    "sitemap",
    "sitemap_index",
    "robots_txt",
    "stylesheet",
)


@dataclass
class Extraction:
    """The result of reading one page: the article (or None and why), and the links it offers."""

    article: dict | None
    reason: str | None
    links: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None  # with reason 'parse_failed' or 'too_large': what went wrong
    entries: list[tuple[str, str | None]] = field(default_factory=list)  # a sitemap's (loc, lastmod)


def extract(
    url: str, body: bytes, headers: Mapping[str, str] | None = None, site: Site | None = None
) -> Extraction:
    """Read one fetched page. Never raises on bad input: the reason says what was wrong.

    ``site`` chooses the rules (default: the site that owns the URL's host, else ``generic``). What a page
    is, is read from its structure (the URL's shape is one hint among others): an error page's heading
    over little text; a listing's main content is a list of dated article links; an article has running
    text (at least ``MIN_TEXT`` characters of it); anything else has too little text.
    """
    site = site or site_for_url(url)
    reason = sniff_not_html(body, headers)
    if reason:
        return Extraction(None, reason)
    try:
        source = read_html(body, headers)
    except (etree.ParserError, ValueError) as exc:
        log.warning("unparseable HTML at %s: %s", url, exc)
        source = HtmlSource(None, body)
    root = source.root
    if root is None:
        return Extraction(None, "unparseable")
    if is_challenge(body, headers):
        return Extraction(None, "challenge")
    page = PageIndex(root, site.furniture)
    structure = PageStructure(page, url, site)
    meta = read_metadata(root)
    requisites = page_requisites(root, structure.resolve)
    reading = build_article(url, page, structure, source, site, meta, generic=not site.site_rules)
    if reading.article is None and not site.site_rules:  # trafilatura read nothing (a table layout...)
        reading = build_article(url, page, structure, source, site, meta)  # the page's own prose block
    reason = _what_else(url, structure, reading, site)
    fallback = site.site_rules and reading.container is None and (site.article_view(url) or meta.is_article)
    if reason is None and reading.article is None and fallback:  # the site rules could not place the text
        reading = build_article(url, page, structure, source, site, meta, generic=True)
    links = {**page_links(structure, site, reading if reason is None else None), **requisites}
    article = reading.article if reason is None else None
    if article is None:
        reason = reason or reading.reason or "no_text"
        if site.article_url(url) and reason not in ("listing", "error"):
            log.info("no article could be read from article URL %s (%s)", url, reason)
        return Extraction(None, reason, links)
    article["latest_news"] = links["latest_news"]
    article["related"] = links["related"]
    article["translations"] = links["translation"]
    return Extraction(article, None, links)


def _what_else(url: str, structure: PageStructure, reading: Reading, site: Site) -> str | None:
    """'error' or 'listing' when the page is one of those rather than the article the rules read."""
    if reading.prose < ERROR_MAX_TEXT and structure.error_heading():
        return "error"
    teaser = _is_teaser(structure, reading)
    if reading.article is not None and not teaser:
        hinted = site.listing_kind(url) and not reading.meta.is_article
        return "listing" if hinted and structure.is_listing() else None
    if structure.is_listing() or site.listing_kind(url) or (teaser and structure.main_list() is not None):
        return "listing"
    return "no_text" if teaser else None


def _is_teaser(structure: PageStructure, reading: Reading) -> bool:
    """Whether the text read is a teaser of other articles: the site rules' text lies in a dated link item;
    text the generic extractor read is a list's when no prose of the page stands outside its lists of links."""
    if reading.container is not None:
        return structure.in_dated_item(structure.page.position[reading.container])
    return (
        reading.article is not None
        and structure.is_listing()
        and find_container(structure.page, structure) is None
    )


def read_response(
    url: str, status: int, body: bytes, headers: Mapping[str, str] | None, site_name: str
) -> Extraction:
    """What is read of a complete response, the same in the crawl and in ``reindex``: a page that
    answered 200 is extracted; of an HTTP error page only whether it is a challenge is read."""
    quick = read_without_parsing(url, status, body, headers)
    if quick is not None:
        return quick
    if urlsplit(url).path == "/robots.txt":
        return Extraction(None, "robots_txt", {"sitemap": robots_sitemaps(body, url)})
    if content_type(headers) == "text/css" or urlsplit(url).path.endswith(".css"):
        return Extraction(None, "stylesheet", {"stylesheet": stylesheet_urls(body, url)})
    if looks_like_sitemap(body):
        try:
            kind, entries = read_sitemap(body, MAX_BODY)
        except _DecompressionMaxSizeExceeded:
            return Extraction(None, "too_large", error=too_large_error(MAX_BODY))
        if kind is not None:
            return Extraction(None, kind, entries=entries)
    return extract(url, body, headers, site_named(site_name))


def read_without_parsing(
    url: str, status: int, body: bytes, headers: Mapping[str, str] | None
) -> Extraction | None:
    """What ``read_response`` says of a response that needs no parsing, from its status, headers and
    first bytes (cheap enough for the reactor thread, and no trip to a worker): an HTTP error page (is it
    a challenge?), or a body that is no page, stylesheet, sitemap or robots.txt (an image, a font...).
    None when it needs reading."""
    if status >= 400:
        return Extraction(None, "challenge" if is_challenge(body, headers) else "http_error")
    path = urlsplit(url).path
    if path == "/robots.txt" or path.endswith(".css") or content_type(headers) == "text/css":
        return None
    if looks_like_sitemap(body):
        return None
    reason = sniff_not_html(body, headers)
    return Extraction(None, reason) if reason else None


def parse_article(url: str, body: bytes, headers: Mapping[str, str] | None = None) -> dict | None:
    """The article's fields (``articles`` column names, plus link lists), or None when not an article."""
    return extract(url, body, headers).article


def why_not_article(url: str, body: bytes, headers: Mapping[str, str] | None = None) -> str | None:
    """None for an article; otherwise one of NOT_ARTICLE_REASONS."""
    return extract(url, body, headers).reason


__all__ = [
    "NOT_ARTICLE_REASONS",
    "Extraction",
    "extract",
    "parse_article",
    "read_response",
    "why_not_article",
]
