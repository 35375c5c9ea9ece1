"""The archive: every response to WARC and every fact to the index, written by one worker thread.

The Scrapy side (``ArchiveExtension``) only copies each downloaded exchange into a queue; hashing, gzip,
file writes and SQLite transactions happen in ``ArchiveWorker``, off the reactor. The queue is FIFO, so a
capture row is always written before the article that points to it.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import reactor

from . import __version__
from .index import ArchiveStore, open_index
from .index.store import outcome_for, warc_date
from .items import FetchFailure
from .lock import ArchiveLock, LockHeld
from .repair import repair_archive
from .warc.records import Exchange, build_records
from .warc.writer import RotatingWarcWriter, encode_member

log = logging.getLogger(__name__)
BATCH = 64  # operations per SQLite transaction at most
QUEUE_SIZE = 64
EMPTY_COUNTS = {
    "pages": 0,
    "articles_new": 0,
    "articles_updated": 0,
    "errors": 0,
    "blocked": 0,
    "outcomes": {},
    "robots_txt": 0,
}  # operations waiting for the writer; a full queue makes the crawl wait (bounded memory)


@dataclass
class CapturedExchange:
    capture_id: int
    exchange: Exchange
    run_id: int
    encoded: Future | None = None  # (records, gzip members) as a full response, started on submit


class ArchiveWorker(threading.Thread):
    """Owns the WARC writer and the index connection; applies queued operations in order."""

    def __init__(
        self,
        archive_dir: Path,
        warc_max_size: int,
        warc_info: dict[str, str],
        on_failure,
        gzip_level: int = 6,
    ):
        super().__init__(name="archive-writer", daemon=True)
        self.archive_dir = archive_dir
        self.queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)
        self.warc = RotatingWarcWriter(archive_dir / "warc", "turan", warc_max_size, warc_info, gzip_level)
        self.store: ArchiveStore | None = None
        self.articles = {"new": 0, "updated": 0, "unchanged": 0}
        self.failure: BaseException | None = None
        self.run_id = 0  # set once the run's row exists
        self._pool = ThreadPoolExecutor(
            max_workers=2, thread_name_prefix="warc-gzip"
        )  # zlib-ng releases the GIL
        self._on_failure = on_failure
        self._ready = threading.Event()

    def open(self) -> ArchiveStore:
        """Open the index in the worker's own thread and return once it is ready."""
        self.start()
        self._ready.wait()
        if self.failure:
            raise self.failure
        return self.store

    def submit(self, op: object) -> None:
        """Queue an operation. An exchange's records start being built and gzipped at once, in the
        encoding threads, so compression runs alongside the reactor and the SQLite writes."""
        if self.failure is None:
            if isinstance(op, CapturedExchange):
                op.encoded = self._pool.submit(self._encode, op.exchange, None)
            self.queue.put(op)

    def call(self, function):
        """Run ``function(store)`` in the worker thread, after everything queued before; return its result."""
        done = queue.Queue(maxsize=1)

        def wrapped(store: ArchiveStore) -> None:
            done.put(function(store))

        self.queue.put(("call", wrapped))
        return done.get()

    def run(self) -> None:
        try:
            self.store = ArchiveStore(open_index(self.archive_dir / "turan.db"))
        except BaseException as exc:  # noqa: BLE001 (reported to the crawl, which stops)
            self.failure = exc
            self._ready.set()
            return
        self._ready.set()
        stopping = False
        while not stopping:
            batch = [self.queue.get()]
            while len(batch) < BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                with self.store.db.atomic():
                    stopping = self._apply_batch(batch)
            except BaseException as exc:  # noqa: BLE001 (a full disk, a broken index: stop the crawl)
                log.error("archive writer failed: %s", exc)
                self.failure = exc
                self._on_failure(exc)
                break
        self._pool.shutdown()
        try:
            self.warc.close()
        except OSError as exc:
            log.error("could not close the WARC file: %s", exc)

    def _apply_batch(self, batch: list) -> bool:
        """Write a batch in one transaction: first every exchange's records and captures row (one insert
        for all), then the other operations in queue order. Returns True at the end-of-run marker."""
        encoded = self._encode_exchanges(batch)
        self.store.add_captures(
            [self._write_exchange(op, *encoded[id(op)]) for op in batch if isinstance(op, CapturedExchange)]
        )
        for op in batch:
            if op is None:
                return True
            if isinstance(op, tuple) and op[0] == "call":
                op[1](self.store)
            elif not isinstance(op, CapturedExchange) and (saved := self.store.apply(op, self.run_id)):
                self.articles[saved] += 1
        self.warc.flush()
        return False

    def _encode(self, exchange: Exchange, revisit_of: tuple[str, str] | None) -> tuple[list, list[bytes]]:
        records = build_records(self.warc.builder, exchange, revisit_of)
        return records, [encode_member(r, self.warc.gzip_level) for r in records]

    def _encode_exchanges(self, batch: list) -> dict[int, tuple]:
        """Decide revisits in order (an original may be earlier in the same batch) and collect every
        exchange's encoded records: {id(op): (original, records, members)}. A revisit's records (no
        body) are built here; the rest were encoded in the background since ``submit``."""
        originals: dict[tuple[str, str], tuple[int, str]] = {}
        encoded = {}
        for op in batch:
            if not isinstance(op, CapturedExchange):
                continue
            ex = op.exchange
            key = (ex.url, ex.digest)
            original = None
            if ex.status == 200 and not ex.truncated:
                original = originals.get(key) or self.store.original_capture(*key)
                if original is None:
                    originals[key] = (op.capture_id, ex.fetched_at)
            if original:
                op.encoded.cancel()
                encoded[id(op)] = (original, *self._encode(ex, (ex.url, original[1])))
            else:
                encoded[id(op)] = (None, *op.encoded.result())
        return encoded

    def _write_exchange(
        self, op: CapturedExchange, original: tuple[int, str] | None, records: list, members: list[bytes]
    ) -> dict:
        """Append the exchange's records to the WARC; return its captures row."""
        ex = op.exchange
        (name, offset, length), (_, req_offset, req_length) = self.warc.write_members(members)
        outcome, error = outcome_for(ex.status, ex.response_headers, ex.truncated, original is not None)
        content_type = next((v for k, v in ex.response_headers if k.lower() == "content-type"), None)
        return {
            "id": op.capture_id,
            "url": ex.url,
            "fetched_at": ex.fetched_at,
            "status": ex.status,
            "outcome": outcome,
            "content_type": content_type,
            "payload_digest": ex.digest,
            "warc_file": name,
            "warc_offset": offset,
            "warc_length": length,
            "warc_record_id": records[0].rec_headers.get_header("WARC-Record-ID"),
            "request_offset": req_offset,
            "request_length": req_length,
            "refers_to_capture_id": original[0] if original else None,
            "ip_address": ex.ip_address,
            "truncated": int(ex.truncated),
            "run_id": op.run_id,
            "error": error,
        }


class ArchiveExtension:
    """Scrapy extension: opens the archive at spider open, captures every downloaded exchange, closes
    the archive (WARC renamed, ``runs`` row finished) at spider close."""

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.archive_dir = Path(settings.get("ARCHIVE_DIR")).resolve()
        self.command = settings.get("ARCHIVE_RUN_COMMAND", "crawl")
        self.run_args = settings.get("ARCHIVE_RUN_ARGS", "")
        self.hold_lock = not settings.getbool("ARCHIVE_LOCK_HELD")
        info = {
            "software": f"turan-crawler/{__version__} (Scrapy {scrapy.__version__}; warcio {version('warcio')})",
            "operator": settings.get("ARCHIVE_OPERATOR") or None,
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "isPartOf": settings.get("ARCHIVE_COLLECTION", "turan"),
            "description": "Turan Information Agency (turan.az) archived by turan-crawler",
        }
        self.worker = ArchiveWorker(
            self.archive_dir,
            settings.getint("ARCHIVE_WARC_MAX_SIZE"),
            info,
            self._worker_failed,
            settings.getint("ARCHIVE_GZIP_LEVEL"),
        )
        self.lock: ArchiveLock | None = None
        self.run_id: int | None = None
        self.started = time.monotonic()
        self._next_capture_id = 0
        self.summary: dict | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveExtension:
        if not crawler.settings.get("ARCHIVE_DIR"):
            raise NotConfigured("ARCHIVE_DIR is not set")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.archive = ext  # the pipeline and the CLI find the archive here
        return ext

    def spider_opened(self, spider: scrapy.Spider) -> None:
        if self.hold_lock:
            try:
                self.lock = ArchiveLock(self.archive_dir).acquire()
            except LockHeld as held:
                log.error("%s", held)
                self._close_crawl("locked")
                return
        self.worker.open()
        self.worker.call(lambda store: repair_archive(self.archive_dir, store.db))
        self._next_capture_id = self.worker.call(lambda store: store.next_capture_id())
        self.run_id = self.worker.call(
            lambda store: store.start_run(self.command, self.run_args, os.getpid())
        )
        self.worker.run_id = self.run_id
        self.worker.warc.info["turan-run"] = str(self.run_id)  # lets reindex give captures their run
        log.info("archiving into %s (run %d)", self.archive_dir, self.run_id)

    def allocate_capture_id(self) -> int:
        self._next_capture_id += 1
        return self._next_capture_id - 1

    def response_downloaded(self, response: scrapy.http.Response, request: scrapy.Request, spider) -> None:
        """Runs on the reactor: copy the exchange (no hashing, no compression) and queue it."""
        if self.run_id is None:
            return
        capture_id = self.allocate_capture_id()
        request.meta["capture_id"] = capture_id
        request.meta["fetched_at"] = fetched_at = warc_date()
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=_header_pairs(request.headers),
            status=response.status,
            response_headers=_header_pairs(response.headers),
            body=response.body,
            protocol=response.protocol or "HTTP/1.1",
            ip_address=str(response.ip_address) if response.ip_address else None,
            truncated="dataloss" in response.flags,
            fetched_at=fetched_at,
        )
        self.worker.submit(CapturedExchange(capture_id, exchange, self.run_id))

    def submit(self, item: object) -> None:
        if isinstance(item, FetchFailure):
            item.capture_id = self.allocate_capture_id()
        self.worker.submit(item)

    def _close_crawl(self, reason: str) -> None:
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def _worker_failed(self, exc: BaseException) -> None:
        reactor.callFromThread(self._close_crawl, "archive_error")

    def spider_closed(self, spider: scrapy.Spider, reason: str) -> None:
        if self.run_id is None:  # the archive never opened (the lock was held)
            self.summary = {
                **EMPTY_COUNTS,
                "finish_reason": reason,
                "seconds": 0.0,
                "failure": None,
                "run_id": None,
            }
            return
        finish_reason = "archive_error" if self.worker.failure else reason
        counts: dict = {}

        def finish(store: ArchiveStore) -> None:
            outcomes = dict(
                store.db.execute(
                    "select outcome, count(*) from captures where run_id = ? group by outcome", [self.run_id]
                ).fetchall()
            )
            pages, robots_txt = store.db.execute(
                "select count(*), coalesce(sum(url like '%/robots.txt'), 0) from captures "
                "where run_id = ? and warc_file is not null",
                [self.run_id],
            ).fetchone()
            counts.update(
                pages=pages,
                errors=outcomes.get("error", 0),
                blocked=outcomes.get("blocked", 0),
                articles_new=self.worker.articles["new"],
                articles_updated=self.worker.articles["updated"],
            )
            store.finish_run(self.run_id, counts, finish_reason)
            counts.update(outcomes=outcomes, robots_txt=robots_txt)

        self.worker.submit(("call", finish))
        self.worker.submit(None)
        self.worker.join()
        if self.lock:
            self.lock.release()
        self.summary = {
            **EMPTY_COUNTS,
            **counts,
            "finish_reason": finish_reason,
            "run_id": self.run_id,
            "seconds": round(time.monotonic() - self.started, 1),
            "failure": str(self.worker.failure) if self.worker.failure else None,
        }
        log.info("summary: %s", json.dumps(self.summary))


def _header_pairs(headers) -> list[tuple[str, str]]:
    """Every value of every header, as latin-1 text (binary-safe both ways)."""
    return [
        (key.decode("latin-1"), value.decode("latin-1"))
        for key, values in headers.items()
        for value in values
    ]
