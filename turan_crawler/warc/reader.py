"""Read an archived record back from its (file, offset), with its payload as received or decoded."""

from __future__ import annotations

import zlib
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
        """The payload with its Content-Encoding removed, as a browser would see it."""
        encoding = (self.header("Content-Encoding") or "identity").lower().strip()
        decoder = _DECODERS.get(encoding)
        return decoder(self.payload) if decoder else self.payload


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:  # raw deflate, as some servers send it
        return zlib.decompress(data, -zlib.MAX_WBITS)


def _unbrotli(data: bytes) -> bytes:
    import brotli  # installed with Scrapy's brotli support

    return brotli.decompress(data)


def _unzstd(data: bytes) -> bytes:
    try:
        from compression import zstd  # Python 3.14+
    except ImportError:
        from backports import zstd  # what Scrapy uses before 3.14
    return zstd.decompress(data)


_DECODERS = {
    "gzip": lambda data: zlib.decompress(data, 16 + zlib.MAX_WBITS),
    "x-gzip": lambda data: zlib.decompress(data, 16 + zlib.MAX_WBITS),
    "deflate": _inflate,
    "br": _unbrotli,
    "zstd": _unzstd,
}


def stored_response(record) -> StoredResponse:
    """A warcio record as a StoredResponse (reads its payload)."""
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
            return stored_response(record)
    raise ValueError(f"no WARC record at {path}:{offset}")
