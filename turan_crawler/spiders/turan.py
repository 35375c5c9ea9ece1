"""The site crawl: front pages and news lines, Latest-news and listing links, backfill through the pages.

The spider only decides what to fetch; it reads pages with the pure extractor (in a thread, off the
reactor) and reports what it found as items. Writing is the archive's job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.python.failure import Failure

from .. import siteconfig
from ..extract import extract
from ..extract.classify import is_challenge
from ..extract.page import parse_html
from ..index.known import KnownArticles
from ..items import ArticleItem, ArticleRemoved, CaptureOutcome, FetchFailure, PageLinks

LISTING_PRIORITY, NEXT_PAGE_PRIORITY, ARTICLE_PRIORITY = 20, 10, 0


def _text_headers(headers) -> dict[str, str]:
    """The last value of each header (as Scrapy's ``headers[name]`` gives it), as text."""
    return {k.decode("latin-1"): values[-1].decode("latin-1") for k, values in headers.items() if values}


def page_number(url: str) -> int:
    try:
        return int(parse_qs(urlsplit(url).query).get(siteconfig.PAGE_PARAM, ["1"])[0])
    except ValueError:
        return 1


class TuranSpider(scrapy.Spider):
    """``scrapy crawl turan -a start_url=http://127.0.0.1:8000 -s ARCHIVE_DIR=archive``"""

    name = "turan"

    def __init__(self, start_url: str | None = None, **kwargs):
        super().__init__(**kwargs)
        given = [u.strip() for u in (start_url or "").split(",") if u.strip()]
        self.start_points = given or [siteconfig.DEFAULT_BASE_URL]
        hosts = {urlsplit(u).hostname for u in self.start_points} | set(siteconfig.HOSTS)
        self.allowed_domains = sorted(h for h in hosts if h)
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
            Path(settings.get("ARCHIVE_DIR")) / "turan.db",
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

    def follow_article(self, url: str) -> Iterator[scrapy.Request]:
        if url in self.seen or not self.in_scope(url) or not siteconfig.parse_article_url(url):
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
            if self.in_scope(url) and (limit is None or page_number(url) <= limit):
                yield from self.request(url, NEXT_PAGE_PRIORITY)

    # -- reading what came back ---------------------------------------------------------------------
    async def parse_page(self, response: scrapy.http.Response):
        capture_id, fetched_at = response.meta.get("capture_id"), response.meta.get("fetched_at")
        if "dataloss" in response.flags:
            return  # archived as truncated; an incomplete page is never read as an article
        try:
            result = await maybe_deferred_to_future(
                threads.deferToThread(extract, response.url, response.body, _text_headers(response.headers))
            )
        except Exception as exc:  # noqa: BLE001 (the extractor promises not to raise; if it does, say so)
            self.logger.exception("could not read %s", response.url)
            self.crawler.stats.inc_value("turan/errors")
            yield CaptureOutcome(capture_id, "error", f"parse failed: {type(exc).__name__}: {exc}"[:500])
            return
        if result.reason == "challenge":
            self.crawler.stats.inc_value("turan/blocked")
            yield CaptureOutcome(capture_id, "blocked", "challenge page")
            return
        links = result.links
        kind = siteconfig.listing_kind(response.url)
        if kind:
            yield PageLinks(response.url, {"listing": links["article"]})
            for url in links["article"]:
                for request in self.follow_article(url):
                    yield request
            if kind == "news_line":
                for request in self.follow_next_pages(links["next_page"]):
                    yield request
            return
        if result.article is None:
            if result.reason == "error":
                yield CaptureOutcome(capture_id, "error", "error page")
            return
        self.crawler.stats.inc_value("turan/articles")
        article = {**result.article, "url": response.url}
        yield ArticleItem(article, capture_id, fetched_at)
        yield PageLinks(response.url, {k: article[k] for k in ("latest_news", "related", "translations")})
        for url in article["latest_news"] + article["translations"]:
            for request in self.follow_article(url):
                yield request

    def on_error(self, failure: Failure):
        """A fetch that failed: HTTP errors were archived already; the rest get a captures row here."""
        request = failure.request
        self.crawler.stats.inc_value("turan/errors")
        if failure.check(HttpError):
            response = failure.value.response
            if response.status in (404, 410) and siteconfig.parse_article_url(response.url):
                yield ArticleRemoved(response.url, response.status)
            root = parse_html(response.text) if response.body and hasattr(response, "text") else None
            if root is not None and is_challenge(root, response.body, _text_headers(response.headers)):
                self.crawler.stats.inc_value("turan/blocked")
                yield CaptureOutcome(
                    response.meta["capture_id"], "blocked", f"challenge page (HTTP {response.status})"
                )
            return
        if failure.check(IgnoreRequest) and "robots" in str(failure.value).lower():
            yield FetchFailure(request.url, "robots", "forbidden by robots.txt")
            return
        yield FetchFailure(
            request.url, "error", f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        )

    def closed(self, reason: str) -> None:
        if self.known:
            self.known.close()
