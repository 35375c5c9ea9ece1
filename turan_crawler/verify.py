"""Check that the WARCs and the index agree: digests, offsets, URLs, and every article's capture."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .archiving.paths import ArchivePaths
from .index import IndexUnusable, check_index
from .warc.members import iter_members
from .warc.reader import read_record_at
from .warc.writer import OPEN_SUFFIX


@dataclass
class Report:
    files: int = 0
    records: int = 0
    captures: int = 0
    articles: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_warc_file(path: Path, report: Report, read_to: Callable[[int], None] | None = None) -> None:
    """What ``warcio check`` does (every record's block and payload digests), and every gzip member's
    CRC, in one pass; a damaged member is reported and the check goes on with the next intact one.
    ``read_to(offset)`` is told how far into the file the check is."""
    for member in iter_members(path):
        if read_to:
            read_to(member.offset + member.length)
        if member.problem:
            report.problems.append(f"{path.name}: {member.problem}")
            continue
        try:
            for record in ArchiveIterator(io.BytesIO(member.data), check_digests=True):
                while record.raw_stream.read(1 << 20):  # as received: a gzip body is not inflated
                    pass
                report.records += 1
                if record.digest_checker.passed is False:
                    report.problems.append(
                        f"{path.name} @ {member.offset}: "
                        + "; ".join(map(str, record.digest_checker.problems))
                    )
        except (ArchiveLoadFailed, EOFError, ValueError) as exc:
            report.problems.append(f"{path.name} @ {member.offset}: unreadable record: {exc}")


def verify_archive(paths: ArchivePaths, progress: Callable[[str, int, int], None] | None = None) -> Report:
    """Check the archive; ``progress(stage, bytes done, bytes total)`` is told how much WARC has been read."""
    report = Report()
    warc_dir = paths.warc_dir
    for path in sorted(warc_dir.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        report.problems.append(f"{path.name}: still open (a crawl is running, or one was killed)")
    files = sorted(warc_dir.glob("*.warc.gz"))
    total, before = sum(p.stat().st_size for p in files), 0
    for path in files:
        report.files += 1
        read_to = (lambda end, start=before: progress("WARC files", start + end, total)) if progress else None
        check_warc_file(path, report, read_to)
        before += path.stat().st_size
    db_path = paths.db
    try:
        check_index(db_path)
    except IndexUnusable as exc:
        report.problems.append(str(exc))
        return report
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        done, total = 0, 0
        if progress:
            sql = "select coalesce(sum(warc_length), 0) from captures where warc_file is not null"
            total = conn.execute(sql).fetchone()[0]
        rows = conn.execute(
            "select id, url, payload_digest, warc_file, warc_offset, warc_length, refers_to_capture_id "
            "from captures where warc_file is not null order by warc_file, warc_offset"
        )
        for capture_id, url, digest, warc_file, offset, length, refers_to in rows:
            report.captures += 1
            if progress:
                done += length or 0
                progress("captures' records", done, total)
            path = warc_dir / warc_file
            if not path.exists():
                report.problems.append(f"capture {capture_id}: {warc_file} is missing")
                continue
            try:
                stored = read_record_at(path, offset)
            except (ArchiveLoadFailed, ValueError, OSError, EOFError) as exc:
                report.problems.append(f"capture {capture_id}: no record at {warc_file}:{offset} ({exc})")
                continue
            expected_type = "revisit" if refers_to else "response"
            if (stored.record_type, stored.url, stored.payload_digest) != (expected_type, url, digest):
                report.problems.append(
                    f"capture {capture_id}: {warc_file}:{offset} holds {stored.record_type} {stored.url} "
                    f"{stored.payload_digest}, index says {expected_type} {url} {digest}"
                )
        orphans = conn.execute(
            "select a.id, a.url from articles a left join captures c on c.id = a.capture_id "
            "where c.id is null"
        ).fetchall()
        report.articles = conn.execute("select count(*) from articles").fetchone()[0]
        report.problems += [f"article {aid} ({url}): its capture is not in the index" for aid, url in orphans]
    finally:
        conn.close()
    return report
