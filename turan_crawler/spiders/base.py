"""What the project's spiders share: reading a page off the reactor, and reporting failures as items."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from .. import siteconfig
from ..extract import Extraction
from ..extract.classify import is_challenge
from ..extract.pool import ExtractorPool
from ..facts import page_items, verdict
from ..index.store import challenge_error
from ..items import ArticleItem, ArticleRemoved, CaptureOutcome, FetchFailure


def text_headers(headers) -> dict[str, str]:
    """The last value of each header (as Scrapy's ``headers[name]`` gives it), as text."""
    return {k.decode("latin-1"): values[-1].decode("latin-1") for k, values in headers.items() if values}


def deferred_from_future(future: Future) -> Deferred:
    """A Deferred fired on the reactor thread when a concurrent.futures Future (of a process pool) ends."""
    from twisted.internet import reactor  # imported late: Scrapy installs the reactor it is asked for

    deferred: Deferred = Deferred()

    def fire(done: Future) -> None:
        try:
            result = done.result()
        except BaseException as exc:  # noqa: BLE001 (the worker's exception, or the pool's)
            deferred.errback(Failure(exc))
        else:
            deferred.callback(result)

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return deferred


class ArchivingSpider(scrapy.Spider):
    """A spider whose pages are archived by the ArchiveExtension and read by the pure extractor, in
    ``TURAN_PARSE_PROCESSES`` worker processes."""

    extractor: ExtractorPool

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.extractor = ExtractorPool(crawler.settings.getint("TURAN_PARSE_PROCESSES"))
        crawler.signals.connect(spider.extractor.close, signal=signals.spider_closed)
        return spider

    async def _extract(self, response: scrapy.http.Response, site: str) -> Extraction:
        """The extractor's reading, in a worker process. When a worker dies, every page it had in hand
        fails with it: each is read once more in a fresh pool, so only a page that kills it again fails."""
        args = (response.url, response.body, text_headers(response.headers), site)

        def read():
            return maybe_deferred_to_future(deferred_from_future(self.extractor.submit(*args)))

        try:
            return await read()
        except BrokenProcessPool:
            return await read()

    async def read_page(
        self, response: scrapy.http.Response, site: str = "turan"
    ) -> tuple[Extraction | None, CaptureOutcome | None]:
        """(what the page says, a verdict on its capture). A truncated page is never read; a page the
        extractor chokes on, a challenge or an error page gets a verdict."""
        capture_id = response.meta.get("capture_id")
        if "dataloss" in response.flags:
            return None, None  # archived as truncated (outcome error) by the archive
        try:
            result = await self._extract(response, site)
        except Exception as exc:  # noqa: BLE001 (the extractor promises not to raise; if it does, say so)
            self.logger.exception("could not read %s", response.url)
            self.crawler.stats.inc_value("turan/errors")
            return None, CaptureOutcome(
                capture_id, "error", f"parse failed: {type(exc).__name__}: {exc}"[:500]
            )
        if (outcome := verdict(result, capture_id)) is not None:
            self.crawler.stats.inc_value(f"turan/{outcome.outcome}")
            return None, outcome
        return result, None

    def items_of(self, response: scrapy.http.Response, result: Extraction) -> list:
        """The index items of a read page (see facts.page_items)."""
        items = page_items(
            response.url, result, response.meta.get("capture_id"), response.meta.get("fetched_at")
        )
        self.crawler.stats.inc_value("turan/articles", sum(isinstance(i, ArticleItem) for i in items))
        return items

    def on_error(self, failure: Failure):
        """A fetch that failed: HTTP errors were archived already; the rest get a captures row here."""
        request = failure.request
        self.crawler.stats.inc_value("turan/errors")
        if failure.check(HttpError):
            response = failure.value.response
            if response.status in (404, 410) and siteconfig.parse_article_url(response.url):
                yield ArticleRemoved(response.url, response.status, response.meta.get("fetched_at"))
            if is_challenge(response.body, text_headers(response.headers)):
                self.crawler.stats.inc_value("turan/blocked")
                yield CaptureOutcome(response.meta["capture_id"], "blocked", challenge_error(response.status))
            return
        if failure.check(IgnoreRequest) and "robots" in str(failure.value).lower():
            yield FetchFailure(request.url, "robots", "forbidden by robots.txt")
            return
        yield FetchFailure(
            request.url, "error", f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        )
