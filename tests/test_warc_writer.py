"""The rotating WARC writer: one gzip member per record, `.open` while written, a warcinfo record at the
head of every file, rollover at the size limit, and records found again at the offsets it returns."""

from __future__ import annotations

import random

from warcio.archiveiterator import ArchiveIterator

from turan_crawler.warc.reader import read_record_at
from turan_crawler.warc.records import Exchange, build_records
from turan_crawler.warc.writer import OPEN_SUFFIX, RotatingWarcWriter


def exchange(n: int) -> Exchange:
    return Exchange(
        url=f"https://turan.az/en/politics/story-{790000 + n}",
        method="GET",
        request_headers=[("User-Agent", "test")],
        status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=f"<html><body><p>Story {n}</p>".encode() + random.Random(n).randbytes(5000),  # incompressible
        fetched_at=f"2026-01-14T10:00:{n:02d}.000000Z",
    )


def test_files_roll_over_at_the_limit_each_opening_with_warcinfo(tmp_path):
    writer = RotatingWarcWriter(tmp_path, "test", max_size=12_000, info={"software": "tests"})
    placed = []
    for n in range(6):
        records = build_records(writer.builder, exchange(n))
        placed.append(writer.write(records)[0])
        assert list(tmp_path.glob(f"*{OPEN_SUFFIX}")), "the file being written carries .open"
    writer.close()
    files = sorted(tmp_path.glob("test-*.warc.gz"))
    assert len(files) >= 3 and not list(tmp_path.glob(f"*{OPEN_SUFFIX}"))
    for path in files:
        with open(path, "rb") as fh:
            assert next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"
    for n, (name, offset, _length) in enumerate(placed):
        stored = read_record_at(tmp_path / name, offset)
        assert stored.record_type == "response" and stored.url == exchange(n).url
        assert stored.payload == exchange(n).body


def test_a_file_is_not_rolled_before_it_reaches_the_limit(tmp_path):
    writer = RotatingWarcWriter(tmp_path, "test", max_size=10**9, info={})
    for n in range(5):
        writer.write(build_records(writer.builder, exchange(n)))
    writer.close()
    assert len(list(tmp_path.glob("test-*.warc.gz"))) == 1
