"""The gzip members of a .warc.gz file: each found where the writer put it, the file read once, damage
reported and stepped over."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import story_exchange

from turan_crawler.warc.members import iter_members, scan_members
from turan_crawler.warc.records import Exchange, build_records
from turan_crawler.warc.writer import RotatingWarcWriter


def exchange(n: int) -> Exchange:
    return story_exchange(n, random.Random(n).randbytes(3000 + 97 * n))  # incompressible, of many sizes


@pytest.fixture
def warc(tmp_path) -> tuple[Path, list[tuple[int, int]]]:
    """A file of 400 records, and the (offset, length) the writer gave each (warcinfo first)."""
    writer = RotatingWarcWriter(tmp_path, "test", max_size=10**9, info={"software": "tests"})
    placed = []
    for n in range(200):
        placed += [
            (offset, length) for _, offset, length in writer.write(build_records(writer.builder, exchange(n)))
        ]
    writer.close()
    (path,) = tmp_path.glob("test-*.warc.gz")
    return path, [(0, placed[0][0]), *placed]


def bytes_read() -> int:
    """What this process has read from files so far (Linux's count of read and pread bytes)."""
    with open("/proc/self/io") as io:
        return next(int(line.split()[1]) for line in io if line.startswith("rchar:"))


def test_every_member_is_found_where_the_writer_put_it(warc):
    path, placed = warc
    members = list(iter_members(path))
    assert [(m.offset, m.length) for m in members] == placed
    assert all(m.problem is None and m.data.startswith(b"WARC/1.1\r\n") for m in members)


def test_a_scan_keeps_no_data_and_finds_the_same_members(warc):
    path, placed = warc
    members = list(iter_members(path, keep_data=False))
    assert [(m.offset, m.length) for m in members] == placed
    assert all(m.data is None and m.problem is None for m in members)
    assert scan_members(path).members == len(placed)


def test_a_file_is_read_once_not_once_per_member(warc):
    path, _ = warc
    before = bytes_read()
    scan_members(path)
    assert bytes_read() - before < 1.2 * path.stat().st_size


def test_a_damaged_member_is_reported_and_every_member_after_it_is_read(warc):
    path, placed = warc
    offset, length = placed[101]
    data = bytearray(path.read_bytes())
    data[offset + length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    members = list(iter_members(path))
    assert [(m.offset, m.length) for m in members] == placed
    damaged = [m for m in members if m.problem]
    assert [m.offset for m in damaged] == [offset] and damaged[0].data is None
    assert damaged[0].problem.startswith(f"damaged gzip member at offset {offset}")
    assert scan_members(path).problem == damaged[0].problem
