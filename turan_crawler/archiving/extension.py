"""The Scrapy side of the archive: signals in, operations out to the writer thread.

At spider open it takes the archive's lock (unless the command holds it), starts the writer, repairs
what an interrupted run left and starts the run's ``runs`` row; any failure there closes the spider at
once (``archive_error``) and releases the lock. Then every downloaded exchange (``response_downloaded``,
before any decompression), every article item (``item_scraped``) and every other fact a spider reports
(``facts_recorded``) goes to the writer. At spider close the run is finished; its summary is in the
crawl's stats as ``archive/summary`` (``archive/run_id`` from the start).
"""

from __future__ import annotations

import logging
import time
from importlib.metadata import version

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import reactor

from .. import __version__
from ..clock import warc_date
from ..items import ArticleItem
from ..recording import FetchFailure
from ..signals import facts_recorded
from ..warc.records import Exchange
from .lock import ArchiveLock, LockHeld
from .paths import ArchivePaths
from .repair import repair_archive
from .runs import RunSummary, finish_run, start_run
from .writer import ArchiveWriter, Capture

log = logging.getLogger(__name__)


def header_pairs(headers) -> list[tuple[str, str]]:
    """Every value of every Scrapy header, as latin-1 text (binary-safe both ways)."""
    return [
        (key.decode("latin-1"), value.decode("latin-1"))
        for key, values in headers.items()
        for value in values
    ]


class ArchiveExtension:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.paths = ArchivePaths.from_settings(settings)
        self.command = settings.get("ARCHIVE_RUN_COMMAND", "crawl")
        self.run_args = settings.get("ARCHIVE_RUN_ARGS", "")
        self.hold_lock = not settings.getbool("ARCHIVE_LOCK_HELD")
        self.warc_info = {
            "software": f"turan-crawler/{__version__} (Scrapy {scrapy.__version__}; warcio {version('warcio')})",
            "operator": settings.get("ARCHIVE_OPERATOR") or None,
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "isPartOf": settings.get("ARCHIVE_COLLECTION"),
            "description": settings.get("ARCHIVE_DESCRIPTION"),
        }
        self.warc_max_size = settings.getint("ARCHIVE_WARC_MAX_SIZE")
        self.gzip_level = settings.getint("ARCHIVE_GZIP_LEVEL")
        self.writer: ArchiveWriter | None = None
        self.lock: ArchiveLock | None = None
        self.run_id: int | None = None
        self.failure: BaseException | None = None  # why the archive could not open
        self.started = time.monotonic()
        self._next_capture_id = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveExtension:
        if not crawler.settings.get("ARCHIVE_DIR") or not crawler.settings.getbool("ARCHIVE_ENABLED", True):
            raise NotConfigured("archiving is off (no ARCHIVE_DIR, or a Scrapy inspection command)")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.facts_recorded, signal=facts_recorded)
        return ext

    # -- opening -----------------------------------------------------------------------------------
    def spider_opened(self, spider: scrapy.Spider) -> None:
        if self.hold_lock:
            try:
                self.lock = ArchiveLock(self.paths.root).acquire()
            except (LockHeld, OSError) as exc:
                log.error("%s", exc)
                self._close_crawl("locked" if isinstance(exc, LockHeld) else "archive_error")
                return
        try:
            self.run_id = self._open_archive(spider)
        except Exception as exc:  # noqa: BLE001 (any reason the archive cannot open ends the run now)
            log.error("cannot open the archive in %s: %s", self.paths.root, exc)
            self.failure = exc
            if self.writer is not None:
                self.writer.finish()
            self._release_lock()
            self._close_crawl("archive_error")
            return
        self.crawler.stats.set_value("archive/run_id", self.run_id)
        log.info("archiving into %s (run %d)", self.paths.root, self.run_id)

    def _open_archive(self, spider: scrapy.Spider) -> int:
        self.writer = ArchiveWriter(
            self.paths,
            self.warc_max_size,
            self.warc_info,
            self._writer_failed,
            self.gzip_level,
            lambda saved: self.crawler.stats.inc_value(f"archive/articles_{saved}"),
        )
        self.writer.start()
        self.writer.call(lambda store: repair_archive(self.paths, store.db))
        self._next_capture_id = self.writer.call(lambda store: store.next_capture_id())
        args = self.run_args or self._scrapy_run_args(spider)
        run_id = self.writer.call(lambda store: start_run(store.db, self.command, args))
        self.writer.run_id = run_id
        self.writer.warc.info["turan-run"] = str(run_id)  # lets reindex give captures their run
        rules = getattr(spider, "site_rules", None)
        if rules is not None and rules.to_text():
            self.writer.warc.info["site-rules"] = rules.to_text()  # lets reindex read each host as we did
        return run_id

    @staticmethod
    def _scrapy_run_args(spider: scrapy.Spider) -> str:
        """What started a run that did not come through the CLI: scrapy crawl, or a Scrapyd job."""
        parts = [f"scrapy crawl {spider.name}"]
        if start_points := getattr(spider, "start_points", None):
            parts.append(f"-a start_url={','.join(start_points)}")
        if job := getattr(spider, "_job", None):
            parts.append(f"(scrapyd job {job})")
        return " ".join(parts)

    # -- during the run ----------------------------------------------------------------------------
    def _allocate_capture_id(self) -> int:
        self._next_capture_id += 1
        return self._next_capture_id - 1

    def response_downloaded(self, response: scrapy.http.Response, request: scrapy.Request, spider) -> None:
        """Runs on the reactor: copy the exchange (no hashing, no compression) and queue it."""
        if self.run_id is None:
            return
        capture_id = self._allocate_capture_id()
        request.meta["capture_id"] = capture_id
        request.meta["captured_url"] = response.url  # a redirect's new request copies meta, not this
        request.meta["fetched_at"] = fetched_at = warc_date()
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=header_pairs(request.headers),
            status=response.status,
            response_headers=header_pairs(response.headers),
            body=response.body,
            protocol=response.protocol or "HTTP/1.1",
            ip_address=str(response.ip_address) if response.ip_address else None,
            truncated="dataloss" in response.flags,
            fetched_at=fetched_at,
        )
        self.writer.submit(Capture(capture_id, exchange))

    def item_scraped(self, item: object, response, spider) -> None:
        if self.run_id is not None and isinstance(item, ArticleItem):
            self.writer.submit(item)

    def facts_recorded(self, facts: list, spider) -> None:
        if self.run_id is None:
            return
        for fact in facts:  # an ArticleItem among them is an article already yielded once in this run
            if isinstance(fact, FetchFailure):
                fact.capture_id = self._allocate_capture_id()
                fact.fetched_at = fact.fetched_at or warc_date()
            self.writer.submit(fact)

    # -- closing -----------------------------------------------------------------------------------
    def _close_crawl(self, reason: str) -> None:
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def _writer_failed(self, exc: BaseException) -> None:
        reactor.callFromThread(self._close_crawl, "archive_error")

    def _articles_saved(self) -> dict[str, int]:
        """The run's articles by what saving them did (counted in the stats, for the progress bar too)."""
        get = self.crawler.stats.get_value
        return {saved: get(f"archive/articles_{saved}", 0) for saved in ("new", "updated")}

    def _release_lock(self) -> None:
        if self.lock:
            self.lock.release()
            self.lock = None

    def spider_closed(self, spider: scrapy.Spider, reason: str) -> None:
        if self.run_id is None:  # the archive never opened (the lock was held, or it failed)
            failure = str(self.failure) if self.failure else None
            summary = RunSummary(finish_reason=reason, failure=failure)
        else:
            finish_reason = "archive_error" if self.writer.failure else reason
            try:  # in the writer, after every article queued before: the stats have counted them all
                summary = self.writer.call(
                    lambda store: finish_run(store.db, self.run_id, self._articles_saved(), finish_reason)
                )
            except Exception as exc:  # noqa: BLE001 (the writer failed: the run's row stays unfinished)
                summary = RunSummary(self.run_id, finish_reason="archive_error", failure=str(exc))
            self.writer.finish()
            if self.writer.failure:
                summary.failure = str(self.writer.failure)
                summary.finish_reason = "archive_error"
        self._release_lock()
        summary.seconds = round(time.monotonic() - self.started, 1)
        self.crawler.stats.set_value("archive/summary", summary.as_dict())
        log.info("summary: %s", summary.as_dict())
