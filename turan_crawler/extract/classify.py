"""Pages that are not articles, told apart before any field is extracted: binaries and challenges (from
bytes and headers alone). Error pages, listings and pages with too little text are told apart by their
structure (``structure.py``)."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

_BINARY_MAGIC = (
    b"%PDF",
    b"\xff\xd8\xff",
    b"\x89PNG",
    b"GIF8",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"ID3",
    b"\x00\x00\x00",
)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
_CHALLENGE_TITLES = (
    "just a moment",
    "attention required",
    "checking your browser",
    "one more step",
    "ddos-guard",
    "please wait",
)
_TITLE = re.compile(rb"<title[^>]*>([^<]{0,200})", re.I)
_CHALLENGE_MARKERS = (b"_cf_chl_opt", b"challenge-platform", b"cf-browser-verification", b"cf_chl_")


def header(headers: Mapping[str, str] | None, name: str) -> str:
    """The value of header ``name`` (lower case; header names in any case), '' when absent."""
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return ""


def content_type(headers: Mapping[str, str] | None) -> str:
    """The media type the Content-Type header names, in lower case, without its parameters."""
    return header(headers, "content-type").split(";")[0].strip().lower()


def sniff_not_html(body: bytes, headers: Mapping[str, str] | None) -> str | None:
    """'empty' or 'not_html' when the bytes cannot be an HTML page (whatever the Content-Type claims)."""
    if not body or body.isspace():  # (strip() would copy the whole page)
        return "empty"
    if content_type(headers) not in _HTML_TYPES:
        return "not_html"
    head = body[:1024]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # UTF-16 text: NUL bytes are its own
        return None
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        return "not_html"
    return None


def is_challenge(body: bytes, headers: Mapping[str, str] | None) -> bool:
    """A bot-protection interstitial (Cloudflare "Just a moment...", cf-mitigated: challenge, ...).

    Decided from the bytes and headers alone, so the spider can tell one on an HTTP error page without
    parsing it on the reactor thread.
    """
    if header(headers, "cf-mitigated").lower() == "challenge":
        return True
    title = _TITLE.search(body[:16384])
    if title and title.group(1).decode("latin-1").strip().lower().startswith(_CHALLENGE_TITLES):
        return True
    return len(body) < 50_000 and any(marker in body for marker in _CHALLENGE_MARKERS)
