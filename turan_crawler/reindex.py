"""Rebuild the index from the WARC files alone, with the current parser (DESIGN.md, principle 1).

Records are read in capture order (files sort by time; records by offset) so article versions come out
as they did in the crawl. Each record is read with the rules of the site it was captured for (by host,
with the run's own choices from its file's ``warcinfo``). Parsing, the costly part, runs in the crawl's
pool of processes (``ExtractorPool``, with the crawl's budget per page: TURAN_PAGE_READ_SECONDS and
_MEMORY) over bounded windows of records: a page whose reading kills its worker or overruns its budget is
recorded as the crawl records it, and the rest are read on. Everything is written by this process
through the same recording path the crawl uses (``recording.py``). Memory does not grow with the archive.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .archiving.paths import ArchivePaths
from .config import project_settings
from .extract import Extraction, read_response, read_without_parsing
from .extract.pool import Budget, ExtractorPool
from .index import ArchiveStore, open_index
from .recording import Placement, SeenAgain, apply_fact, capture_row, is_read, page_facts
from .sites import SiteRules, site_named
from .warc.members import iter_members
from .warc.reader import MAX_BODY, BodyTooLarge, StoredResponse, stored_response, too_large_error

log = logging.getLogger(__name__)
WINDOW = 64  # records parsed together; bounds memory


@dataclass
class ArchivedExchange:
    """A response or revisit record with where it lies, its request record and the site whose rules
    read it."""

    site: str
    warc_file: str
    offset: int
    length: int
    record_id: str
    response: StoredResponse
    ip_address: str | None
    truncated: bool
    run_id: int | None
    request_offset: int | None = None
    request_length: int | None = None


@dataclass(frozen=True)
class LostRecord:
    """A stretch of a WARC file that could not be read (a damaged gzip member, an unreadable record)."""

    warc_file: str
    offset: int
    length: int
    problem: str

    def __str__(self) -> str:
        return f"{self.warc_file} @ {self.offset} ({self.length} bytes): {self.problem}"


def iter_exchanges(warc_dir: Path, lost: list[LostRecord]) -> Iterator[ArchivedExchange]:
    """Every response/revisit record of every closed file, in capture order, with its request record.
    What cannot be read is added to ``lost``, and the reading goes on with the next intact record."""
    for path in sorted(Path(warc_dir).glob("*.warc.gz")):
        run_id, rules, pending = None, SiteRules(), None
        for member in iter_members(path):
            where = (path.name, member.offset, member.length)
            if member.problem:
                lost.append(LostRecord(*where, member.problem))
                continue
            try:
                record = next(iter(ArchiveIterator(io.BytesIO(member.data))))
                kind, headers = record.rec_type, record.rec_headers
                if kind == "warcinfo":
                    info = _warcinfo_fields(record.content_stream().read())
                    run_id = int(info["turan-run"]) if info.get("turan-run", "").isdigit() else None
                    rules = SiteRules.from_text(info.get("site-rules"))
                elif kind in ("response", "revisit"):
                    stored = stored_response(record)
                    if pending:
                        yield pending
                    pending = ArchivedExchange(
                        rules.for_url(stored.url).name,
                        *where,
                        headers.get_header("WARC-Record-ID"),
                        stored,
                        headers.get_header("WARC-IP-Address"),
                        bool(headers.get_header("WARC-Truncated")),
                        run_id,
                    )
                elif (
                    kind == "request"
                    and pending
                    and headers.get_header("WARC-Concurrent-To") == pending.record_id
                ):
                    pending.request_offset, pending.request_length = member.offset, member.length
            except (ArchiveLoadFailed, StopIteration, ValueError, EOFError) as exc:
                lost.append(LostRecord(*where, f"unreadable record ({exc})"))
        if pending:
            yield pending


def _warcinfo_fields(block: bytes) -> dict[str, str]:
    lines = block.decode("utf-8", "replace").splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


def _text_headers(stored: StoredResponse) -> dict[str, str]:
    return {name: value for name, value in stored.http_headers if name.lower() != "content-encoding"}


def reading_of(pool: ExtractorPool, exchange: ArchivedExchange) -> Future:
    """A Future of what the crawl read from this response: None for revisits, redirects and truncated
    bodies (see ``recording.is_read``); answered here when it needs no parsing (an image...); else
    ``read_exchange`` in one of ``pool``'s workers."""
    stored = exchange.response
    if stored.record_type != "response" or not is_read(stored.status or 0, exchange.truncated):
        quick = None
    elif stored.header("Content-Encoding"):  # inflated in the worker, within its budget
        return pool.submit(exchange)
    else:
        quick = read_without_parsing(stored.url, stored.status, stored.payload, _text_headers(stored))
        if quick is None:
            return pool.submit(exchange)
    done: Future = Future()
    done.set_result(quick)
    return done


def read_exchange(exchange: ArchivedExchange) -> Extraction:
    """What the crawl read from this response, one that is read (``reading_of`` answers the rest). Runs
    in a worker process."""
    stored = exchange.response
    try:
        body = stored.decoded_payload()
        return read_response(stored.url, stored.status, body, _text_headers(stored), exchange.site)
    except BodyTooLarge:
        return Extraction(None, "too_large", error=too_large_error(MAX_BODY))
    except Exception as exc:  # noqa: BLE001 (a record that cannot be read is recorded as such)
        log.warning("cannot read %s: %s", stored.url, exc)
        return Extraction(None, "parse_failed", error=f"parse failed: {type(exc).__name__}: {exc}"[:500])


def reading(page: Future) -> Extraction | None:
    """What a worker read of a page, or, when the reading failed (the page killed its worker twice, or
    went past its budget), that failure as the crawl records it."""
    try:
        return page.result()
    except Exception as exc:  # noqa: BLE001 (as the crawl's spider records a reading that failed)
        return Extraction(None, "parse_failed", error=f"parse failed: {type(exc).__name__}: {exc}"[:500])


def _windows(items: Iterator[ArchivedExchange]) -> Iterator[list[ArchivedExchange]]:
    window: list[ArchivedExchange] = []
    for item in items:
        window.append(item)
        if len(window) == WINDOW:
            yield window
            window = []
    if window:
        yield window


def _copy_history(old_db: Path, store: ArchiveStore) -> None:
    """Runs and failed fetches (captures without a record) exist only in the old index: keep them."""
    if not old_db.exists():
        return
    with sqlite3.connect(f"file:{old_db}?mode=ro", uri=True) as old:
        old.row_factory = sqlite3.Row
        try:
            runs = [dict(r) for r in old.execute("select * from runs order by id")]
            failures = old.execute("select * from captures where warc_file is null order by id").fetchall()
        except sqlite3.DatabaseError as exc:  # an empty, foreign or damaged file
            log.warning("the old index could not be read (%s): its runs and failed fetches are not kept", exc)
            return
    store.db["runs"].insert_all(runs, pk="id")
    store.db["captures"].insert_all({k: v for k, v in dict(r).items() if k != "id"} for r in failures)


def reindex(
    paths: ArchivePaths,
    into: Path,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Build a fresh index at ``into`` from the archive's WARC files; return counts (and the ``lost``
    records: what could not be read). ``progress(stage, bytes done, bytes total)`` is told how much
    WARC has been indexed."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{into}{suffix}").unlink(missing_ok=True)
    store = ArchiveStore(open_index(into))
    counts: dict = {"records": 0, "articles": 0, "versions": 0, "lost": []}
    capture_ids = itertools.count(1)  # a fresh index: captures are numbered in WARC order
    total, starts = 0, {}  # bytes of WARC, and where each file starts in them (for ``progress``)
    for path in sorted(paths.warc_dir.glob("*.warc.gz")):
        starts[path.name], total = total, total + path.stat().st_size
    budget = Budget.from_settings(project_settings())
    pool = ExtractorPool(workers or os.cpu_count() or 1, read_exchange, budget)
    try:
        in_flight = None  # one window parses in the pool while the one before is written here
        for window in _windows(iter_exchanges(paths.warc_dir, counts["lost"])):
            parsing = (window, [reading_of(pool, exchange) for exchange in window])
            if in_flight:
                counts["records"] += _write_window(store, capture_ids, *in_flight)
                if progress:
                    last = in_flight[0][-1]
                    progress("reindex", starts[last.warc_file] + last.offset + last.length, total)
            in_flight = parsing
        if in_flight:
            counts["records"] += _write_window(store, capture_ids, *in_flight)
        if progress:
            progress("reindex", total, total)
    finally:
        pool.close()
    with store.db.atomic():
        _copy_history(paths.db, store)
    counts["articles"] = store.db["articles"].count
    counts["versions"] = store.db["article_versions"].count
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.close()
    return counts


def _write_window(
    store: ArchiveStore, capture_ids: Iterator[int], window: list[ArchivedExchange], pages: list[Future]
) -> int:
    extractions = [reading(page) for page in pages]
    with store.db.atomic():
        for exchange, extraction in zip(window, extractions, strict=True):
            _index_exchange(store, exchange, extraction, capture_ids)
    return len(window)


def _index_exchange(
    store: ArchiveStore, exchange: ArchivedExchange, extraction: Extraction | None, capture_ids: Iterator[int]
) -> None:
    stored = exchange.response
    revisit = stored.record_type == "revisit"
    original = store.original_capture(stored.url, stored.payload_digest) if revisit else None
    capture_id = next(capture_ids)
    placement = Placement(
        exchange.warc_file,
        exchange.offset,
        exchange.length,
        exchange.record_id,
        exchange.request_offset,
        exchange.request_length,
    )
    row = capture_row(
        capture_id,
        url=stored.url,
        fetched_at=stored.date,
        status=stored.status,
        headers=stored.http_headers,
        digest=stored.payload_digest,
        ip_address=exchange.ip_address,
        truncated=exchange.truncated,
        placement=placement,
        revisit=revisit,
        refers_to=original[0] if original else None,
        run_id=exchange.run_id,
    )
    store.add_captures([row])
    if revisit:
        facts = [SeenAgain(stored.url, capture_id, stored.date)]
    else:
        site = site_named(exchange.site)
        facts = page_facts(site, stored.url, stored.status or 0, extraction, capture_id, stored.date)
    for fact in facts:
        apply_fact(store, fact, exchange.run_id)


def swap_in(new_db: Path, db: Path) -> None:
    """Replace ``db`` by ``new_db`` atomically (no reader ever sees a half-built index)."""
    if db.exists():
        try:
            with sqlite3.connect(
                db
            ) as old:  # empty the old write-ahead log so it cannot outlive its database
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError:  # a damaged index, being replaced: its log goes with it
            pass
    os.replace(new_db, db)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def rebuild_index(
    paths: ArchivePaths,
    into: Path | None = None,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Reindex the archive into ``into``, or into a new file swapped in for its index when complete.
    The caller holds the archive lock."""
    target = into or paths.db.with_name(paths.db.name + ".reindex")
    counts = reindex(paths, target, workers, progress)
    if into is None:
        swap_in(target, paths.db)
    return counts
