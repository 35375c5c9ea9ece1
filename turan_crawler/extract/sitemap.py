"""Sitemaps and robots.txt, read with Scrapy's own machinery (``scrapy.utils.sitemap``, the parser behind
``SitemapSpider``: streaming, no entities resolved): a sitemap index or urlset, plain or gzipped, gives its
``<loc>`` entries with their ``<lastmod>``, as many as the protocol allows (a 64 MiB sitemap gave over a
million); robots.txt gives its ``Sitemap:`` lines."""

from __future__ import annotations

from contextlib import suppress
from itertools import islice

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

KINDS = {"urlset": "sitemap", "sitemapindex": "sitemap_index"}
MAX_ENTRIES = 50_000  # per sitemap file, and
MAX_BYTES = 50 * 1024 * 1024  # of XML: the sitemap protocol's limits (sitemaps.org); nothing beyond is read
_GZIP = b"\x1f\x8b"


def looks_like_sitemap(body: bytes) -> bool:
    """Gzip bytes (a ``.xml.gz`` sent without Content-Encoding), or XML whose root is a sitemap's."""
    if body[:2] == _GZIP:
        return True
    head = body[:4096].lstrip()
    return head.startswith(b"<?xml") or head.startswith(b"<urlset") or head.startswith(b"<sitemapindex")


def read_sitemap(body: bytes, max_size: int) -> tuple[str | None, list[tuple[str, str | None]]]:
    """('sitemap' or 'sitemap_index', [(loc, lastmod or None)], at most MAX_ENTRIES); (None, []) when it
    is not a sitemap. Raises scrapy's _DecompressionMaxSizeExceeded when gzip bytes inflate beyond
    ``max_size``."""
    if body[:2] == _GZIP:
        body = gunzip(body, max_size=max_size)
    try:
        sitemap = Sitemap(body[:MAX_BYTES])
        kind = KINDS.get(sitemap.type)
        if kind is None:
            return None, []
        entries = ((entry["loc"], entry.get("lastmod") or None) for entry in sitemap if entry.get("loc"))
        return kind, list(islice(entries, MAX_ENTRIES))  # the parser reads no further than it is asked
    except (etree.XMLSyntaxError, StopIteration, ValueError):
        return None, []


def robots_sitemaps(body: bytes, url: str) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, line by line: a malformed one (``http://[::1``) is skipped
    (read in one go, it ended Scrapy's reader and every good line after it was lost)."""
    found: list[str] = []
    for line in body.splitlines():
        with suppress(ValueError):
            found += sitemap_urls_from_robots(line, base_url=url)
    return list(dict.fromkeys(found))
