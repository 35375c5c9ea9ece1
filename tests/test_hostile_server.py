"""The hostile test server serves what it says: statuses, headers, first bytes, sizes, timings."""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import time
import zlib

import pytest
from hostile import BOMB_HEAD, BOMB_TAIL, GIB, HostileServer, inflated_size


@pytest.fixture(scope="module")
def hostile():
    with HostileServer(trickle_seconds=2.0, trickle_interval=0.5) as server:
        yield server


def get(server: HostileServer, path: str, host: str | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(host or server.host, server.port, timeout=30)
    conn.request("GET", path)
    return conn.getresponse()


def raw_get(server: HostileServer, path: str, limit: int = 1 << 16, seconds: float = 10.0) -> bytes:
    """The first ``limit`` bytes of the answer (head and body) as sent, read for at most ``seconds``."""
    data = b""
    deadline = time.monotonic() + seconds
    with socket.create_connection((server.host, server.port), timeout=seconds) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {server.host}\r\nConnection: close\r\n\r\n".encode())
        while len(data) < limit and time.monotonic() < deadline:
            piece = sock.recv(1 << 16)
            if not piece:
                break
            data += piece
    return data


def chunks_of(resp: http.client.HTTPResponse, size: int = 1 << 16):
    while piece := resp.read(size):
        yield piece


def test_robots_and_front_page(hostile):
    resp = get(hostile, "/robots.txt")
    assert resp.status == 200 and resp.read() == b"User-agent: *\nAllow: /\n"
    front = get(hostile, "/en").read().decode()
    for page in hostile.pages.values():
        assert (f"href='{page.path}'" in front) == page.linked
        assert page.path.startswith("/en/politics/") and page.path[-6:].isdigit()
    assert get(hostile, "/en/politics/any-other-story-123456").status == 200
    assert get(hostile, "/nothing").status == 404


def test_gzip_bomb_is_small_and_inflates_beyond_a_gigabyte(hostile):
    resp = get(hostile, hostile.path("gzip-bomb"))
    assert resp.status == 200
    assert resp.getheader("Content-Encoding") == "gzip"
    assert resp.getheader("Content-Type").startswith("text/html")
    compressed = int(resp.getheader("Content-Length"))
    assert 1_000_000 < compressed < 5_000_000  # 4 GiB at deflate's ~1030:1
    first = resp.read(2)
    assert first == b"\x1f\x8b"
    inflated = inflated_size(itertools.chain([first], chunks_of(resp)))  # chunk by chunk, never held
    assert inflated > GIB
    assert inflated == hostile.bomb_bytes + len(BOMB_HEAD) + len(BOMB_TAIL)  # 4 GiB of "bom " in a page


def test_small_bomb_and_double_bomb(hostile):
    small = get(hostile, hostile.path("gzip-bomb-1g"))
    assert small.getheader("Content-Encoding") == "gzip"
    assert int(small.getheader("Content-Length")) < 1_100_000
    assert inflated_size(chunks_of(small), limit=GIB) > GIB
    double = get(hostile, hostile.path("gzip-bomb-double"))
    assert double.getheader("Content-Encoding") == "gzip, gzip"
    body = double.read()
    assert len(body) < 20_000
    inner = zlib.decompress(body, 16 + zlib.MAX_WBITS)
    assert inner[:2] == b"\x1f\x8b" and len(inner) < 5_000_000
    gzip_file = get(hostile, hostile.path("gzip-file"))
    assert gzip_file.getheader("Content-Type") == "application/gzip"
    assert gzip_file.getheader("Content-Encoding") is None
    assert gzip_file.read(2) == b"\x1f\x8b"


def test_link_floods(hostile):
    resp = get(hostile, hostile.path("links-100k"))
    assert resp.getheader("Transfer-Encoding") == "chunked"
    body = resp.read()
    assert body.count(b"<a href='/en/politics/latest-story-") == 100_000
    assert b"<h2>Latest news</h2>" in body
    resp = get(hostile, hostile.path("links-500k"))
    size = int(resp.getheader("Content-Length"))
    assert 12_000_000 < size < 12_010_000
    body = resp.read()
    assert len(body) == size and body.count(b"<a href=/en/p/s-") == 500_000


def test_trickles(hostile):
    started = time.monotonic()
    resp = get(hostile, hostile.path("trickle"))
    assert time.monotonic() - started < 1.0  # headers at once
    assert resp.getheader("Content-Length") == "10000000"
    with pytest.raises(http.client.IncompleteRead) as short:
        resp.read()
    assert time.monotonic() - started >= 1.9  # then a byte per 0.5 s for 2 s, then the connection closes
    assert 200 < len(short.value.partial) < 220
    started = time.monotonic()
    resp = get(hostile, hostile.path("trickle-chunked"))
    assert resp.getheader("Transfer-Encoding") == "chunked"
    body = resp.read()
    assert time.monotonic() - started >= 1.9 and body.endswith(b"xxx")
    started = time.monotonic()
    head = raw_get(hostile, hostile.path("slow-headers"), seconds=1.2)
    assert head.startswith(b"HTTP/1.1 200 OK\r\nCo") and len(head) < 30


def test_endless_bodies(hostile):
    resp = get(hostile, hostile.path("endless"))
    assert resp.getheader("Transfer-Encoding") == "chunked"
    assert len(resp.read(8 << 20)) == 8 << 20
    resp.close()
    head = raw_get(hostile, hostile.path("endless-close"), limit=3 << 20)
    assert len(head) >= 3 << 20
    headers = head.split(b"\r\n\r\n", 1)[0].lower()
    assert b"connection: close" in headers
    assert b"content-length" not in headers and b"transfer-encoding" not in headers


def test_redirects(hostile):
    def location(name: str) -> str:
        resp = get(hostile, hostile.path(name))
        assert resp.status == 302
        return resp.getheader("Location")

    target = hostile.path("redirected-story")
    assert location("redirect-other-host") == f"http://127.0.0.2:{hostile.port}{target}"
    assert location("redirect-metadata") == "http://169.254.169.254/latest/meta-data/"
    assert location("redirect-private") == "http://10.0.0.1/"
    assert location("redirect-ipv6") == f"http://[::1]:{hostile.port}{target}"
    assert location("redirect-relative") == "redirected-story-900039"
    assert location("redirect-decimal-ip") == f"http://2130706434:{hostile.port}{target}"
    assert location("redirect-file") == "file:///etc/passwd"
    assert b"Location: /en/politics/\xff\xfe-bad" in raw_get(hostile, hostile.path("redirect-bad-bytes"))
    # the other loopback addresses answer too, and the request log says which one was reached
    for host in hostile.bound[1:]:
        assert get(hostile, target, host=host).status == 200
    log = json.loads(get(hostile, "/_hostile/requests.json").read())
    assert {entry["bound"] for entry in log["recent"]} >= set(hostile.bound)
    assert set(log["by_address"]) == set(hostile.bound) and log["by_page"]["redirected-story"] >= 1


def test_pathological_pages(hostile):
    body = get(hostile, hostile.path("deep-nesting")).read()
    assert (
        body.count(b"<div>") == 100_000 and body.count(b"</div>") == 100_002
    )  # and the date and text blocks
    resp = get(hostile, hostile.path("long-line"))
    assert int(resp.getheader("Content-Length")) > 50_000_000
    newlines = sum(chunk.count(b"\n") for chunk in chunks_of(resp, 1 << 20))
    assert newlines == 0
    body = get(hostile, hostile.path("ld-json-flood")).read()
    assert body.count(b'<script type="application/ld+json">') == 10_000
    body = get(hostile, hostile.path("ld-json-deep")).read()
    assert b"[" * 100_000 + b"{}" + b"]" * 100_000 in body


def test_bad_headers_and_urls(hostile):
    head = raw_get(hostile, hostile.path("bad-header-bytes")).split(b"\r\n\r\n", 1)[0]
    assert b"X-Bad-Value: \xff\xfe\x80" in head and b"\r\nX-\xff\xfeName: " in head
    head = raw_get(hostile, hostile.path("bad-header-values")).split(b"\r\n\r\n", 1)[0]
    assert b"X-Bad-Value: \xff\xfe\x80" in head and b"\r\nX-\xff" not in head
    head = raw_get(hostile, hostile.path("many-headers"), limit=1 << 20).split(b"\r\n\r\n", 1)[0]
    assert head.count(b"\r\nSet-Cookie: ") == 10_000
    head = raw_get(hostile, hostile.path("huge-header"), limit=2 << 20).split(b"\r\n\r\n", 1)[0]
    assert b"X-Huge: " + b"h" * (1 << 20) in head
    assert hostile.path("bad-escape") == "/en/politics/%FF%FEbad-escape-900048"
    assert get(hostile, hostile.path("bad-escape")).status == 200
