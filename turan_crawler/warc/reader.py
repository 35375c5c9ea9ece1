"""Read archived records back: one record at a (file, offset), or every record of a file."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator


@dataclass
class StoredResponse:
    """A response record as archived: its WARC headers, HTTP status/headers and the raw payload."""

    record_type: str
    url: str
    date: str
    status: int | None
    http_headers: list[tuple[str, str]]
    payload: bytes  # as received: still gzip if Content-Encoding says gzip
    payload_digest: str | None
    refers_to: tuple[str, str] | None  # (target URI, date) for revisits

    def header(self, name: str) -> str | None:
        for key, value in self.http_headers:
            if key.lower() == name.lower():
                return value
        return None

    def decoded_payload(self) -> bytes:
        """The payload with its Content-Encoding (gzip/deflate) removed, as a browser would see it."""
        encoding = (self.header("Content-Encoding") or "").lower()
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(self.payload, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            try:
                return zlib.decompress(self.payload)
            except zlib.error:
                return zlib.decompress(self.payload, -zlib.MAX_WBITS)
        return self.payload


def _stored(record) -> StoredResponse:
    headers = record.http_headers
    refers = record.rec_headers.get_header("WARC-Refers-To-Target-URI")
    return StoredResponse(
        record_type=record.rec_type,
        url=record.rec_headers.get_header("WARC-Target-URI"),
        date=record.rec_headers.get_header("WARC-Date"),
        status=int(headers.get_statuscode()) if headers and headers.get_statuscode() else None,
        http_headers=list(headers.headers) if headers else [],
        payload=record.raw_stream.read(),  # as received: content_stream() would undo Content-Encoding
        payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
        refers_to=(refers, record.rec_headers.get_header("WARC-Refers-To-Date")) if refers else None,
    )


def read_record_at(path: Path, offset: int) -> StoredResponse:
    """The record that starts at ``offset`` in a .warc.gz file (one gzip member per record)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            return _stored(record)
    raise ValueError(f"no WARC record at {path}:{offset}")


def iter_responses(path: Path) -> Iterator[tuple[int, int, StoredResponse]]:
    """(offset, length, record) for every response and revisit record of a file, in order."""
    with open(path, "rb") as fh:
        iterator = ArchiveIterator(fh)
        for record in iterator:
            if record.rec_type in ("response", "revisit"):
                stored = _stored(record)
                yield iterator.get_record_offset(), iterator.get_record_length(), stored
