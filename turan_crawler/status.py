"""What an archive holds and how it is doing: the facts behind ``turan-crawler status``, for the person
who inherits an archive or reads a cron mail, and for a monitoring check (its exit code).

Cheap on a big archive: every figure comes from an index or a few rows (articles per language and
captures per outcome are scans of narrow indexes, the publication range two index look-ups, the runs
the last rows by id); nothing reads article bodies, nothing counts what has no index (removed articles:
a full scan, 3.5 s). On a synthetic 3.2 GiB index of 1,000,000 articles and 1,200,000 captures
(``benchmarks/status.py``) the queries take 0.2-0.5 s, the whole command ~2 s, of which ~1.4 s is starting
Python and importing Scrapy (2-core machine, busy with other work).

It also keeps the result of the last ``verify``: ``ARCHIVE/verify.json`` (time, ok, problem count,
the first problems). A file beside the index rather than a table in it, because ``verify`` reads the
index without writing it (and may find it damaged: the finding must still be kept), and because
``reindex`` builds a new index from the WARCs and would drop a table it does not know of.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .archiving.lock import ArchiveLock
from .archiving.paths import ArchivePaths
from .archiving.runs import FINISHED_REASONS, run_summary
from .clock import utc_now
from .index import check_index
from .index.schema import unusable
from .warc.writer import OPEN_SUFFIX

VERIFY_FILE = "verify.json"
RUNS_SHOWN = 5
PROBLEMS_SHOWN = 5


# -- verify's record ------------------------------------------------------------------------------
def record_verification(
    paths: ArchivePaths, report, seconds: float, repaired: str | None = None, during_run: bool = False
) -> None:
    """Keep what ``verify`` found (``report``: a ``verify.Report``) in ARCHIVE/verify.json, atomically."""
    record = {
        "finished_at": utc_now(),
        "ok": report.ok,
        "problems": len(report.problems),
        # a run held the archive meanwhile: its unfinished WARC file and the captures in it show as
        # problems, so the result is no verdict on the archive
        "during_run": during_run,
        "first_problems": report.problems[:10],
        "files": report.files,
        "records": report.records,
        "captures": report.captures,
        "articles": report.articles,
        "seconds": round(seconds, 1),
        "repaired": repaired,
    }
    target = paths.root / VERIFY_FILE
    partial = target.with_name(target.name + ".part")
    partial.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, target)


def last_verification(paths: ArchivePaths) -> dict | None:
    """The last ``verify``'s record, None when none was kept; an unreadable file reads as a failure."""
    try:
        record = json.loads((paths.root / VERIFY_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        return {"finished_at": None, "ok": False, "problems": 1, "first_problems": [f"unreadable: {exc}"]}
    return record if isinstance(record, dict) else None


# -- the lock -------------------------------------------------------------------------------------
@dataclass
class LockState:
    held: bool  # a live process holds the archive's lock now
    holder: str | None  # what ARCHIVE/.lock says (``pid N, started T``); a dead holder's words stay


def lock_state(paths: ArchivePaths) -> LockState:
    """Is a run going on? Tests the ``flock`` with a shared, non-blocking lock dropped at once (a run
    starting in that instant would be told the archive is busy: a window of microseconds)."""
    try:
        fd = os.open(paths.lock_file, os.O_RDONLY)
    except FileNotFoundError:
        return LockState(False, None)
    try:
        holder = ArchiveLock(paths.root).holder()
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return LockState(True, holder)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return LockState(False, holder)
    finally:
        os.close(fd)


# -- the archive ----------------------------------------------------------------------------------
def _seconds(started: str | None, finished: str | None) -> float | None:
    try:
        return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
    except (TypeError, ValueError):
        return None


def _warc_files(paths: ArchivePaths) -> dict:
    closed, open_, damaged, size = 0, [], 0, 0
    if paths.warc_dir.is_dir():
        for entry in os.scandir(paths.warc_dir):
            if entry.name.endswith(".warc.gz"):
                closed += 1
                size += entry.stat().st_size
            elif entry.name.endswith(".warc.gz" + OPEN_SUFFIX):
                open_.append(entry.name)
                size += entry.stat().st_size
            elif entry.name.endswith(".damaged"):
                damaged += 1
    return {"files": closed, "bytes": size, "open": sorted(open_), "damaged_originals": damaged}


def _run_row(row: sqlite3.Row) -> dict:
    run = dict(zip(row.keys(), row, strict=True))
    run["seconds"] = _seconds(row["started_at"], row["finished_at"])
    return run


def _queries(conn: sqlite3.Connection, lock: LockState) -> dict:
    def one(sql: str, *args) -> tuple:
        return conn.execute(sql, args).fetchone()

    by_lang = {
        lang or "?": n for lang, n in conn.execute("select lang, count(*) from articles group by lang")
    }
    outcomes = {
        o or "?": n for o, n in conn.execute("select outcome, count(*) from captures group by outcome")
    }
    first_pub = one("select min(published_at) from articles")[0]
    last_pub = one("select max(published_at) from articles")[0]
    first_capture = one("select fetched_at from captures order by id limit 1")
    last_capture = one("select fetched_at from captures order by id desc limit 1")
    runs = [_run_row(r) for r in conn.execute(f"select * from runs order by id desc limit {RUNS_SHOWN}")]
    unfinished = [
        _run_row(r) for r in conn.execute("select * from runs where finished_at is null order by id")
    ]
    last = conn.execute(
        "select * from runs where finished_at is not null order by id desc limit 1"
    ).fetchone()
    last_run = _last_run(conn, _run_row(last)) if last else None
    # the run going on now: an unfinished row of the process that holds the lock
    holder_pid = re.match(r"pid (\d+)", lock.holder or "") if lock.held else None
    running = next((r for r in unfinished if holder_pid and r.get("pid") == int(holder_pid[1])), None)
    if running:
        running["captures_so_far"] = one("select count(*) from captures where run_id = ?", running["id"])[0]
    return {
        "articles": {
            "total": sum(by_lang.values()),
            "by_lang": dict(sorted(by_lang.items(), key=lambda kv: -kv[1])),
            "versions": one("select count(*) from article_versions")[0],
            "first_published": first_pub,
            "last_published": last_pub,
        },
        "captures": {
            "total": sum(outcomes.values()),
            "by_outcome": dict(sorted(outcomes.items(), key=lambda kv: -kv[1])),
            "first_fetched": first_capture[0] if first_capture else None,
            "last_fetched": last_capture[0] if last_capture else None,
        },
        "runs": runs,
        "unfinished_runs": [r for r in unfinished if r is not running],
        "running": running,
        "last_run": last_run,
    }


def _last_run(conn: sqlite3.Connection, run: dict) -> dict:
    """The last finished run, whether it failed, and its blocked and failed fetches (from ``captures``:
    a killed run's row has no counts)."""
    rows = conn.execute(
        "select outcome, status, count(*) from captures where run_id = ? and outcome in ('blocked', 'error') "
        "group by outcome, status order by count(*) desc",
        [run["id"]],
    ).fetchall()
    run["problems"] = [{"outcome": o, "status": s, "count": n} for o, s, n in rows]
    examples: dict[str, dict] = {}  # the last few, one per URL (a retried page fails several times)
    for outcome, status, url, error in conn.execute(
        "select outcome, status, url, error from captures where run_id = ? "
        f"and outcome in ('blocked', 'error') order by id desc limit {PROBLEMS_SHOWN * 4}",
        [run["id"]],
    ):
        examples.setdefault(url, {"outcome": outcome, "status": status, "url": url, "error": error})
    run["problem_examples"] = list(examples.values())[:PROBLEMS_SHOWN]
    run["failed"] = not run_summary(conn, run["id"], run["finish_reason"]).succeeded  # as its exit code said
    return run


def _index_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())


def archive_status(paths: ArchivePaths) -> dict:
    """Everything ``status`` shows, as plain data, with ``healthy`` and the ``problems`` that make it
    not. IndexUnusable when the index is missing or cannot be read."""
    check_index(paths.db)
    lock = lock_state(paths)
    try:
        conn = sqlite3.connect(f"file:{paths.db}?mode=ro", uri=True)
    except sqlite3.DatabaseError as exc:
        raise unusable(paths.db, f"damaged or not an index ({exc})") from None
    conn.row_factory = sqlite3.Row
    try:
        facts = _queries(conn, lock)
    except sqlite3.DatabaseError as exc:  # a page damaged past what check_index reads
        raise unusable(paths.db, f"damaged or not an index ({exc})") from None
    finally:
        conn.close()
    status = {
        "archive": str(paths.root),
        "checked_at": utc_now(),
        "index": {"path": str(paths.db), "bytes": _index_bytes(paths.db)},
        "warc": _warc_files(paths),
        **facts,
        "lock": {"held": lock.held, "holder": lock.holder},
        "last_verify": last_verification(paths),
    }
    status["problems"] = problems(status)
    status["healthy"] = not status["problems"]
    return status


def problems(status: dict) -> list[str]:
    """What makes the archive unhealthy, one sentence each (empty: healthy)."""
    found = []
    running = status["lock"]["held"]
    last = status["last_run"]
    if last and last["failed"]:
        found.append(
            f"the last run ({last['id']}, {last['command']}) failed: "
            + (
                f"it ended '{last['finish_reason']}'"
                if last["finish_reason"] not in FINISHED_REASONS
                else "nothing but errors and challenge pages was fetched"
            )
        )
    if status["warc"]["open"] and not running:
        found.append(
            f"{len(status['warc']['open'])} WARC file(s) left open by a run that is gone: "
            "run `turan-crawler verify --repair`"
        )
    if status["unfinished_runs"]:
        ids = ", ".join(str(r["id"]) for r in status["unfinished_runs"])
        found.append(f"run(s) {ids} never finished (killed?): run `turan-crawler verify --repair`")
    verify = status["last_verify"]
    if verify and not verify.get("ok") and not verify.get("during_run"):
        found.append(
            f"the last verify ({verify.get('finished_at') or 'time unknown'}) found "
            f"{verify.get('problems', '?')} problem(s): see `turan-crawler verify`, then `verify --repair`"
        )
    return found
