"""Reading one record back by its offset: bounded like every other read of the archive, and a clear error
for what cannot be read."""

from __future__ import annotations

import pytest
from zlib_ng import zlib_ng

from turan_crawler.warc.limits import MAX_MEMBER
from turan_crawler.warc.reader import RecordUnreadable, is_too_large_error, read_record_at, too_large_error


def gzip_member(data: bytes) -> bytes:
    compressor = zlib_ng.compressobj(1, zlib_ng.DEFLATED, 16 + zlib_ng.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def warc_record(url: str, block: bytes) -> bytes:
    head = (
        f"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: {url}\r\nContent-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def test_a_record_is_read_back_from_its_offset(tmp_path):
    first = gzip_member(warc_record("https://turan.az/a", b"first"))
    path = tmp_path / "x.warc.gz"
    path.write_bytes(first + gzip_member(warc_record("https://turan.az/b", b"second")))
    stored = read_record_at(path, len(first))
    assert (stored.record_type, stored.url, stored.payload) == ("resource", "https://turan.az/b", b"second")


def test_a_member_that_inflates_beyond_the_bound_is_refused_not_inflated(tmp_path):
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(gzip_member(warc_record("https://turan.az/bomb", bytes(MAX_MEMBER + 1024))))
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(RecordUnreadable, match=f"inflates beyond {MAX_MEMBER} bytes"):
        read_record_at(path, 0)


def test_a_damaged_member_or_an_offset_inside_one_is_a_clear_error(tmp_path):
    member = bytearray(gzip_member(warc_record("https://turan.az/a", b"text " * 1000)))
    path = tmp_path / "x.warc.gz"
    path.write_bytes(bytes(member))
    with pytest.raises(RecordUnreadable, match="no intact record at x.warc.gz:7: damaged gzip member"):
        read_record_at(path, 7)
    member[len(member) // 2] ^= 0xFF
    path.write_bytes(bytes(member))
    with pytest.raises(RecordUnreadable, match="no intact record at x.warc.gz:0: damaged gzip member"):
        read_record_at(path, 0)


def test_a_too_large_verdict_is_known_whatever_limit_it_names():
    assert is_too_large_error(too_large_error()) and is_too_large_error(too_large_error(512 * 1024))
    assert not is_too_large_error(None) and not is_too_large_error("parse failed: too large a tree")
