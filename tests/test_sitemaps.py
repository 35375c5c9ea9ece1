"""Sitemaps as the site may serve them: what robots.txt names, indexes and urlsets (swapped, gzipped,
namespaced, huge or nested), each bounded and each article it lists reached."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import scrapy
from scrapy.http import HtmlResponse

from turan_crawler.extract.sitemap import robots_sitemaps
from turan_crawler.index.known import BATCH, KnownArticles
from turan_crawler.index.schema import open_index
from turan_crawler.index.store import ArchiveStore
from turan_crawler.spiders.turan import TuranSpider


def test_a_malformed_sitemap_line_in_robots_txt_costs_only_that_line():
    body = b"User-agent: *\nSitemap: http://[::1\nSitemap: /a.xml\nsitemap: https://cdn.example/b.xml\n"
    assert robots_sitemaps(body, "http://site.example/robots.txt") == [
        "http://site.example/a.xml",
        "https://cdn.example/b.xml",
    ]


@pytest.fixture
def known_index(tmp_path) -> Path:
    """An index holding 3,000 old articles: the first 1,000 listed in a sitemap with lastmod 2025-01-01."""
    path = tmp_path / "turan.db"
    db = open_index(path)
    db["articles"].insert_all(
        {"url": f"https://turan.az/en/politics/story-{n}", "published_at": "2020-01-01"} for n in range(3000)
    )
    ArchiveStore(db).record_sitemap(
        "https://turan.az/sitemap.xml",
        [(f"https://turan.az/en/politics/story-{n}", "2025-01-01") for n in range(1000)],
        "2026-01-01T00:00:00Z",
    )
    db.conn.commit()
    db.conn.close()
    return path


def test_a_sitemaps_entries_are_checked_against_the_index_in_batches(known_index):
    """50,000 entries, one or two queries each, took 0.28 s of the reactor; now a hundred queries."""
    listed = [
        (f"https://turan.az/en/politics/story-{n}", "2025-06-01" if n < 10 else None) for n in range(50_000)
    ]
    known = KnownArticles(known_index, refresh_days=2)
    queries: list[str] = []
    known.conn.set_trace_callback(queries.append)
    needed = known.needing_fetch(listed)
    assert len(queries) <= 50_000 // BATCH
    moved = listed[:10]  # their lastmod moved since they were captured
    assert needed == moved + listed[3000:]  # the rest is archived and unchanged
    known.conn.set_trace_callback(None)
    assert needed == [entry for entry in listed if known.needs_fetch(*entry)]  # the same verdicts one by one


def test_a_page_that_fails_to_record_still_frees_its_place_in_the_backlog_window():
    spider = TuranSpider(start_url="http://127.0.0.1:9")
    spider.backlog_in_flight = 1
    url = "http://127.0.0.1:9/en/politics/gone-100001"
    response = HtmlResponse(url, status=404, body=b"", request=scrapy.Request(url, meta={"backlog": True}))

    def failing(*args):
        raise RuntimeError("the archive could not take it")

    spider.record = failing

    async def first():
        return await anext(spider.parse_page(response))

    with pytest.raises(RuntimeError):
        asyncio.run(first())
    assert spider.backlog_in_flight == 0
