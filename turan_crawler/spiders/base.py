"""What the project's spiders share: reading a response off the reactor, recording what it says, and
reporting failed fetches. Every response reaches the callback (``HTTPERROR_ALLOW_ALL``), so a page, an
error page and a challenge take one path (``recording.page_facts``) in the crawl, ``capture`` and
``reindex`` alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from ..addresses import non_public_address
from ..archiving.paths import ArchivePaths
from ..extract import Extraction, read_response, read_without_parsing
from ..extract.pool import Budget, ExtractorPool
from ..index.known import FreshCaptures
from ..items import ArticleItem
from ..recording import Fact, FetchFailure, OutcomeChange, is_read, page_facts
from ..signals import facts_recorded
from ..sites import Site, SiteRules
from ..warc.limits import MAX_BODY
from ..warc.reader import too_large_error

# --requisites: none; images (stylesheets, what they import, the page's images); all (scripts too)
REQUISITES = {"none": (), "images": ("stylesheet", "image"), "all": ("stylesheet", "image", "script")}
REQUISITE_PRIORITY = 5  # soon after their page, before the next listing page
# a page's stylesheet (1), what it @imports (2), and what those need (3: fonts, images, a second @import,
# fetched but not read): up to 150 URLs a file, so each level multiplies what one page can ask
MAX_REQUISITE_DEPTH = 3


def text_headers(headers) -> dict[str, str]:
    """The last value of each header (as Scrapy's ``headers[name]`` gives it), as text."""
    return {k.decode("latin-1"): values[-1].decode("latin-1") for k, values in headers.items() if values}


def settings_problem(settings: BaseSettings) -> str | None:
    """What is wrong with the settings an archiving spider runs with, in one sentence; None if nothing."""
    mode = settings.get("TURAN_REQUISITES")
    if mode not in REQUISITES:
        return f"TURAN_REQUISITES is {mode!r}: one of {', '.join(REQUISITES)}"
    maxsize = settings.getint("DOWNLOAD_MAXSIZE")
    if not 0 < maxsize <= MAX_BODY:  # 0 is no limit at all
        return (
            f"DOWNLOAD_MAXSIZE is {maxsize}: at most {MAX_BODY} (64 MiB), the bound within which the "
            "archive's readers (verify, reindex, the web view) read a record"
        )
    return None


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
    """A spider whose responses are archived by the ArchiveExtension and read by the pure extractor, in
    ``TURAN_PARSE_PROCESSES`` worker processes. ``site_rules`` says which site's rules read each URL."""

    extractor: ExtractorPool
    site_rules: SiteRules = SiteRules()
    given_hosts: frozenset[str] = frozenset()  # hosts the user named: reached even when internal

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.articles_yielded: set[str] = set()
        self.requisites_seen: set[str] = set()
        self.requisites_requested = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.extractor = ExtractorPool(
            settings.getint("TURAN_PARSE_PROCESSES"), read_response, Budget.from_settings(settings)
        )
        crawler.signals.connect(spider.extractor.close, signal=signals.spider_closed)
        if problem := settings_problem(settings):  # the CLI says it before starting; `scrapy crawl` here
            raise ValueError(problem)
        spider.requisite_kinds = REQUISITES[settings.get("TURAN_REQUISITES")]
        spider.max_requisites = settings.getint("TURAN_MAX_REQUISITES")
        spider.fresh_captures = FreshCaptures(ArchivePaths.from_settings(settings).db)
        crawler.signals.connect(spider.fresh_captures.close, signal=signals.spider_closed)
        return spider

    async def _extract(self, response: scrapy.http.Response, site: Site) -> Extraction:
        """The extractor's reading, in a worker process. The pool keeps the page's budget (a page stuck
        past it fails with PageBudgetExceeded) and reads a page lost with a dying worker again."""
        args = (response.url, response.status, response.body, text_headers(response.headers), site.name)
        return await maybe_deferred_to_future(deferred_from_future(self.extractor.submit(*args)))

    async def read(self, response: scrapy.http.Response) -> tuple[Site, Extraction | None]:
        """(the site whose rules read the URL, what the response says; None when it is not read: a
        redirect or a truncated body). What needs no parsing (an error page, an image) is read here."""
        site = self.site_rules.for_url(response.url)
        if not is_read(response.status, "dataloss" in response.flags):
            return site, None
        quick = read_without_parsing(
            response.url, response.status, response.body, text_headers(response.headers)
        )
        if quick is not None:  # an error page, an image...: read here, cheaply
            return site, quick
        try:
            return site, await self._extract(response, site)
        except Exception as exc:  # noqa: BLE001 (the extractor promises not to raise; if it does, say so)
            self.logger.exception("could not read %s", response.url)
            return site, Extraction(
                None, "parse_failed", error=f"parse failed: {type(exc).__name__}: {exc}"[:500]
            )

    def record(self, response: scrapy.http.Response, site: Site, extraction: Extraction | None) -> list:
        """Hand the archive what the response says; return the article items to yield."""
        facts = page_facts(
            site,
            response.url,
            response.status,
            extraction,
            response.meta.get("capture_id"),
            response.meta.get("fetched_at"),
        )
        stats = self.crawler.stats
        if response.status >= 400:
            stats.inc_value("turan/errors")
        for fact in facts:
            if isinstance(fact, OutcomeChange):
                stats.inc_value("turan/blocked" if fact.outcome == "blocked" else "turan/errors")
        # An article reached twice in a run (through a redirect, say) is one item: a feed export has one
        # row per article; the archive still hears of the second capture, as a fact.
        articles = [f for f in facts if isinstance(f, ArticleItem) and f.url not in self.articles_yielded]
        self.articles_yielded.update(article.url for article in articles)
        stats.inc_value("turan/articles", len(articles))
        self.send_facts([fact for fact in facts if not any(fact is article for article in articles)])
        return articles

    def send_facts(self, facts: list[Fact]) -> None:
        if facts:
            self.crawler.signals.send_catch_log(signal=facts_recorded, facts=facts, spider=self)

    def refusal(self, url: str, requisite: bool = False) -> str | None:
        """Why this spider must not fetch ``url`` (checked for every request, redirects included): any
        public host may be reached, a loopback, link-local, private or reserved address only when given."""
        host = (urlsplit(url).hostname or "").lower()
        kind = non_public_address(host)
        if kind and host not in self.given_hosts:
            return f"{host} is {kind} (reached only when its URL is given)"
        return None

    # -- page requisites ---------------------------------------------------------------------------
    def requisites_of(
        self, response: scrapy.http.Response, result: Extraction | None
    ) -> Iterator[scrapy.Request]:
        """What the page (or stylesheet) needs to look like itself, once per run, and not while an archived
        copy is still fresh; at most TURAN_MAX_REQUISITES in a run. Requisites on other hosts are fetched
        too (robots.txt of each obeyed)."""
        if result is None or result.reason in ("challenge", "http_error") or not self.requisite_kinds:
            return
        depth = response.meta.get("requisite_depth", 0)
        if depth >= MAX_REQUISITE_DEPTH:
            return
        for kind in self.requisite_kinds:
            for url in result.links.get(kind, []):
                if url in self.requisites_seen:
                    continue
                if self.max_requisites and self.requisites_requested >= self.max_requisites:
                    return
                self.requisites_seen.add(url)
                if self.fresh_captures.fresh(url):
                    self.crawler.stats.inc_value("turan/requisites_fresh")
                    continue
                self.requisites_requested += 1
                if self.requisites_requested == self.max_requisites:
                    self.logger.warning("TURAN_MAX_REQUISITES reached: no more requisites in this run")
                yield scrapy.Request(
                    url,
                    callback=self.parse_requisite,
                    errback=self.on_error,
                    priority=REQUISITE_PRIORITY,
                    dont_filter=True,
                    meta={"requisite": True, "requisite_depth": depth + 1},
                )

    async def parse_requisite(self, response: scrapy.http.Response):
        """A requisite: archived already; a stylesheet is read for what it imports in turn."""
        self.crawler.stats.inc_value("turan/requisites")
        stylesheet = b"css" in (response.headers.get("Content-Type") or b"") or response.url.endswith(".css")
        stylesheet = stylesheet and response.meta.get("requisite_depth", 0) < MAX_REQUISITE_DEPTH
        site, result = (
            await self.read(response) if stylesheet else (self.site_rules.for_url(response.url), None)
        )
        self.record(response, site, result)
        for request in self.requisites_of(response, result):
            yield request

    def on_error(self, failure: Failure) -> None:
        """A fetch that failed. A response that was archived but then refused (too large to inflate)
        changes its capture's outcome; a fetch with no response (network error, robots.txt, a refused
        redirect, a redirect loop) gets a captures row of its own."""
        self.crawler.stats.inc_value("turan/errors")
        request = failure.request
        message = str(failure.value)
        if "DOWNLOAD_MAXSIZE" in message and request.meta.get("captured_url") == request.url:
            limit = request.meta.get("download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
            self.send_facts([OutcomeChange(request.meta["capture_id"], "error", too_large_error(limit))])
        elif failure.check(IgnoreRequest) and message.startswith("refused: "):
            self.send_facts([FetchFailure(request.url, "refused", message.removeprefix("refused: "))])
        elif failure.check(IgnoreRequest) and "robots" in message.lower():
            self.send_facts([FetchFailure(request.url, "robots", "forbidden by robots.txt")])
        else:
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
            self.send_facts([FetchFailure(request.url, "error", error)])
