"""The archive writer: one thread that owns the WARC files and the index connection.

Operations arrive through a bounded FIFO queue (a full queue makes the crawl wait: bounded memory), so a
capture row is always written before the facts that point to it. Each batch is one SQLite transaction;
WARC records are written (unbuffered) before it commits. Records are built and gzipped in two helper
threads from the moment an exchange is submitted (zlib-ng releases the GIL); revisit decisions are taken here, in order.
A failure (full disk, broken index) stops the writer; every later call raises it instead of waiting.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..index import ArchiveStore, open_index
from ..recording import Fact, Placement, apply_fact, capture_row
from ..warc.records import Exchange, build_records
from ..warc.writer import RotatingWarcWriter, encode_member
from .paths import ArchivePaths

log = logging.getLogger(__name__)
BATCH = 64  # operations per SQLite transaction at most
QUEUE_SIZE = 64  # operations waiting for the writer
POLL = 0.5  # seconds between checks that the writer is still alive, while waiting on it


@dataclass
class Capture:
    """An exchange to archive, with the captures id it was given on arrival."""

    capture_id: int
    exchange: Exchange
    encoded: Future | None = None  # (records, gzip members) as a full response, started on submit


@dataclass
class Call:
    """Run ``function(store)`` in the writer, after everything queued before; its result goes back."""

    function: Callable[[ArchiveStore], Any]
    done: queue.Queue = field(default_factory=lambda: queue.Queue(maxsize=1))


@dataclass
class Stop:
    """The last operation: close the WARC file and end the thread."""


class WriterFailed(RuntimeError):
    """The writer stopped on an error; nothing more can be archived in this run."""


class ArchiveWriter(threading.Thread):
    def __init__(
        self,
        paths: ArchivePaths,
        warc_max_size: int,
        warc_info: dict[str, str],
        on_failure: Callable[[BaseException], None],
        gzip_level: int = 6,
        on_article: Callable[[str], None] = lambda saved: None,
    ):
        super().__init__(name="archive-writer", daemon=True)
        self.paths = paths
        self.queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)
        self.warc = RotatingWarcWriter(
            paths.warc_dir, paths.warc_prefix, warc_max_size, warc_info, gzip_level
        )
        self.store: ArchiveStore | None = None
        self.failure: BaseException | None = None
        self.run_id: int | None = None
        self._encoders = ThreadPoolExecutor(max_workers=2, thread_name_prefix="warc-gzip")
        self._on_failure = on_failure
        self._on_article = on_article  # told 'new', 'updated' or 'unchanged' for each article written

    # -- the crawl's side --------------------------------------------------------------------------
    def submit(self, op: Capture | Fact) -> None:
        """Queue an operation (dropped once the writer has failed: the run is ending). An exchange's
        records start being built and gzipped at once."""
        if isinstance(op, Capture):
            op.encoded = self._encoders.submit(self._encode, op.exchange, None)
        self._put(op)

    def call(self, function: Callable[[ArchiveStore], Any]) -> Any:
        """``function(store)`` in the writer thread; its result, or its exception raised here."""
        op = Call(function)
        self._put(op)
        while True:
            try:
                ok, value = op.done.get(timeout=POLL)
            except queue.Empty:
                if not self.is_alive():
                    raise WriterFailed(f"the archive writer stopped: {self.failure}") from self.failure
                continue
            if ok:
                return value
            raise value

    def finish(self) -> None:
        """Write what is queued, close the WARC file and end the thread."""
        if self.is_alive():
            self._put(Stop())
            self.join()

    def _put(self, op: object) -> None:
        while self.is_alive() and self.failure is None:
            try:
                self.queue.put(op, timeout=POLL)
                return
            except queue.Full:
                continue
        if isinstance(op, Call):
            op.done.put((False, WriterFailed(f"the archive writer stopped: {self.failure}")))

    # -- the writer thread -------------------------------------------------------------------------
    def run(self) -> None:
        try:
            self.store = ArchiveStore(open_index(self.paths.db))
            stopping = False
            while not stopping:
                batch = self._next_batch()
                with self.store.db.atomic():
                    stopping = self._apply_batch(batch)
        except BaseException as exc:  # noqa: BLE001 (a full disk, a broken index: reported, the crawl stops)
            log.error("archive writer failed: %s", exc)
            self.failure = exc
            self._fail_waiting_calls(exc)
            self._on_failure(exc)
        finally:
            self._encoders.shutdown(cancel_futures=True)
            try:
                self.warc.close()
            except OSError as exc:
                log.error("could not close the WARC file: %s", exc)

    def _next_batch(self) -> list:
        batch = [self.queue.get()]
        while len(batch) < BATCH:
            try:
                batch.append(self.queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _fail_waiting_calls(self, exc: BaseException) -> None:
        while True:
            try:
                op = self.queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(op, Call):
                op.done.put((False, WriterFailed(f"the archive writer stopped: {exc}")))

    def _apply_batch(self, batch: list) -> bool:
        """Write a batch in one transaction: every exchange's records and captures row first (one insert
        for all), then the other operations in queue order. True at the Stop operation."""
        captures = [op for op in batch if isinstance(op, Capture)]
        self.store.add_captures([self._write(op, *encoded) for op, encoded in self._encoded(captures)])
        for op in batch:
            if isinstance(op, Stop):
                return True
            if isinstance(op, Call):
                try:
                    op.done.put((True, op.function(self.store)))
                except Exception as exc:  # noqa: BLE001 (the caller gets it)
                    op.done.put((False, exc))
            elif not isinstance(op, Capture) and (saved := apply_fact(self.store, op, self.run_id)):
                self._on_article(saved)
        return False

    def _encode(self, exchange: Exchange, revisit_of: tuple[str, str] | None) -> tuple[list, list[bytes]]:
        records = build_records(self.warc.builder, exchange, revisit_of)
        return records, [encode_member(r, self.warc.gzip_level) for r in records]

    def _encoded(self, captures: list[Capture]):
        """(capture, (original, records, members)) for each, deciding revisits in order (an original may
        be earlier in the same batch). A revisit's records (no body) are built here; the rest were
        encoded in the background since ``submit``."""
        originals: dict[tuple[str, str], tuple[int, str]] = {}
        for op in captures:
            ex = op.exchange
            key = (ex.url, ex.digest)
            original = None
            if ex.status == 200 and not ex.truncated:
                original = originals.get(key) or self.store.original_capture(*key)
                if original is None:
                    originals[key] = (op.capture_id, ex.fetched_at)
            if original:
                op.encoded.cancel()
                yield op, (original, *self._encode(ex, (ex.url, original[1])))
            else:
                yield op, (None, *op.encoded.result())

    def _write(
        self, op: Capture, original: tuple[int, str] | None, records: list, members: list[bytes]
    ) -> dict:
        """Append the exchange's records to the WARC; return its captures row."""
        ex = op.exchange
        (name, offset, length), (_, req_offset, req_length) = self.warc.write_members(members)
        placement = Placement(
            name, offset, length, records[0].rec_headers.get_header("WARC-Record-ID"), req_offset, req_length
        )
        return capture_row(
            op.capture_id,
            url=ex.url,
            fetched_at=ex.fetched_at,
            status=ex.status,
            headers=ex.response_headers,
            digest=ex.digest,
            ip_address=ex.ip_address,
            truncated=ex.truncated,
            placement=placement,
            revisit=original is not None,
            refers_to=original[0] if original else None,
            run_id=self.run_id,
        )
