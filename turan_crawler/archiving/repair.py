"""Bring an archive back to a consistent state after a crawl was killed (kill -9, power loss, full disk).

Run at the start of every crawl (under the archive lock) and by ``verify --repair``:
1. every ``X.warc.gz.open`` is cut back to its last complete gzip member and renamed ``X.warc.gz``;
2. (``verify --repair`` only: it reads every file) a closed WARC with damaged or truncated members is
   rewritten with its intact members; the original is kept as ``X.warc.gz.damaged`` and the index's
   offsets follow the records that moved;
3. captures whose records did not survive are removed from the index, with the articles and versions
   read from them (their pages are fetched again by the next crawl), and listed in the report;
4. runs that never finished are marked ``killed``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ..clock import utc_now
from ..warc.members import iter_members, scan_members
from ..warc.writer import OPEN_SUFFIX
from .paths import ArchivePaths

log = logging.getLogger(__name__)


DAMAGED_SUFFIX = ".damaged"


@dataclass
class RepairReport:
    closed_files: list[str] = field(default_factory=list)
    bytes_cut: int = 0
    damaged_files: list[str] = field(default_factory=list)
    bytes_dropped: int = 0
    lost: list[tuple[int, str]] = field(default_factory=list)  # (capture id, URL) whose record was lost
    articles_removed: int = 0
    runs_killed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.closed_files or self.damaged_files or self.lost or self.runs_killed)

    def __str__(self) -> str:
        damaged = (
            f"rewrote {len(self.damaged_files)} damaged WARC file(s) without their {self.bytes_dropped} "
            f"unreadable bytes (originals kept as *{DAMAGED_SUFFIX}), "
            if self.damaged_files
            else ""
        )
        return (
            f"closed {len(self.closed_files)} unfinished WARC file(s) ({self.bytes_cut} bytes of incomplete "
            f"records cut), {damaged}removed {len(self.lost)} capture(s) and {self.articles_removed} "
            f"article(s) whose records were lost, marked {self.runs_killed} run(s) killed"
        )


def close_open_warcs(warc_dir: Path, db: sqlite_utils.Database, report: RepairReport) -> list[int]:
    """Cut each ``.open`` file back to its last complete member and rename it; the captures lost."""
    lost: list[int] = []
    for path in sorted(warc_dir.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        scan = scan_members(path)
        size = path.stat().st_size
        if scan.complete_end < size:
            with open(path, "r+b") as fh:
                fh.truncate(scan.complete_end)
                os.fsync(fh.fileno())
            report.bytes_cut += size - scan.complete_end
        final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
        if scan.members:
            os.replace(path, final)
            report.closed_files.append(final.name)
        else:
            path.unlink()
        lost += [
            row[0]
            for row in db.execute(
                "select id from captures where warc_file = ? and warc_offset + warc_length > ?",
                [final.name, scan.complete_end],
            )
        ]
    return lost


def rewrite_damaged_warcs(warc_dir: Path, db: sqlite_utils.Database, report: RepairReport) -> list[int]:
    """Rewrite each closed file that has damaged members with its intact ones; the captures lost."""
    lost: list[int] = []
    for path in sorted(warc_dir.glob("*.warc.gz")):
        members = list(iter_members(path, keep_data=False))  # inflated once: checked, then copied
        if not any(member.problem for member in members):
            continue
        moved: dict[int, int] = {}  # old offset -> new offset of each intact member
        repaired = path.with_name(path.name + ".repairing")
        with open(path, "rb") as src, open(repaired, "wb") as dst:
            for member in members:
                if member.problem:
                    report.bytes_dropped += member.length
                    continue
                src.seek(member.offset)
                moved[member.offset] = dst.tell()
                dst.write(src.read(member.length))
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(path, path.with_name(path.name + DAMAGED_SUFFIX))
        os.replace(repaired, path)
        report.damaged_files.append(path.name)
        rows = db.execute(
            "select id, warc_offset, request_offset from captures where warc_file = ?", [path.name]
        ).fetchall()
        with db.atomic():
            for capture_id, offset, request_offset in rows:
                if offset not in moved:
                    lost.append(capture_id)
                    continue
                db.execute(
                    "update captures set warc_offset = ?, request_offset = ?, request_length = "
                    "case when ? is null then null else request_length end where id = ?",
                    [moved[offset], moved.get(request_offset), moved.get(request_offset), capture_id],
                )
    return lost


def repair_archive(paths: ArchivePaths, db: sqlite_utils.Database, damaged: bool = False) -> RepairReport:
    """Repair the archive at ``paths`` whose index is ``db`` (``damaged``: also rewrite closed files with
    damaged members, which reads every file). The caller holds the archive lock."""
    report = RepairReport()
    lost = close_open_warcs(paths.warc_dir, db, report)
    if damaged:
        lost += rewrite_damaged_warcs(paths.warc_dir, db, report)
    with db.atomic():
        if lost:
            marks = ", ".join("?" * len(lost))
            report.lost = db.execute(f"select id, url from captures where id in ({marks})", lost).fetchall()
            articles = [
                r[0] for r in db.execute(f"select id from articles where capture_id in ({marks})", lost)
            ]
            if articles:
                article_marks = ", ".join("?" * len(articles))
                db["article_versions"].delete_where(f"article in ({article_marks})", articles)
                db["articles"].delete_where(f"id in ({article_marks})", articles)
            db["article_versions"].delete_where(f"capture_id in ({marks})", lost)
            db["captures"].delete_where(f"id in ({marks})", lost)
            report.articles_removed = len(articles)
        for (run_id,) in db.execute("select id from runs where finished_at is null").fetchall():
            db["runs"].update(run_id, {"finished_at": utc_now(), "finish_reason": "killed"})
            report.runs_killed += 1
    if report.changed and not damaged:  # verify --repair prints its own report
        log.warning("repaired the archive: %s", report)
    return report
