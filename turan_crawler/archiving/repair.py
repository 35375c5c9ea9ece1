"""Bring an archive back to a consistent state after a crawl was killed (kill -9, power loss, full disk).

Run at the start of every crawl (under the archive lock) and by ``verify --repair``:
1. every ``X.warc.gz.open`` is cut back to its last complete gzip member and renamed ``X.warc.gz``;
2. captures whose records did not survive in those files are removed from the index, with the articles
   and versions read from them (their pages are fetched again by the next crawl);
3. runs that never finished are marked ``killed``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ..clock import utc_now
from ..warc.members import scan_members
from ..warc.writer import OPEN_SUFFIX
from .paths import ArchivePaths

log = logging.getLogger(__name__)


@dataclass
class RepairReport:
    closed_files: list[str] = field(default_factory=list)
    bytes_cut: int = 0
    captures_removed: int = 0
    articles_removed: int = 0
    runs_killed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.closed_files or self.captures_removed or self.runs_killed)

    def __str__(self) -> str:
        return (
            f"closed {len(self.closed_files)} unfinished WARC file(s) ({self.bytes_cut} bytes of incomplete "
            f"records cut), removed {self.captures_removed} capture(s) and {self.articles_removed} "
            f"article(s) whose records were lost, marked {self.runs_killed} run(s) killed"
        )


def close_open_warcs(warc_dir: Path, report: RepairReport) -> dict[str, int]:
    """Cut each ``.open`` file back to its last complete member and rename it; {file name: new size}."""
    sizes = {}
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
        sizes[final.name] = scan.complete_end
    return sizes


def repair_archive(paths: ArchivePaths, db: sqlite_utils.Database) -> RepairReport:
    """Repair the archive at ``paths`` whose index is ``db``. The caller holds the archive lock."""
    report = RepairReport()
    sizes = close_open_warcs(paths.warc_dir, report)
    lost: list[int] = []
    for name, size in sizes.items():
        lost += [
            row[0]
            for row in db.execute(
                "select id from captures where warc_file = ? and warc_offset + warc_length > ?", [name, size]
            )
        ]
    with db.atomic():
        if lost:
            marks = ", ".join("?" * len(lost))
            articles = [
                r[0] for r in db.execute(f"select id from articles where capture_id in ({marks})", lost)
            ]
            if articles:
                article_marks = ", ".join("?" * len(articles))
                db["article_versions"].delete_where(f"article in ({article_marks})", articles)
                db["articles"].delete_where(f"id in ({article_marks})", articles)
            db["article_versions"].delete_where(f"capture_id in ({marks})", lost)
            db["captures"].delete_where(f"id in ({marks})", lost)
            report.captures_removed, report.articles_removed = len(lost), len(articles)
        for (run_id,) in db.execute("select id from runs where finished_at is null").fetchall():
            db["runs"].update(run_id, {"finished_at": utc_now(), "finish_reason": "killed"})
            report.runs_killed += 1
    if report.changed:
        log.warning("repaired the archive after an interrupted run: %s", report)
    return report
