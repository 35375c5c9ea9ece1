"""The rotating WARC writer: one gzip member per record, `.open` while written, a warcinfo record at the
head of every file, rollover at the size limit, and records found again at the offsets it returns."""

from __future__ import annotations

import random
import subprocess

import pytest
from conftest import BIN, story_exchange
from warcio.archiveiterator import ArchiveIterator

from turan_crawler.warc.reader import read_record_at
from turan_crawler.warc.records import Exchange, build_records
from turan_crawler.warc.writer import OPEN_SUFFIX, RotatingWarcWriter


def exchange(n: int) -> Exchange:
    return story_exchange(
        n,
        f"<html><body><p>Story {n}</p>".encode() + random.Random(n).randbytes(5000),
        fetched_at=f"2026-01-14T10:00:{n:02d}.000000Z",
    )  # incompressible


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


def test_a_full_disk_fails_the_write_that_fills_it_and_the_file_still_closes_whole(small_disk):
    """Records are written unbuffered: the record that does not fit is cut back at once, and closing
    the file has nothing left to write (a buffered tail used to fail close() and leave an .open file)."""
    writer = RotatingWarcWriter(small_disk, "test", max_size=10**9, info={})
    placed = []
    with pytest.raises(OSError, match="No space left on device"):
        for n in range(10_000):
            placed += writer.write(build_records(writer.builder, exchange(n % 60)))
            name, offset, length = placed[-1]
            assert (small_disk / (name + OPEN_SUFFIX)).stat().st_size == offset + length  # on disk already
    writer.close()
    assert not list(small_disk.glob(f"*{OPEN_SUFFIX}"))
    (warc,) = small_disk.glob("test-*.warc.gz")
    assert subprocess.run([BIN / "warcio", "check", warc], capture_output=True).returncode == 0
    assert len(placed) > 100
    name, offset, length = placed[-1]
    assert warc.stat().st_size == offset + length  # ends with the last record written whole
    assert read_record_at(warc, placed[-2][1]).url == exchange((len(placed) // 2 - 1) % 60).url
