"""Build WARC records from one HTTP exchange, exactly as it crossed the wire (pure: no I/O here).

What the peers got wrong and this module does not (see WARC-NOTES.md): the body is kept as received
(still compressed when Content-Encoding says so), every header value is kept, ``Transfer-Encoding`` is
never written over a de-chunked body, the status line has its reason phrase, and the request record has
the real request line with path and query.
"""

from __future__ import annotations

import base64
import hashlib
import http
from dataclasses import dataclass
from functools import cached_property
from io import BytesIO
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders

WARC_VERSION = "WARC/1.1"
# Headers that describe the connection, not the entity: they are not the body we keep.
HOP_BY_HOP = {
    "transfer-encoding",
    "connection",
    "keep-alive",
    "content-length",
    "te",
    "trailers",
    "upgrade",
    "proxy-connection",
}


class ExactHeaders(StatusAndHeaders):
    """HTTP headers written back as the very bytes that arrived (latin-1 both ways: Scrapy's header
    bytes were decoded as latin-1). warcio writes headers as ASCII and percent-encodes the rest, which
    alters what the server sent, and raises on a value it cannot encode: a raw UTF-8 ``Link`` header
    with a Cyrillic URL stopped the archive writer, and with it the whole crawl."""

    def compute_headers_buffer(self, header_filter=None) -> None:
        self.headers_buff = self.to_bytes(header_filter, encoding="latin-1")


def payload_digest(body: bytes) -> str:
    """``sha1:`` + base32, the form pywb and cdxj-indexer use."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass
class Exchange:
    """One request and its response as the downloader saw them, before any decoding."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    truncated: bool = False
    fetched_at: str | None = None  # WARC-Date, e.g. 2026-11-29T01:02:03.456789Z

    @cached_property
    def digest(self) -> str:
        """Computed on first use, by the archive worker: hashing stays off the reactor thread."""
        return payload_digest(self.body)


def _http_protocol(protocol: str | None) -> str:
    # warcio-based readers accept only HTTP/1.0 and HTTP/1.1 status lines; the real one goes in WARC-Protocol
    return protocol if protocol in ("HTTP/1.0", "HTTP/1.1") else "HTTP/1.1"


def response_http_headers(ex: Exchange) -> StatusAndHeaders:
    try:
        reason = http.HTTPStatus(ex.status).phrase
    except ValueError:
        reason = "Unknown"
    headers = [(k, v) for k, v in ex.response_headers if k.lower() not in HOP_BY_HOP]
    headers.append(("Content-Length", str(len(ex.body))))
    return ExactHeaders(f"{ex.status} {reason}", headers, protocol=_http_protocol(ex.protocol))


def request_http_headers(ex: Exchange) -> StatusAndHeaders:
    split = urlsplit(ex.url)
    target = (split.path or "/") + (f"?{split.query}" if split.query else "")
    headers = [("Host", split.netloc)] + [(k, v) for k, v in ex.request_headers if k.lower() != "host"]
    return ExactHeaders(f"{ex.method} {target} {_http_protocol(ex.protocol)}", headers, is_http_request=True)


def _common_headers(ex: Exchange) -> dict[str, str]:
    headers = {}
    if ex.fetched_at:
        headers["WARC-Date"] = ex.fetched_at
    if ex.ip_address:
        headers["WARC-IP-Address"] = ex.ip_address
    if ex.protocol:
        headers["WARC-Protocol"] = ex.protocol.lower()
    return headers


def build_records(builder: RecordBuilder, ex: Exchange, revisit_of: tuple[str, str] | None = None) -> list:
    """[response or revisit record, request record]. ``revisit_of`` = (original URI, original WARC-Date)
    makes the first record an identical-payload-digest revisit with no body."""
    common = _common_headers(ex)
    http_headers = response_http_headers(ex)
    if revisit_of:
        first = builder.create_revisit_record(
            ex.url,
            ex.digest,
            revisit_of[0],
            revisit_of[1],
            http_headers=http_headers,
            warc_headers_dict=dict(common),
        )
    else:
        warc_headers = {**common, "WARC-Payload-Digest": ex.digest}
        if ex.truncated:
            warc_headers["WARC-Truncated"] = "disconnect"
        first = builder.create_warc_record(
            ex.url,
            "response",
            payload=BytesIO(ex.body),
            length=len(ex.body),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
    request_headers = {**common, "WARC-Concurrent-To": first.rec_headers.get_header("WARC-Record-ID")}
    request = builder.create_warc_record(
        ex.url, "request", http_headers=request_http_headers(ex), warc_headers_dict=request_headers
    )
    return [first, request]
