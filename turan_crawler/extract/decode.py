"""Bytes to text: the HTTP charset, then ``<meta charset>``, then detection, with the usual lies caught."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

import charset_normalizer

from .classify import header

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(headers: Mapping[str, str] | None) -> str | None:
    """The charset named by a Content-Type header, if any (header names in any case)."""
    match = _HEADER_CHARSET.search(header(headers, "content-type"))
    return _codec(match.group(1)) if match else None


def meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return _codec(match.group(1).decode("ascii", "replace")) if match else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        return None


def decode_html(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Return ``(text, codec)``.

    The codec is "utf-8" only for bytes that are valid UTF-8 (the parser may then read the bytes
    themselves), "utf-8-replace" for bytes decoded with replacement characters. Bytes that are valid UTF-8
    are UTF-8, whatever the header says: a page in a single-byte charset is
    almost never valid UTF-8 once it has non-ASCII letters, while "charset=iso-8859-1" on a UTF-8 page is a
    common server lie. Otherwise the header charset, then ``<meta charset>``, each only if the bytes decode
    under it without error, then detection.
    """
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):  # a byte order mark outranks any header (as in browsers)
            return body[2:].decode(codec, "replace"), codec
    if body.startswith(codecs.BOM_UTF8):
        text = _strict(body[3:], "utf-8")
        return (text, "utf-8") if text is not None else (body[3:].decode("utf-8", "replace"), "utf-8-replace")
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    for codec in (header_charset(headers), meta_charset(body)):
        if codec and codec != "utf-8" and (text := _strict(body, codec)) is not None:
            return text, codec
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    codec = _codec(best.encoding) if best else None
    if codec in (None, "utf-8"):  # not valid UTF-8 (checked above): read with replacement characters
        return body.decode("utf-8", "replace"), "utf-8-replace"
    return body.decode(codec, "replace"), codec
