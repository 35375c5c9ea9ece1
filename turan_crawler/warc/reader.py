"""Read an archived record back from its (file, offset), with its payload as received or decoded."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from scrapy.utils._compression import _DecompressionMaxSizeExceeded, _inflate, _unbrotli, _unzstd
from scrapy.utils.gz import gunzip
from warcio.archiveiterator import ArchiveIterator

from .limits import MAX_BODY
from .members import member_at


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

    def decoded_payload(self, max_size: int = MAX_BODY) -> bytes:
        """The payload with its Content-Encoding removed, as a browser would see it; BodyTooLarge when it
        would inflate beyond ``max_size`` (checked while inflating: a gzip bomb is never inflated whole)."""
        return decode_body(self.payload, self.header("Content-Encoding"), max_size)


class BodyTooLarge(ValueError):
    """A body that inflates beyond the limit."""


TOO_LARGE = "too large: "


def too_large_error(max_size: int = MAX_BODY) -> str:
    """The error of a capture whose body is too large to read (the crawl names its run's limit)."""
    return f"{TOO_LARGE}the body inflates beyond {max_size} bytes (archived as received, not read)"


def is_too_large_error(error: str | None) -> bool:
    """Whether a capture's error is ``too_large_error``'s, whatever the limit it names."""
    return bool(error) and error.startswith(TOO_LARGE)


# Scrapy's own bounded decoders: a body is decoded here exactly as HttpCompressionMiddleware decoded it
# during the crawl, with the same size check while inflating.
_DECODERS = {
    "gzip": gunzip,
    "x-gzip": gunzip,
    "deflate": _inflate,
    "br": _unbrotli,
    "zstd": _unzstd,
}


def decode_body(payload: bytes, content_encoding: str | None, max_size: int = MAX_BODY) -> bytes:
    """``payload`` without its content codings (the last applied first), at most ``max_size`` bytes."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    body = payload
    for coding in reversed(codings):
        decoder = _DECODERS.get(coding)
        if decoder is None:
            break  # identity, or a coding nobody decodes: the bytes stay as received
        try:
            body = decoder(body, max_size=max_size)
        except _DecompressionMaxSizeExceeded as exc:
            raise BodyTooLarge(f"the body inflates beyond {max_size} bytes") from exc
    if len(body) > max_size:
        raise BodyTooLarge(f"the body is larger than {max_size} bytes")
    return body


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


class RecordUnreadable(ValueError):
    """No intact record starts at the offset: its gzip member is damaged, inflates beyond MAX_MEMBER, or
    is not there."""


def read_record_at(path: Path, offset: int) -> StoredResponse:
    """The record that starts at ``offset`` in a .warc.gz file (one gzip member per record), its member
    inflated within MAX_MEMBER (a gzip bomb is refused, not inflated); RecordUnreadable otherwise."""
    member = member_at(path, offset)
    if member.problem:
        raise RecordUnreadable(f"no intact record at {path.name}:{offset}: {member.problem}")
    for record in ArchiveIterator(io.BytesIO(member.data)):
        return stored_response(record)
    raise RecordUnreadable(f"no WARC record at {path.name}:{offset}")
