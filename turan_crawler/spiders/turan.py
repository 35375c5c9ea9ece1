"""The site crawl: discovery by every source the site offers, and backfill.

Where it starts: robots.txt (its ``Sitemap:`` lines), the site's known sitemap locations per language
(``TURAN_SITEMAPS``), and each language's front page (``TURAN_START_PATHS``: configuration adds start
points, it does not replace discovery). From there:
- a front page's navigation gives the listings (categories, news line, archive) to walk;
- a listing (a page that looks like one) gives its articles, and its next page (pagination found by
  structure) up to ``--backfill-pages``;
- an article gives every article link it has: latest-news style blocks first, then related items, then
  the rest (the blocks' wording only orders them);
- a sitemap or a sitemap index (the site's may list either, SITE.md) gives the articles that are new or
  whose lastmod moved since they were captured, and the sitemaps whose lastmod moved since they were
  read (an index's, and theirs: ``MAX_SITEMAP_DEPTH``).
An article already archived is fetched again only when published within ``--refresh-days`` or when its
sitemap lastmod moved. Sitemap entries wait in a backlog of plain URLs and are released a window at a
time, so a 50,000-URL sitemap never becomes 50,000 pending requests; the sitemaps an index lists wait too,
and are read a few at a time once the entries before them are out.

The spider only decides what to fetch; it reads pages with the pure extractor (in worker processes, off
the reactor) and reports what it found (article items, facts). Writing is the archive's job.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider

from ..addresses import non_public_address
from ..archiving.paths import ArchivePaths
from ..extract.sitemap import robots_sitemaps
from ..index.known import KnownArticles
from ..middlewares import ROBOTS_TXT_MAX_SIZE
from ..sites import TURAN, SiteRules
from .base import ArchivingSpider

# Start pages and sitemaps first; fresh articles before the next page of a listing (a backfill holds about
# one listing page of pending requests at a time); sitemap backlog last.
START_PRIORITY, LISTING_PRIORITY = 20, 10
LATEST_PRIORITY, RELATED_PRIORITY, ARTICLE_PRIORITY = 3, 2, 0
NEXT_PAGE_PRIORITY, BACKLOG_PRIORITY = -10, -20
BACKLOG_WINDOW = 64  # sitemap entries in flight at a time
SITEMAP_WINDOW = 4  # listed sitemaps in flight at a time, read only while fewer than a window of entries wait
MAX_SITEMAP_DEPTH = 2  # index -> index -> urlset: what a sitemap this deep lists as sitemaps is not read


class TuranSpider(ArchivingSpider):
    """``scrapy crawl turan -a start_url=http://127.0.0.1:8000 -s ARCHIVE_DIR=archive``"""

    name = "turan"
    site = TURAN

    def __init__(self, start_url: str | None = None, **kwargs):
        super().__init__(**kwargs)
        given = [u.strip() for u in (start_url or "").split(",") if u.strip()]
        self.start_points = given or [self.site.home]
        self.given_hosts = frozenset((urlsplit(u).hostname or "").lower() for u in self.start_points)
        hosts = set(self.given_hosts) | set(self.site.hosts)
        self.allowed_domains = sorted(h for h in hosts if h)
        self.site_rules = SiteRules.for_start_urls(self.start_points, self.site)
        self.articles_requested = 0
        self.known: KnownArticles | None = None
        # The spider dedupes by URL itself and sends requests with dont_filter, so that a redirect that
        # comes back to a URL already fetched is followed (and a redirect loop ends as an error).
        self.seen: set[str] = set()
        self.crawling = False
        self.backlog: deque[str] = deque()  # sitemap entries that need fetching
        # listed sitemaps to read, with their depth: a stack, so that nested indexes never pile up
        self.sitemaps_waiting: list[tuple[str, int]] = []
        self.in_flight: Counter[str] = Counter()  # released requests not back yet, by window

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args, **kwargs) -> TuranSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.langs = settings.getlist("TURAN_LANGS")
        spider.start_paths = settings.getlist("TURAN_START_PATHS")
        spider.sitemap_paths = settings.getlist("TURAN_SITEMAPS")
        spider.backfill_pages = settings.getint("TURAN_BACKFILL_PAGES")
        spider.max_articles = settings.getint("TURAN_MAX_ARTICLES")
        spider.known = KnownArticles(
            ArchivePaths.from_settings(settings).db,
            settings.getfloat("TURAN_REFRESH_DAYS"),
            settings.getbool("TURAN_REFRESH_ALL"),
        )
        crawler.signals.connect(spider.release_backlog_when_idle, signal=signals.spider_idle)
        spider.reads_robots_itself = not settings.getbool("ROBOTSTXT_OBEY")
        if not spider.reads_robots_itself:  # the robots.txt middleware fetches it: read its Sitemap: lines
            crawler.signals.connect(spider.robots_txt_received, signal=signals.response_received)
        return spider

    # -- where to start -----------------------------------------------------------------------------
    def bases(self) -> list[str]:
        """The sites given by their root (a start URL with a path is a page to start from: its site's
        robots.txt Sitemap: lines and sitemaps are not read then)."""
        roots = [urlsplit(u) for u in self.start_points if not urlsplit(u).path.strip("/")]
        return list(dict.fromkeys(f"{split.scheme}://{split.netloc}" for split in roots))

    def entry_urls(self) -> list[str]:
        """A start URL with a path is fetched as given; a bare site URL expands to each language's start
        paths (its front page, and whatever configuration adds)."""
        urls = []
        for start in self.start_points:
            split = urlsplit(start)
            if split.path.strip("/"):
                urls.append(start)
                continue
            base = f"{split.scheme}://{split.netloc}"
            urls += [base + path.format(lang=lang) for lang in self.langs for path in self.start_paths]
        return urls

    def sitemap_urls(self) -> list[str]:
        return [
            path.format(lang=lang) if "://" in path else base + path.format(lang=lang)
            for base in self.bases()
            for lang in self.langs
            for path in self.sitemap_paths
        ]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.crawling = True  # scrapy parse replaces start(): then only the page it is given is read
        for base in self.bases() if self.reads_robots_itself else []:
            for request in self.request(
                base + "/robots.txt", START_PRIORITY, download_maxsize=ROBOTS_TXT_MAX_SIZE
            ):
                yield request
        for url in self.sitemap_urls():
            for request in self.request(url, START_PRIORITY):
                yield request
        for url in self.entry_urls():
            for request in self.request(url, START_PRIORITY, start=True):
                yield request
        for url in self.known.recent_urls():
            for request in self.follow_article(url, ARTICLE_PRIORITY):
                yield request
        for url, lastmod in self.known.pending_sitemap_urls():  # what an interrupted run left
            for request in self.follow_article(url, ARTICLE_PRIORITY, lastmod):
                yield request

    # -- what to fetch ------------------------------------------------------------------------------
    def request(self, url: str, priority: int, **meta) -> Iterator[scrapy.Request]:
        if url not in self.seen:
            self.seen.add(url)
            yield scrapy.Request(
                url,
                callback=self.parse_page,
                errback=self.on_error,
                priority=priority,
                dont_filter=True,
                meta=meta,
            )

    def in_scope(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def refusal(self, url: str, requisite: bool = False) -> str | None:
        """Pages stay on the crawl's hosts; a page's requisites may come from any public host (a CDN)."""
        if self.in_scope(url):
            return None
        host = urlsplit(url).hostname or ""
        if requisite and not (kind := non_public_address(host)):
            return None
        if requisite:
            return f"{host} is {kind}, outside the crawl's hosts"
        return f"{host} is outside the crawl's scope ({', '.join(self.allowed_domains)})"

    def follow_article(
        self, url: str, priority: int, lastmod: str | None = None, **meta
    ) -> Iterator[scrapy.Request]:
        if url in self.seen or not self.in_scope(url) or not self.site.article_url(url):
            return
        if self.known.needs_fetch(url, lastmod):
            yield from self.request_article(url, priority, **meta)

    def request_article(self, url: str, priority: int, **meta) -> Iterator[scrapy.Request]:
        """An article known to need fetching, within ``--max-articles``."""
        if url in self.seen or (self.max_articles and self.articles_requested >= self.max_articles):
            return
        self.articles_requested += 1
        yield from self.request(url, priority, **meta)

    def follow_listings(self, urls: list[str], priority: int, page: int) -> Iterator[scrapy.Request]:
        for url in urls:
            if self.in_scope(url) and not self.site.article_url(url):
                yield from self.request(url, priority, page=page)

    def follow_sitemap(self, entries: list[tuple[str, str | None]], depth: int) -> None:
        """A sitemap or an index, whichever it says it is: the entries the site reads as articles join the
        backlog when they need fetching (asked of the index in batches, as the sitemap arrives); the others
        are sitemaps, read in their turn when their lastmod moved, no deeper than MAX_SITEMAP_DEPTH."""
        articles, sitemaps = [], []
        for url, lastmod in entries:
            if url not in self.seen and self.in_scope(url):
                (articles if self.site.article_url(url) else sitemaps).append((url, lastmod))
        self.backlog.extend(url for url, _lastmod in self.known.needing_fetch(articles))
        if depth < MAX_SITEMAP_DEPTH:
            changed = self.known.changed_sitemaps(sitemaps)
            self.sitemaps_waiting.extend((url, depth + 1) for url, _lastmod in reversed(changed))

    def release_backlog(self) -> Iterator[scrapy.Request]:
        """Sitemap entries, as many as keep the window full; then waiting sitemaps, a few at a time and
        only while fewer than a window of entries wait (so only a few sitemaps' entries are held)."""
        while self.backlog and self.in_flight["backlog"] < BACKLOG_WINDOW:
            for request in self.request_article(self.backlog.popleft(), BACKLOG_PRIORITY, window="backlog"):
                self.in_flight["backlog"] += 1
                yield request
        while (
            self.sitemaps_waiting
            and len(self.backlog) < BACKLOG_WINDOW
            and self.in_flight["sitemaps"] < SITEMAP_WINDOW
        ):
            url, depth = self.sitemaps_waiting.pop()
            for request in self.request(url, START_PRIORITY, sitemap_depth=depth, window="sitemaps"):
                self.in_flight["sitemaps"] += 1
                yield request

    def robots_txt_received(self, response: scrapy.http.Response, request: scrapy.Request, spider) -> None:
        """A robots.txt the middleware fetched: its Sitemap: lines are sitemaps to read."""
        robots = urlsplit(response.url).path == "/robots.txt" and response.status == 200
        base = f"{urlsplit(response.url).scheme}://{urlsplit(response.url).netloc}"
        if self.crawling and robots and base in self.bases():
            for url in robots_sitemaps(response.body, response.url):
                for sitemap in self.request(url, START_PRIORITY):
                    self.crawler.engine.crawl(sitemap)

    def release_backlog_when_idle(self, spider) -> None:
        if not self.crawling:
            return
        released = list(self.release_backlog())
        for request in released:
            self.crawler.engine.crawl(request)
        if released:
            raise DontCloseSpider

    # -- reading what came back ---------------------------------------------------------------------
    async def parse_page(self, response: scrapy.http.Response):
        if window := response.meta.get("window"):  # first: whatever happens below, its place is free
            self.in_flight[window] -= 1
        site, result = await self.read(response)
        for item in self.record(response, site, result):
            yield item
        for request in self.follow(response, result):
            yield request
        for request in self.requisites_of(response, result):
            yield request
        for request in self.release_backlog():
            yield request

    def follow(self, response: scrapy.http.Response, result) -> Iterator[scrapy.Request]:
        if result is None:
            return
        links, kind = result.links, result.reason
        if kind == "robots_txt":
            for url in links.get("sitemap", []):
                yield from self.request(url, START_PRIORITY)
        elif kind in ("sitemap", "sitemap_index"):
            self.follow_sitemap(result.entries, response.meta.get("sitemap_depth", 0))
        elif kind == "listing":
            page = response.meta.get("page", 1)
            for url in links.get("article", []):
                yield from self.follow_article(url, ARTICLE_PRIORITY)
            if response.meta.get("start"):
                yield from self.follow_listings(links.get("listing", []), LISTING_PRIORITY, page=1)
            if self.backfill_pages < 0 or page <= self.backfill_pages:
                yield from self.follow_listings(links.get("next_page", []), NEXT_PAGE_PRIORITY, page=page + 1)
        elif result.article is not None:  # latest-news style blocks first, then related items, then the rest
            priority = dict.fromkeys(links.get("related", []), RELATED_PRIORITY)
            priority.update(dict.fromkeys(links.get("latest_news", []), LATEST_PRIORITY))
            linked = links.get("article", []) + links.get("translation", [])
            ranked = sorted(
                ((priority.get(url, ARTICLE_PRIORITY), url) for url in linked), key=lambda p: -p[0]
            )
            for rank, url in ranked:
                yield from self.follow_article(url, rank)

    def on_error(self, failure):
        if window := failure.request.meta.get("window"):
            self.in_flight[window] -= 1
        super().on_error(failure)

    def closed(self, reason: str) -> None:
        if self.known:
            self.known.close()
