"""`verify`: each capture is checked against what one pass over the WARC files found at its offset, so
the archive is read once, however many captures it has."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from turan_crawler.archiving.paths import ArchivePaths
from turan_crawler.verify import verify_archive


def bytes_read() -> int:
    """What this process has read from files so far (Linux's count of read and pread bytes)."""
    with open("/proc/self/io") as io_counts:
        return next(int(line.split()[1]) for line in io_counts if line.startswith("rchar:"))


def test_verify_reads_the_warc_files_once(history_archive):
    paths = ArchivePaths.at(history_archive)
    warc_bytes = sum(p.stat().st_size for p in paths.warc_dir.glob("*.warc.gz"))
    index_bytes = sum(p.stat().st_size for p in history_archive.glob("turan.db*"))
    before = bytes_read()
    report = verify_archive(paths)
    assert report.ok and report.captures > 100, report.problems
    assert bytes_read() - before < 1.3 * warc_bytes + index_bytes


def test_a_capture_that_points_to_another_record_is_reported(history_archive, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(history_archive, archive)
    with sqlite3.connect(archive / "turan.db") as conn:
        (a, a_file, a_offset), (b, b_file, b_offset) = conn.execute(
            "select id, warc_file, warc_offset from captures where outcome = 'ok' order by id limit 2"
        ).fetchall()
        conn.execute("update captures set warc_offset = ? where id = ?", [b_offset, a])
        conn.execute("update captures set warc_offset = ? where id = ?", [a_offset, b])
    report = verify_archive(ArchivePaths.at(archive))
    said = [p for p in report.problems if "holds another record than the index says" in p]
    assert sorted(p.split(":")[0] for p in said) == sorted([f"capture {a}", f"capture {b}"])
    assert f"capture {a}: {b_file}:{b_offset} holds" in " ".join(said)
    assert len(report.problems) == 2, report.problems


def test_a_capture_whose_file_is_gone_is_reported(history_archive, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(history_archive, archive)
    gone = sorted((archive / "warc").glob("*.warc.gz"))[-1]
    gone.unlink()
    with sqlite3.connect(archive / "turan.db") as conn:
        lost = conn.execute("select count(*) from captures where warc_file = ?", [gone.name]).fetchone()[0]
    report = verify_archive(ArchivePaths.at(Path(archive)))
    assert (
        lost
        and [p for p in report.problems if p.endswith(f"{gone.name} is missing")] == report.problems[:lost]
    )
