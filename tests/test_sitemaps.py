"""Sitemaps as the site may serve them: what robots.txt names, indexes and urlsets (swapped, gzipped,
namespaced, huge or nested), each bounded and each article it lists reached."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import scrapy
from conftest import crawl_args, index, run_cli, tiny_site
from hostile import article_html
from scrapy.http import HtmlResponse

from turan_crawler.extract.sitemap import read_sitemap, robots_sitemaps
from turan_crawler.index.known import BATCH, KnownArticles
from turan_crawler.index.schema import open_index
from turan_crawler.index.store import ArchiveStore
from turan_crawler.sites import TURAN
from turan_crawler.spiders.turan import SITEMAP_WINDOW, TuranSpider


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
    spider.in_flight["backlog"] = 1
    url = "http://127.0.0.1:9/en/politics/gone-100001"
    response = HtmlResponse(
        url, status=404, body=b"", request=scrapy.Request(url, meta={"window": "backlog"})
    )

    def failing(*args):
        raise RuntimeError("the archive could not take it")

    spider.record = failing

    async def first():
        return await anext(spider.parse_page(response))

    with pytest.raises(RuntimeError):
        asyncio.run(first())
    assert spider.in_flight["backlog"] == 0


# -- a site of the test's own making -------------------------------------------------------------------
@dataclass
class SmallSite:
    """Pages by path (content type, body; ``{base}`` in a body is the site's own base), articles at any
    ``/en/politics/<slug>-<id>`` path, a request log, and per path a delay and the peak of concurrent hits."""

    base: str = ""
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    headers: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    slow: dict[str, float] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)
    running: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def respond(self, path: str):
        self.requested.append(path)
        delay = next((seconds for prefix, seconds in self.slow.items() if path.startswith(prefix)), 0)
        with self.lock:
            self.running += bool(delay)
            self.peak = max(self.peak, self.running)
        time.sleep(delay)
        with self.lock:
            self.running -= bool(delay)
        if path in self.pages:
            content_type, body = self.pages[path]
            return (
                200,
                [("Content-Type", content_type), *self.headers.get(path, [])],
                body.replace(b"{base}", self.base.encode()),
            )
        if TURAN.article_url(path):
            return (
                200,
                [("Content-Type", "text/html; charset=utf-8")],
                article_html(path.rsplit("/", 1)[1]).encode(),
            )
        return 404, [("Content-Type", "text/html")], b"<html><body><h1>Not found</h1></body></html>"

    def articles_requested(self, since: int = 0) -> set[str]:
        return {path for path in self.requested[since:] if TURAN.article_url(path)}


@pytest.fixture
def small_site() -> Iterator[SmallSite]:
    site = SmallSite()
    site.pages["/en"] = ("text/html", b"<html><body><h1>Front</h1><p>Nothing here.</p></body></html>")
    with tiny_site(site.respond) as base:
        site.base = base
        yield site


def sitemap(kind: str, paths: list[str], lastmod: str | None = None) -> bytes:
    """A ``urlset`` or ``sitemapindex`` of the site's ``paths``."""
    tag = "url" if kind == "urlset" else "sitemap"
    date = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    items = "".join(f"<{tag}><loc>{{base}}{path}</loc>{date}</{tag}>" for path in paths)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{kind} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{items}</{kind}>\n"
    ).encode()


def robots(*paths: str) -> tuple[str, bytes]:
    return "text/plain", (
        "User-agent: *\nAllow: /\n" + "".join(f"Sitemap: {{base}}{p}\n" for p in paths)
    ).encode()


def crawl_of(archive: Path, site: SmallSite, *extra: str):
    return run_cli(*crawl_args(archive, site.base, "--delay", "0", "--lang", "en", *extra))


def archived(archive: Path) -> set[str]:
    return {url for (url,) in index(archive).execute("select url from articles")}


def story(n: int) -> str:
    return f"/en/politics/story-number-{n}-{100000 + n}"


def test_a_sitemap_stops_at_the_protocols_50000_entries():
    body = sitemap("urlset", [story(n) for n in range(60_000)]).replace(b"{base}", b"https://turan.az")
    kind, entries = read_sitemap(body, 64 * 1024 * 1024)
    assert kind == "sitemap" and len(entries) == 50_000 and entries[-1][0].endswith(story(49_999))


def test_an_index_listing_articles_and_a_urlset_listing_sitemaps_are_both_followed(tmp_path, small_site):
    """SITE.md: the site's "index" answered with articles; read each container for what it lists."""
    small_site.pages.update(
        {
            "/robots.txt": robots("/odd-index.xml", "/odd-urlset.xml"),
            "/odd-index.xml": (
                "application/xml",
                sitemap("sitemapindex", [story(1), story(2)], "2025-01-01"),
            ),
            "/odd-urlset.xml": ("application/xml", sitemap("urlset", ["/child.xml"], "2025-01-01")),
            "/child.xml": ("application/xml", sitemap("urlset", [story(3)], "2025-01-01")),
        }
    )
    assert crawl_of(tmp_path, small_site).returncode == 0
    assert archived(tmp_path) == {small_site.base + story(n) for n in (1, 2, 3)}
    before = len(small_site.requested)
    assert crawl_of(tmp_path, small_site).returncode == 0
    assert small_site.articles_requested(before) == set()  # archived, unchanged: not fetched again


def test_nested_indexes_are_read_two_levels_deep_and_no_further(tmp_path, small_site):
    for n in range(6):  # /index-0.xml lists /index-1.xml, which lists /index-2.xml... each with a story
        small_site.pages[f"/index-{n}.xml"] = (
            "application/xml",
            sitemap("sitemapindex", [f"/index-{n + 1}.xml", story(n)]),
        )
    small_site.pages["/robots.txt"] = robots("/index-0.xml")
    assert crawl_of(tmp_path, small_site).returncode == 0
    assert {p for p in small_site.requested if p.startswith("/index-")} == {
        "/index-0.xml",
        "/index-1.xml",
        "/index-2.xml",
    }
    assert archived(tmp_path) == {small_site.base + story(n) for n in range(3)}


def test_the_sitemaps_an_index_lists_are_read_a_few_at_a_time(tmp_path, small_site):
    children = [f"/month-{n}.xml" for n in range(12)]
    small_site.pages["/robots.txt"] = robots("/months.xml")
    small_site.pages["/months.xml"] = ("application/xml", sitemap("sitemapindex", children))
    for n, child in enumerate(children):
        small_site.pages[child] = ("application/xml", sitemap("urlset", [story(2 * n), story(2 * n + 1)]))
    small_site.slow["/month-"] = 0.3
    assert crawl_of(tmp_path, small_site, "--concurrency", "16").returncode == 0
    assert small_site.peak <= SITEMAP_WINDOW  # not all twelve at once
    assert len(archived(tmp_path)) == 24
