"""The site crawl: front pages and news lines, Latest-news and listing links, backfill through the pages.

The spider only decides what to fetch; it reads pages with the pure extractor (in worker processes, off
the reactor) and reports what it found (article items, facts). Writing is the archive's job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qs, urlsplit

import scrapy
from scrapy.crawler import Crawler

from ..archiving.paths import ArchivePaths
from ..index.known import KnownArticles
from ..sites import TURAN, SiteRules
from .base import ArchivingSpider

# Start pages first; then a news-line page's articles before the next page: a backfill holds about one
# page of pending requests per language, not every article of the archive (memory stays flat).
LISTING_PRIORITY, NEXT_PAGE_PRIORITY, ARTICLE_PRIORITY = 20, -10, 0


def page_number(url: str, param: str) -> int:
    try:
        return int(parse_qs(urlsplit(url).query).get(param, ["1"])[0])
    except ValueError:
        return 1


class TuranSpider(ArchivingSpider):
    """``scrapy crawl turan -a start_url=http://127.0.0.1:8000 -s ARCHIVE_DIR=archive``"""

    name = "turan"
    site = TURAN

    def __init__(self, start_url: str | None = None, **kwargs):
        super().__init__(**kwargs)
        given = [u.strip() for u in (start_url or "").split(",") if u.strip()]
        self.start_points = given or [self.site.home]
        hosts = {urlsplit(u).hostname for u in self.start_points} | set(self.site.hosts)
        self.allowed_domains = sorted(h for h in hosts if h)
        self.site_rules = SiteRules.for_start_urls(self.start_points, self.site)
        self.articles_requested = 0
        self.known: KnownArticles | None = None
        # The spider dedupes by URL itself and sends requests with dont_filter, so that a redirect that
        # comes back to a URL already fetched is followed (and a redirect loop ends as an error).
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args, **kwargs) -> TuranSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.langs = settings.getlist("TURAN_LANGS")
        spider.start_paths = settings.getlist("TURAN_START_PATHS")
        spider.backfill_pages = settings.getint("TURAN_BACKFILL_PAGES")
        spider.max_articles = settings.getint("TURAN_MAX_ARTICLES")
        spider.known = KnownArticles(
            ArchivePaths.from_settings(settings).db,
            settings.getfloat("TURAN_REFRESH_DAYS"),
            settings.getbool("TURAN_REFRESH_ALL"),
        )
        return spider

    # -- what to fetch ------------------------------------------------------------------------------
    def entry_urls(self) -> list[str]:
        """A start URL with a path is fetched as given; a bare site URL expands to each language's front
        page and news line."""
        urls = []
        for start in self.start_points:
            split = urlsplit(start)
            if split.path.strip("/"):
                urls.append(start)
                continue
            base = f"{split.scheme}://{split.netloc}"
            urls += [base + path.format(lang=lang) for lang in self.langs for path in self.start_paths]
        return urls

    def request(self, url: str, priority: int) -> Iterator[scrapy.Request]:
        if url not in self.seen:
            self.seen.add(url)
            yield scrapy.Request(
                url, callback=self.parse_page, errback=self.on_error, priority=priority, dont_filter=True
            )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.entry_urls():
            for request in self.request(url, LISTING_PRIORITY):
                yield request
        for url in self.known.recent_urls():
            for request in self.follow_article(url):
                yield request

    def in_scope(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def refusal(self, url: str) -> str | None:
        host = urlsplit(url).hostname or ""
        if not self.in_scope(url):
            return f"{host} is outside the crawl's scope ({', '.join(self.allowed_domains)})"
        return None

    def follow_article(self, url: str) -> Iterator[scrapy.Request]:
        if url in self.seen or not self.in_scope(url) or not self.site.article_url(url):
            return
        if self.max_articles and self.articles_requested >= self.max_articles:
            return
        if not self.known.needs_fetch(url):
            return
        self.articles_requested += 1
        yield from self.request(url, ARTICLE_PRIORITY)

    def follow_next_pages(self, urls: list[str]) -> Iterator[scrapy.Request]:
        limit = None if self.backfill_pages < 0 else 1 + self.backfill_pages
        for url in urls:
            if self.in_scope(url) and (limit is None or page_number(url, self.site.page_param) <= limit):
                yield from self.request(url, NEXT_PAGE_PRIORITY)

    # -- reading what came back ---------------------------------------------------------------------
    async def parse_page(self, response: scrapy.http.Response):
        site, result = await self.read(response)
        for item in self.record(response, site, result):
            yield item
        if result is None or not result.links:
            return
        links, kind = result.links, site.listing_kind(response.url)
        if kind:
            for url in links["article"]:
                for request in self.follow_article(url):
                    yield request
            if kind == "news_line":
                for request in self.follow_next_pages(links["next_page"]):
                    yield request
        elif result.article is not None:
            for url in links["latest_news"] + links["translation"]:
                for request in self.follow_article(url):
                    yield request

    def closed(self, reason: str) -> None:
        if self.known:
            self.known.close()
