"""A hostile web site for tests and probes: decompression bombs, link floods, trickling bodies, redirects
to other hosts and to internal addresses, pathological HTML, bad bytes in headers and URLs.

Standard library only. Every page path is shaped like one of the real site's articles
(``/en/politics/<slug>-<6 digit id>``) so that a crawler takes it for an article; ``/en`` links them
all (a front page), ``/robots.txt`` allows everything. Every body is generated lazily, in chunks: the
server itself holds at most the compressed bombs (a few MB) and one chunk per connection.

In a test::

    from hostile import HostileServer

    @pytest.fixture(scope="module")
    def hostile():
        with HostileServer(trickle_seconds=5) as server:   # 127.0.0.1, a free port
            yield server

    def test_bomb(hostile):
        url = hostile.url_of("gzip-bomb")    # http://127.0.0.1:PORT/en/politics/gzip-bomb-900001

From a shell (for probes): ``python tests/hostile.py --port 0`` prints the base URL and every page, then
serves until Ctrl-C or SIGTERM; ``--front redirect-metadata,gzip-bomb`` limits what ``/en`` links.

``server.requests`` lists the last 10,000 requests answered, with the address they reached (``127.0.0.2``,
``::1``...); ``server.by_address`` and ``server.by_page`` count all of them; ``GET /_hostile/requests.json``
returns the three, so a test or a probe can see which redirects were followed and what was fetched.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 1 << 20  # bytes per write of a generated body
GIB = 1 << 30
ARTICLE_SHAPED = "/en/politics/"


# -- decompression bombs ------------------------------------------------------------------------------
BOMB_HEAD = (
    b"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Gzip bomb | Turan</title></head>"
    b"<body><h1>A page that inflates without end</h1><div class='news-text'><p>"
)
BOMB_TAIL = b"</p></div></body></html>\n"
# repeated inside one paragraph; a period of at most 4 bytes lets deflate reach its ceiling (~1030:1:
# a match at distance 1-4 costs two bits), where 64-byte paragraphs would only reach ~340:1
BOMB_UNIT = b"bom "


@cache
def gzip_bomb(inflated_bytes: int = 4 * GIB) -> bytes:
    """A gzip stream (one member) that inflates to ``inflated_bytes`` (rounded to MiB) of HTML.

    Built in about a second without compressing gigabytes: one MiB of ``BOMB_UNIT`` is deflated once
    and ended with a full flush (which makes the block independent of what came before), so the
    stream is that one block repeated; only the CRC-32 is computed over the whole inflated length.
    Deflate cannot do better than ~1032:1, so 1 GiB costs ~1 MB of gzip and 4 GiB ~4 MB.
    """
    mib_blocks = max(1, inflated_bytes // CHUNK)
    unit = BOMB_UNIT * (CHUNK // len(BOMB_UNIT))
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = deflater.compress(BOMB_HEAD) + deflater.flush(zlib.Z_FULL_FLUSH)
    block = deflater.compress(unit) + deflater.flush(zlib.Z_FULL_FLUSH)
    tail = deflater.compress(BOMB_TAIL) + deflater.flush(zlib.Z_FINISH)
    crc = zlib.crc32(BOMB_HEAD)
    for _ in range(mib_blocks):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(BOMB_TAIL, crc)
    size = len(BOMB_HEAD) + mib_blocks * len(unit) + len(BOMB_TAIL)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, mtime 0, max compression
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return b"".join([header, head, block * mib_blocks, tail, trailer])


@cache
def double_gzip_bomb(inflated_bytes: int = 4 * GIB) -> bytes:
    """The bomb gzipped once more: a few KB that inflate to ``gzip_bomb(inflated_bytes)``."""
    return gzip_compress(gzip_bomb(inflated_bytes))


def gzip_compress(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def inflated_size(chunks: Iterable[bytes], limit: int | None = None) -> int:
    """Bytes a gzip stream inflates to, counted without holding them (stops past ``limit``)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    total = 0
    for chunk in chunks:
        data = chunk
        while data:
            total += len(inflater.decompress(data, CHUNK))
            data = inflater.unconsumed_tail
            if limit is not None and total > limit:
                return total
    total += len(inflater.flush())
    return total


# -- page bodies (generators of chunks, with their length when known) ---------------------------------
def article_html(title: str, paragraphs: int = 5, extra: str = "") -> str:
    """A small page that the site rules read as an article (title, date, byline, text)."""
    text = "".join(
        f"<p>Baku/16.01.26/Turan: Paragraph {n} of the story, long enough to be read as the text of an "
        f"article by the site rules, with a few more words about the economy, the parliament and the "
        f"region.</p>\n"
        for n in range(1, paragraphs + 1)
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title} | Turan</title></head><body><header><nav><a href='/en'>Home</a></nav></header>"
        f"<main><article><h1>{title}</h1><div class='date'>16 January 2026 12:30</div>"
        f"<div class='news-text'>{text}</div><p>Author: Hostile Server</p></article>{extra}</main>"
        "</body></html>\n"
    )


@dataclass
class Body:
    """What to send: status, headers (str or raw bytes), body chunks and their length (None: chunked)."""

    status: int = 200
    headers: list[tuple[str | bytes, str | bytes]] = field(default_factory=list)
    chunks: Iterable[bytes] = ()
    length: int | None = 0
    close_delimited: bool = False  # no length, no chunking: the body ends when the connection closes
    status_line: bytes | None = None  # raw status line (overrides status)
    slow_head: bool = False  # the status line, then the headers one byte per trickle interval


def fixed(data: bytes, content_type: str = "text/html; charset=utf-8", **kwargs) -> Body:
    headers = [("Content-Type", content_type), *kwargs.pop("headers", [])]
    return Body(headers=headers, chunks=[data], length=len(data), **kwargs)


def html_page(text: str, **kwargs) -> Body:
    return fixed(text.encode("utf-8"), **kwargs)


def repeated(head: bytes, unit: bytes, count: int, tail: bytes) -> tuple[Iterator[bytes], int]:
    """``head + unit * count + tail`` in chunks of about CHUNK bytes."""
    per_chunk = max(1, CHUNK // len(unit))

    def chunks() -> Iterator[bytes]:
        yield head
        left = count
        while left:
            n = min(left, per_chunk)
            yield unit * n
            left -= n
        yield tail

    return chunks(), len(head) + len(unit) * count + len(tail)


def numbered(head: bytes, line: Callable[[int], bytes], numbers: range, tail: bytes) -> Iterator[bytes]:
    """``head``, then ``line(n)`` for each number (gathered into ~CHUNK writes), then ``tail``."""
    yield head
    buffer: list[bytes] = []
    size = 0
    for n in numbers:
        item = line(n)
        buffer.append(item)
        size += len(item)
        if size >= CHUNK:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)
    yield tail


# -- the site -----------------------------------------------------------------------------------------
@dataclass
class Page:
    name: str
    path: str
    what: str
    handler: Callable[[HostileServer], Body]
    linked: bool = True  # from the front page, by default


class HostileServer:
    """The hostile site on ``host`` (any 127/8 address, or ``::1``) and a free port (or ``port``), and
    on the same port at each address of ``also_on`` that can be bound (the redirect targets)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        also_on: Iterable[str] = ("127.0.0.2", "::1"),
        trickle_seconds: float = 60.0,
        trickle_interval: float = 0.5,
        bomb_bytes: int = 4 * GIB,
        robots: str = "allow",
        front: Iterable[str] | None = None,
    ):
        self.host = host
        self.wanted_port = port
        self.also_on = [h for h in also_on if h != host]
        self.trickle_seconds = trickle_seconds
        self.trickle_interval = trickle_interval
        self.bomb_bytes = bomb_bytes
        self.robots = robots
        self.pages = {page.name: page for page in self._pages()}
        unknown = set(front or ()) - set(self.pages)
        if unknown:
            raise ValueError(f"unknown pages: {sorted(unknown)}")
        self.front = list(front) if front is not None else [p.name for p in self.pages.values() if p.linked]
        self.requests: deque[dict] = deque(maxlen=10_000)
        self.by_address: Counter[str] = Counter()  # every request ever answered, by address reached
        self.by_page: Counter[str] = Counter()  # and by page name ("other" for the link floods' targets)
        self.port = 0
        self.bound: list[str] = []
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self.stopping = threading.Event()

    # -- addresses ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self._netloc(self.host)}"

    def url_on(self, host: str) -> str:
        return f"http://{self._netloc(host)}"

    def _netloc(self, host: str) -> str:
        return f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"

    def path(self, name: str) -> str:
        return self.pages[name].path

    def url_of(self, name: str) -> str:
        return self.url + self.pages[name].path

    # -- life cycle --------------------------------------------------------------------------------
    def start(self) -> HostileServer:
        gzip_bomb(self.bomb_bytes)  # built (~1 s) before the first request, not during it
        for _attempt in range(50):
            try:
                self._bind_all()
                break
            except OSError:
                self._close_all()
                if self.wanted_port:
                    raise
        else:
            raise OSError("no port free on every address")
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="hostile", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def _bind_all(self) -> None:
        first = self._server(self.host, self.wanted_port)
        self.port = first.server_address[1]
        self._servers, self.bound = [first], [self.host]
        for host in self.also_on:
            try:
                self._servers.append(self._server(host, self.port))
                self.bound.append(host)
            except OSError as exc:
                if exc.errno == 98:  # EADDRINUSE: try another port for all
                    raise
                # EADDRNOTAVAIL (no IPv6 here...): that redirect target simply does not answer

    def _server(self, host: str, port: int) -> ThreadingHTTPServer:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        server_class = type("HostileHTTPServer", (_HTTPServer,), {"address_family": family})
        server = server_class((host, port), _Handler)
        server.hostile = self
        server.bound_host = host
        return server

    def _close_all(self) -> None:
        for server in self._servers:
            server.server_close()
        self._servers = []

    def stop(self) -> None:
        self.stopping.set()  # trickling bodies end at their next byte
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what is served ----------------------------------------------------------------------------
    def _pages(self) -> list[Page]:
        p = ARTICLE_SHAPED
        return [
            Page("gzip-bomb", p + "gzip-bomb-900001", "~4 MB of gzip (Content-Encoding: gzip) that inflates to 4 GiB of HTML", _gzip_bomb),
            Page("gzip-bomb-1g", p + "gzip-bomb-small-900002", "~1 MB of gzip (Content-Encoding: gzip) that inflates to 1 GiB", _gzip_bomb_1g),
            Page("gzip-bomb-double", p + "gzip-bomb-double-900003", "a few KB, Content-Encoding: gzip, gzip: inflates to the 4 MB bomb, then to 4 GiB", _double_bomb),
            Page("gzip-file", p + "gzip-file-900004", "the 4 MB bomb as Content-Type: application/gzip, no Content-Encoding", _gzip_file),
            Page("links-100k", p + "links-100k-900011", "an article whose 'Latest news' block has 100,000 article links (~8 MB)", _links_100k),
            Page("links-500k", p + "links-500k-900012", "a 12 MB article whose 'Latest news' block has 500,000 bare <a href> links", _links_500k),
            Page("trickle", p + "trickle-900021", "headers at once (Content-Length 10 MB), then one byte per interval for trickle_seconds, then close", _trickle),
            Page("trickle-chunked", p + "trickle-chunked-900022", "the same, chunked (one 1-byte chunk per interval), then the last chunk", _trickle_chunked),
            Page("slow-headers", p + "slow-headers-900023", "the status line, then the headers one byte per interval", _slow_headers),
            Page("endless", p + "endless-900024", "a chunked body of 1 MiB chunks that never ends", _endless),
            Page("endless-close", p + "endless-close-900025", "a body without length or chunking that never ends (ends with the connection)", _endless_close),
            Page("redirect-other-host", p + "redirect-other-host-900031", "302 to the same server on 127.0.0.2 (another loopback host)", _redirect_other_host),
            Page("redirect-metadata", p + "redirect-metadata-900032", "302 to http://169.254.169.254/latest/meta-data/ (cloud metadata)", _to("http://169.254.169.254/latest/meta-data/")),
            Page("redirect-private", p + "redirect-private-900033", "302 to http://10.0.0.1/ (a private network)", _to("http://10.0.0.1/")),
            Page("redirect-ipv6", p + "redirect-ipv6-900034", "302 to the same server at http://[::1]:PORT/", _redirect_ipv6),
            Page("redirect-relative", p + "redirect-relative-900035", "302 to a relative URL on the same host (redirected-story-900039)", _to("redirected-story-900039")),
            Page("redirect-decimal-ip", p + "redirect-decimal-ip-900036", "302 to http://2130706434:PORT/ (127.0.0.2 written as one number)", _redirect_decimal),
            Page("redirect-file", p + "redirect-file-900037", "302 to file:///etc/passwd", _to("file:///etc/passwd")),
            Page("redirect-bad-bytes", p + "redirect-bad-bytes-900038", "302 whose Location holds raw bytes 0xff 0xfe", _redirect_bad_bytes),
            Page("redirected-story", p + "redirected-story-900039", "the redirects' target: a plain article", _plain_article, linked=False),
            Page("deep-nesting", p + "deep-nesting-900041", "an article whose text sits under 100,000 nested <div>", _deep_nesting),
            Page("long-line", p + "long-line-900042", "an article with a 50 MB single line of text (no newline)", _long_line),
            Page("ld-json-flood", p + "ld-json-flood-900043", "an article with 10,000 <script type=application/ld+json> NewsArticle blocks", _ld_json_flood),
            Page("ld-json-deep", p + "ld-json-deep-900044", "an article whose JSON-LD nests 100,000 arrays deep", _ld_json_deep),
            Page("bad-header-bytes", p + "bad-header-bytes-900045", "an article with raw 0x80-0xff bytes in header values and one header name", _bad_header_bytes),
            Page("bad-header-values", p + "bad-header-values-900051", "the same bad bytes in header values only (header names are ASCII)", _bad_header_values),
            Page("many-headers", p + "many-headers-900046", "an article with 10,000 Set-Cookie headers", _many_headers),
            Page("huge-header", p + "huge-header-900047", "an article with one 1 MiB header value", _huge_header),
            Page("bad-escape", p + "%FF%FEbad-escape-900048", "an article at a URL with non-UTF-8 percent-escapes (%FF%FE)", _plain_article),
        ]  # fmt: skip

    def body_for(self, raw_path: str) -> Body:
        path = raw_path.split("?", 1)[0]
        for page in self.pages.values():
            if path == page.path:
                self.by_page[page.name] += 1
                return page.handler(self)
        self.by_page[path if not path.startswith("/en/") or path == "/en/news-line" else "other"] += 1
        if path == "/robots.txt":
            return _robots(self)
        if path == "/_hostile/requests.json":
            summary = {
                "total": sum(self.by_address.values()),
                "by_address": self.by_address,
                "by_page": self.by_page,
                "recent": list(self.requests),
            }
            return fixed(json.dumps(summary).encode(), "application/json")
        if path in ("/en", "/en/"):
            return self._front()
        if path in ("/az", "/ru", "/en/news-line", "/az/news-line", "/ru/news-line"):
            return html_page(
                "<!DOCTYPE html><html><head><title>News | Turan</title></head><body></body></html>"
            )
        if path.startswith("/en/") and path.count("/") == 3 and path[-6:].isdigit():
            return _plain_article(self)  # any other article-shaped URL (the link floods' targets)
        return html_page("<html><body><h1>Not found</h1></body></html>", status=404)

    def _front(self) -> Body:
        items = "".join(
            f"<li><a href='{self.pages[name].path}'>{name}</a>: {_esc(self.pages[name].what)}</li>\n"
            for name in self.front
        )
        return html_page(
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Hostile Turan</title></head>"
            f"<body><h1>Hostile site</h1><ul>{items}</ul></body></html>\n"
        )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- handlers -----------------------------------------------------------------------------------------
def _robots(server: HostileServer) -> Body:
    if server.robots == "gzip-bomb":
        bomb = gzip_bomb(server.bomb_bytes)
        return fixed(bomb, "text/plain", headers=[("Content-Encoding", "gzip")])
    if server.robots == "trickle":
        return _trickle(server)
    return fixed(b"User-agent: *\nAllow: /\n", "text/plain")


def _gzip_bomb(server: HostileServer) -> Body:
    return fixed(gzip_bomb(server.bomb_bytes), headers=[("Content-Encoding", "gzip")])


def _gzip_bomb_1g(server: HostileServer) -> Body:
    return fixed(gzip_bomb(GIB), headers=[("Content-Encoding", "gzip")])


def _double_bomb(server: HostileServer) -> Body:
    return fixed(double_gzip_bomb(server.bomb_bytes), headers=[("Content-Encoding", "gzip, gzip")])


def _gzip_file(server: HostileServer) -> Body:
    return fixed(gzip_bomb(server.bomb_bytes), "application/gzip")


def _links_100k(server: HostileServer) -> Body:
    page = article_html(
        "An article with a hundred thousand links",
        extra="<section><h2>Latest news</h2><ul>\n@@</ul></section>",
    )
    head, tail = (s.encode() for s in page.split("@@"))
    chunks = numbered(
        head,
        lambda n: f"<li><a href='/en/politics/latest-story-{n}-{n}'>Latest story {n}</a></li>\n".encode(),
        range(200_000, 300_000),
        tail,
    )
    return Body(headers=[("Content-Type", "text/html; charset=utf-8")], chunks=chunks, length=None)


def _links_500k(server: HostileServer) -> Body:
    page = article_html(
        "An article with half a million links", extra="<section><h2>Latest news</h2><div>\n@@</div></section>"
    )
    head, tail = (s.encode() for s in page.split("@@"))
    # 24 bytes a link (an <a> start tag closes the one before): 500,000 links in 12 MB
    chunks = numbered(head, lambda n: b"<a href=/en/p/s-%d>\n" % n, range(100_000, 600_000), tail)
    length = len(head) + 24 * 500_000 + len(tail)
    return Body(headers=[("Content-Type", "text/html; charset=utf-8")], chunks=chunks, length=length)


def _dribble(server: HostileServer, piece: Callable[[int], bytes]) -> Iterator[bytes]:
    """``piece(n)`` every ``trickle_interval`` seconds for ``trickle_seconds`` (or until stopped)."""
    deadline = time.monotonic() + server.trickle_seconds
    n = 0
    while time.monotonic() < deadline and not server.stopping.is_set():
        yield piece(n)
        n += 1
        server.stopping.wait(server.trickle_interval)


def _trickle(server: HostileServer) -> Body:
    head = article_html("A trickling article").encode()[:200]
    chunks = _chain([head], _dribble(server, lambda n: b"abcdefghijklmnopqrstuvwxyz "[n % 27 : n % 27 + 1]))
    return Body(headers=[("Content-Type", "text/html; charset=utf-8")], chunks=chunks, length=10_000_000)


def _trickle_chunked(server: HostileServer) -> Body:
    head = article_html("A trickling article").encode()[:200]
    chunks = _chain([head], _dribble(server, lambda n: b"x"))
    return Body(headers=[("Content-Type", "text/html; charset=utf-8")], chunks=chunks, length=None)


def _slow_headers(server: HostileServer) -> Body:
    return Body(status_line=b"HTTP/1.1 200 OK\r\n", slow_head=True)


def _chain(*iterables: Iterable[bytes]) -> Iterator[bytes]:
    for iterable in iterables:
        yield from iterable


def _forever(server: HostileServer) -> Iterator[bytes]:
    block = (b"<p>" + b"endless " * 127 + b"</p>\n") * (CHUNK // 1024)
    yield article_html("An endless article").encode()[:300]
    while not server.stopping.is_set():
        yield block


def _endless(server: HostileServer) -> Body:
    return Body(headers=[("Content-Type", "text/html; charset=utf-8")], chunks=_forever(server), length=None)


def _endless_close(server: HostileServer) -> Body:
    return Body(
        headers=[("Content-Type", "text/html; charset=utf-8")],
        chunks=_forever(server),
        length=None,
        close_delimited=True,
    )


def _to(location: str | bytes, status: int = 302) -> Callable[[HostileServer], Body]:
    def handler(server: HostileServer) -> Body:
        return fixed(b"<html><body>Moved</body></html>", status=status, headers=[("Location", location)])

    return handler


def _redirect_other_host(server: HostileServer) -> Body:
    return _to(server.url_on("127.0.0.2") + server.path("redirected-story"))(server)


def _redirect_ipv6(server: HostileServer) -> Body:
    return _to(server.url_on("::1") + server.path("redirected-story"))(server)


def _redirect_decimal(server: HostileServer) -> Body:
    return _to(f"http://2130706434:{server.port}{server.path('redirected-story')}")(server)


def _redirect_bad_bytes(server: HostileServer) -> Body:
    return _to(b"/en/politics/\xff\xfe-bad-target-900049")(server)


def _plain_article(server: HostileServer) -> Body:
    return html_page(article_html("A plain article of the hostile site"))


def _deep_nesting(server: HostileServer) -> Body:
    head, tail = article_html("Deeply nested").split("<div class='news-text'>", 1)
    depth = 100_000
    opening, opened = repeated(head.encode() + b"<div class='news-text'>", b"<div>", depth, b"")
    closing, closed = repeated(b"<p>The text, 100,000 levels down.</p>", b"</div>", depth, tail.encode())
    chunks = _chain(opening, closing)
    length = opened + closed
    return Body(headers=[("Content-Type", "text/html; charset=utf-8")], chunks=chunks, length=length)


def _long_line(server: HostileServer) -> Body:
    page = article_html("A 50 MB line", paragraphs=2).replace("\n", " ")
    head, tail = page.split("</div><p>Author", 1)
    chunks, length = repeated(
        (head + "<p>").encode(),
        b"turan news ",
        50 * 1024 * 1024 // 11,
        ("</p></div><p>Author" + tail).encode(),
    )
    return Body(headers=[("Content-Type", "text/html; charset=utf-8")], chunks=chunks, length=length)


def _ld_json_flood(server: HostileServer) -> Body:
    page = article_html("Ten thousand JSON-LD blocks")
    head, tail = page.split("</head>", 1)

    def block(n: int) -> bytes:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": f"Headline number {n}",
            "datePublished": f"2026-01-{1 + n % 28:02d}T12:00:00+04:00",
            "author": {"@type": "Person", "name": f"Author {n}"},
            "articleBody": f"Body {n}. " * 20,
        }
        return b'<script type="application/ld+json">' + json.dumps(data).encode() + b"</script>\n"

    chunks = numbered(head.encode(), block, range(10_000), ("</head>" + tail).encode())
    return Body(headers=[("Content-Type", "text/html; charset=utf-8")], chunks=chunks, length=None)


def _ld_json_deep(server: HostileServer) -> Body:
    page = article_html("JSON-LD nested 100,000 deep")
    head, tail = page.split("</head>", 1)
    depth = 100_000
    script = b'<script type="application/ld+json">' + b"[" * depth + b"{}" + b"]" * depth + b"</script>"
    return fixed(head.encode() + script + ("</head>" + tail).encode())


def _bad_header_bytes(server: HostileServer) -> Body:
    return fixed(
        article_html("Bad bytes in headers").encode(),
        "text/html; charset=utf-8",
        headers=[
            (b"X-Bad-Value", b"\xff\xfe\x80 latin-1 \xe9 and a lone \xc3"),
            (b"Set-Cookie", b"session=\xc3\x28; Path=/"),
            (b"X-\xff\xfeName", b"a header name that is not ASCII"),
            (b"Content-Language", b"\xd0\xb0\xd0\xb7"),
            (b"Link", b"</en/politics/\xff-link-900050>; rel=canonical"),
        ],
    )


def _bad_header_values(server: HostileServer) -> Body:
    return fixed(
        article_html("Bad bytes in header values").encode(),
        "text/html; charset=utf-8",
        headers=[
            (b"X-Bad-Value", b"\xff\xfe\x80 latin-1 \xe9 and a lone \xc3"),
            (b"Set-Cookie", b"session=\xc3\x28; Path=/"),
            (b"Content-Language", b"\xd0\xb0\xd0\xb7"),
            (b"Link", b"</en/politics/\xff-link-900050>; rel=canonical"),
        ],
    )


def _many_headers(server: HostileServer) -> Body:
    return fixed(
        article_html("Ten thousand cookies").encode(),
        headers=[("Set-Cookie", f"c{n}=v{n}; Path=/") for n in range(10_000)],
    )


def _huge_header(server: HostileServer) -> Body:
    return fixed(article_html("A 1 MiB header").encode(), headers=[("X-Huge", "h" * CHUNK)])


# -- the HTTP side ------------------------------------------------------------------------------------
class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def server_bind(self) -> None:  # without HTTPServer's getfqdn(), a reverse DNS lookup per address
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[0], self.server_address[1]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile/1"

    def log_message(self, format: str, *args) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, send_body: bool) -> None:
        hostile: HostileServer = self.server.hostile
        hostile.by_address[self.server.bound_host] += 1
        hostile.requests.append(
            {
                "time": time.time(),
                "bound": self.server.bound_host,
                "client": self.client_address[0],
                "method": self.command,
                "path": self.path,
                "host": self.headers.get("Host"),
                "user_agent": self.headers.get("User-Agent"),
            }
        )
        body = hostile.body_for(self.path)
        try:
            self._send(hostile, body, send_body)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def _send(self, hostile: HostileServer, body: Body, send_body: bool) -> None:
        out = self.wfile
        if body.slow_head:
            out.write(body.status_line)
            out.flush()
            for byte in _dribble(hostile, lambda n: b"Content-Type: text/html\r\n"[n % 25 : n % 25 + 1]):
                out.write(byte)
                out.flush()
            self.close_connection = True
            return
        reason = {200: b"OK", 302: b"Found", 404: b"Not Found"}.get(body.status, b"Whatever")
        head = [body.status_line or b"HTTP/1.1 %d %s\r\n" % (body.status, reason)]
        head += [_raw(k) + b": " + _raw(v) + b"\r\n" for k, v in body.headers]
        head.append(b"Date: " + self.date_time_string().encode() + b"\r\nServer: hostile/1\r\n")
        chunked = body.length is None and not body.close_delimited
        if body.length is not None:
            head.append(b"Content-Length: %d\r\n" % body.length)
        elif chunked:
            head.append(b"Transfer-Encoding: chunked\r\n")
        if body.close_delimited:
            head.append(b"Connection: close\r\n")
            self.close_connection = True
        out.write(b"".join(head) + b"\r\n")
        out.flush()
        if not send_body:
            return
        sent = 0
        for chunk in body.chunks:
            if not chunk:
                continue
            out.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            out.flush()
            sent += len(chunk)
        if chunked:
            out.write(b"0\r\n\r\n")
        elif body.length is not None and sent < body.length:
            self.close_connection = True  # a short body (the trickle): end it by closing
        out.flush()


def _raw(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("latin-1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the hostile site until Ctrl-C or SIGTERM.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--also-on", default="127.0.0.2,::1", help="more addresses on the same port")
    parser.add_argument("--trickle-seconds", type=float, default=60.0)
    parser.add_argument("--bomb-gib", type=float, default=4.0)
    parser.add_argument("--robots", choices=["allow", "gzip-bomb", "trickle"], default="allow")
    parser.add_argument("--front", help="comma-separated page names for /en to link (default: all)")
    parser.add_argument("--url-file", help="write the base URL to this file once serving")
    args = parser.parse_args(argv)
    server = HostileServer(
        args.host,
        args.port,
        also_on=[h for h in args.also_on.split(",") if h],
        trickle_seconds=args.trickle_seconds,
        bomb_bytes=int(args.bomb_gib * GIB),
        robots=args.robots,
        front=args.front.split(",") if args.front else None,
    ).start()
    print(
        f"hostile site on {server.url} (also on {', '.join(server.bound[1:]) or 'nothing else'})", flush=True
    )
    for page in server.pages.values():
        print(f"  {page.name:<20} {server.url}{page.path}  {page.what}", flush=True)
    if args.url_file:
        with open(args.url_file, "w") as fh:
            fh.write(server.url + "\n")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["GIB", "HostileServer", "double_gzip_bomb", "gzip_bomb", "inflated_size"]
