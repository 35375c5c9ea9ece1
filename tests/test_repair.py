"""`verify --repair` on a closed WARC file with a damaged record: the file is rewritten with its intact
records, the index follows them, and the file is read once to be checked and once to be copied."""

from __future__ import annotations

import io
import random

from conftest import story_exchange
from warcio.archiveiterator import ArchiveIterator

from turan_crawler.archiving.paths import ArchivePaths
from turan_crawler.archiving.repair import repair_archive
from turan_crawler.index import open_index
from turan_crawler.warc.members import CHUNK, iter_members
from turan_crawler.warc.records import Exchange, build_records
from turan_crawler.warc.writer import RotatingWarcWriter


def exchange(n: int) -> Exchange:
    return story_exchange(n, random.Random(n).randbytes(4000))


def bytes_read() -> int:
    """What this process has read from files so far (Linux's count of read and pread bytes)."""
    with open("/proc/self/io") as io_counts:
        return next(int(line.split()[1]) for line in io_counts if line.startswith("rchar:"))


def test_a_damaged_closed_file_is_rewritten_with_its_intact_records_reading_it_twice(tmp_path):
    paths = ArchivePaths(tmp_path)
    writer = RotatingWarcWriter(paths.warc_dir, "turan", max_size=10**9, info={"software": "tests"})
    db = open_index(paths.db)
    for n in range(100):
        (name, offset, length), (_, request_offset, request_length) = writer.write(
            build_records(writer.builder, exchange(n))
        )
        db["captures"].insert(
            {
                "id": n + 1,
                "url": exchange(n).url,
                "outcome": "ok",
                "warc_file": name,
                "warc_offset": offset,
                "warc_length": length,
                "request_offset": request_offset,
                "request_length": request_length,
            }
        )
    writer.close()
    warc = paths.warc_dir / name
    damaged = db.execute("select warc_offset, warc_length from captures where id = 40").fetchone()
    data = bytearray(warc.read_bytes())
    data[damaged[0] + damaged[1] // 2] ^= 0xFF
    warc.write_bytes(bytes(data))

    before = bytes_read()
    report = repair_archive(paths, db, damaged=True)
    # checked once and copied once, plus a few reads where it looks for the next intact record
    assert bytes_read() - before < 2 * len(data) + 4 * CHUNK

    assert report.damaged_files == [name] and report.lost == [(40, exchange(39).url)]
    assert (paths.warc_dir / (name + ".damaged")).read_bytes() == data
    records = {}
    for member in iter_members(warc):
        assert member.problem is None
        record = next(iter(ArchiveIterator(io.BytesIO(member.data))))
        records[member.offset] = (record.rec_type, record.rec_headers.get_header("WARC-Target-URI"))
    rows = db.execute("select url, warc_offset, request_offset from captures order by id").fetchall()
    assert len(rows) == 99
    assert all(records[offset] == ("response", url) for url, offset, _ in rows)
    assert all(records[request] == ("request", url) for url, _, request in rows)
