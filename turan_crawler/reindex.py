"""Rebuild the index from the WARC files alone, with the current parser (DESIGN.md, principle 1).

Records are read in capture order (files sort by time; records by offset) so article versions come out
as they did in the crawl. Parsing, the costly part, runs in a pool of processes over bounded windows of
records; everything is written by this process through the same ``ArchiveStore.apply`` the crawl uses.
Memory does not grow with the archive.
"""

from __future__ import annotations

import itertools
import logging
import os
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from .extract import Extraction, extract
from .facts import page_items, verdict
from .index import ArchiveStore, open_index
from .index.store import outcome_for
from .items import ArticleRemoved
from .siteconfig import parse_article_url
from .warc.reader import StoredResponse, stored_response

log = logging.getLogger(__name__)
WINDOW = 64  # records parsed together; bounds memory


@dataclass
class ArchivedExchange:
    """A response or revisit record with where it lies and its request record."""

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


def iter_exchanges(warc_dir: Path) -> Iterator[ArchivedExchange]:
    """Every response/revisit record of every closed file, in capture order, with its request record."""
    for path in sorted(Path(warc_dir).glob("*.warc.gz")):
        run_id, pending = None, None
        with open(path, "rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                kind, headers = record.rec_type, record.rec_headers
                if kind == "warcinfo":
                    info = record.content_stream().read().decode("utf-8", "replace")
                    run_id = next(
                        (
                            int(line.split(":", 1)[1])
                            for line in info.splitlines()
                            if line.startswith("turan-run:")
                        ),
                        None,
                    )
                elif kind in ("response", "revisit"):
                    stored = stored_response(record)
                    if pending:
                        yield pending
                    pending = ArchivedExchange(
                        path.name,
                        records.get_record_offset(),
                        records.get_record_length(),
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
                    record.content_stream().read()
                    pending.request_offset, pending.request_length = (
                        records.get_record_offset(),
                        records.get_record_length(),
                    )
        if pending:
            yield pending


def _text_headers(stored: StoredResponse) -> dict[str, str]:
    return {name: value for name, value in stored.http_headers if name.lower() != "content-encoding"}


def read_exchange(exchange: ArchivedExchange, site: str) -> Extraction | None:
    """The parsed page of a complete response (200, or an error page that may be a challenge); None for
    revisits, redirects and truncated bodies, which the crawl does not read either. Runs in a worker."""
    stored = exchange.response
    readable = stored.status == 200 or (stored.status or 0) >= 400
    if stored.record_type != "response" or not readable or exchange.truncated:
        return None
    try:
        body = stored.decoded_payload()
    except Exception as exc:  # noqa: BLE001 (a payload that does not decode is simply not read)
        log.warning("cannot decode %s: %s", stored.url, exc)
        return None
    return extract(stored.url, body, _text_headers(stored), site)


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
            store.db["runs"].insert_all(
                (dict(r) for r in old.execute("select * from runs order by id")), pk="id"
            )
            failures = old.execute("select * from captures where warc_file is null order by id").fetchall()
        except sqlite3.OperationalError:  # an empty or foreign file
            return
    store.db["captures"].insert_all({k: v for k, v in dict(r).items() if k != "id"} for r in failures)


def reindex(archive: Path, into: Path, site: str = "turan", workers: int | None = None) -> dict[str, int]:
    """Build a fresh index at ``into`` from ``archive``'s WARC files; return counts."""
    archive = Path(archive)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{into}{suffix}").unlink(missing_ok=True)
    store = ArchiveStore(open_index(into))
    counts = {"records": 0, "articles": 0, "versions": 0}
    capture_ids = itertools.count(1)  # a fresh index: captures are numbered in WARC order
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        in_flight = None  # one window parses in the pool while the one before is written here
        for window in _windows(iter_exchanges(archive / "warc")):
            parsing = (window, pool.map(read_exchange, window, [site] * len(window)))
            if in_flight:
                counts["records"] += _write_window(store, capture_ids, *in_flight)
            in_flight = parsing
        if in_flight:
            counts["records"] += _write_window(store, capture_ids, *in_flight)
    with store.db.atomic():
        _copy_history(archive / "turan.db", store)
    counts["articles"] = store.db["articles"].count
    counts["versions"] = store.db["article_versions"].count
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.close()
    return counts


def _write_window(
    store: ArchiveStore, capture_ids: Iterator[int], window: list[ArchivedExchange], parsed
) -> int:
    with store.db.atomic():
        for exchange, extraction in zip(window, parsed, strict=True):
            _index_exchange(store, exchange, extraction, capture_ids)
    return len(window)


def _index_exchange(
    store: ArchiveStore, exchange: ArchivedExchange, extraction: Extraction | None, capture_ids: Iterator[int]
) -> None:
    stored = exchange.response
    revisit = stored.record_type == "revisit"
    original = store.original_capture(stored.url, stored.payload_digest) if revisit else None
    outcome, error = outcome_for(stored.status or 0, stored.http_headers, exchange.truncated, revisit)
    capture_id = next(capture_ids)
    store.add_capture(
        {
            "id": capture_id,
            "url": stored.url,
            "fetched_at": stored.date,
            "status": stored.status,
            "outcome": outcome,
            "content_type": stored.header("Content-Type"),
            "payload_digest": stored.payload_digest,
            "warc_file": exchange.warc_file,
            "warc_offset": exchange.offset,
            "warc_length": exchange.length,
            "warc_record_id": exchange.record_id,
            "request_offset": exchange.request_offset,
            "request_length": exchange.request_length,
            "refers_to_capture_id": original[0] if original else None,
            "ip_address": exchange.ip_address,
            "truncated": int(exchange.truncated),
            "run_id": exchange.run_id,
            "error": error,
        }
    )
    if revisit:
        store.saw_again(stored.url, capture_id, stored.date)
    elif stored.status in (404, 410) and parse_article_url(stored.url):
        store.apply(ArticleRemoved(stored.url, stored.status, stored.date), exchange.run_id)
    if extraction is None:
        return
    outcome_item = verdict(extraction, capture_id, stored.status or 0)
    if stored.status != 200:  # the crawl reads an HTTP error page only to tell a challenge
        items = [outcome_item] if outcome_item and outcome_item.outcome == "blocked" else []
    else:
        items = (
            [outcome_item] if outcome_item else page_items(stored.url, extraction, capture_id, stored.date)
        )
    for item in items:
        store.apply(item, exchange.run_id)


def swap_in(new_db: Path, db: Path) -> None:
    """Replace ``db`` by ``new_db`` atomically (no reader ever sees a half-built index)."""
    if db.exists():
        with sqlite3.connect(db) as old:  # empty the old write-ahead log so it cannot outlive its database
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(new_db, db)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
