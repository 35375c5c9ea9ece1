"""Shared fixtures and helpers: replicas of the site on free 127.0.0.1 ports, the archives several test
modules read (built once per session), and plain HTTP, CLI and index helpers. Test modules import from
here, never from each other."""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from turan_crawler.replica import ReplicaServer, start_replica
from turan_crawler.replica.site import BAKU
from turan_crawler.warc.records import Exchange

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def fetch(base_url: str, path: str, headers: dict[str, str] | None = None, timeout: float = 30) -> Fetched:
    """One GET with http.client: no redirects followed, no decompression, headers as sent."""
    netloc = urlsplit(base_url).netloc
    conn = http.client.HTTPConnection(netloc, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return Fetched(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


# -- a Turan article's parts, for the extraction tests' small pages ------------------------------------
SITE = "https://turan.az"
ARTICLE_URL = f"{SITE}/en/politics/talks-resume-in-washington-790001"
HTML = {"Content-Type": "text/html; charset=utf-8"}
TEXT = (
    "<p>The foreign ministers of Azerbaijan and Armenia resumed their talks near Washington on Monday, "
    "diplomatic sources told Turan.</p>"
    "<p>The talks are expected to last four days and will focus on the text of the peace treaty and on "
    "the opening of transport links between the two countries.</p>"
)
BODY = (
    "The foreign ministers of Azerbaijan and Armenia resumed their talks near Washington on Monday, "
    "diplomatic sources told Turan.\n\nThe talks are expected to last four days and will focus on the text "
    "of the peace treaty and on the opening of transport links between the two countries."
)


def story_exchange(n: int, body: bytes, fetched_at: str = "2026-01-14T10:00:00.000000Z") -> Exchange:
    """Exchange number ``n`` with Turan's article URL grammar and ``body``, for the WARC unit tests."""
    return Exchange(
        url=f"https://turan.az/en/politics/story-{790000 + n}",
        method="GET",
        request_headers=[("User-Agent", "test")],
        status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=body,
        fetched_at=fetched_at,
    )


# -- the command line ----------------------------------------------------------------------------------
def run_cli(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """``turan-crawler ARGS`` in a subprocess, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "turan_crawler", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def crawl_args(archive, url: str, *extra: str) -> list[str]:
    """The ``turan-crawler crawl`` arguments the tests use: ``url`` into ``archive``, quiet, plus ``extra``."""
    return ["crawl", "--archive", str(archive), "--start-url", url, "--quiet", *extra]


def capture_args(archive, *urls: str) -> list[str]:
    """``turan-crawler capture`` of ``urls`` into ``archive``, without delay."""
    return ["capture", "--archive", str(archive), "--delay", "0", *urls]


def crawl(archive: Path, server: ReplicaServer, *extra: str) -> subprocess.CompletedProcess:
    """A fast crawl of ``server`` into ``archive`` (no delay, 4 at a time)."""
    return run_cli(*crawl_args(archive, server.url, "--delay", "0", "--concurrency", "4", *extra))


def start_crawl(archive: Path, server: ReplicaServer, *extra: str) -> subprocess.Popen:
    """A crawl left running (to be killed, or raced)."""
    return subprocess.Popen(
        [sys.executable, "-m", "turan_crawler", *crawl_args(archive, server.url, *extra)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    children.setdefault(int(fh.read().rsplit(")", 1)[1].split()[1]), []).append(int(name))
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _pss_kb(pid: int) -> int:
    """A process's proportional set size: its memory, with pages shared with others (a forkserver's
    children share their preloaded modules) counted once across them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            return next((int(line.split()[1]) for line in fh if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def run_measured(*args: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess, float, float]:
    """``turan-crawler ARGS`` with the peak memory of its whole process tree (MB of PSS, the page-reading
    workers included, sampled every 0.1 s) and its wall time in seconds."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "turan_crawler", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    while proc.poll() is None and time.monotonic() - started < timeout:
        peak = max(peak, sum(_pss_kb(pid) for pid in _descendants(proc.pid)))
        time.sleep(0.1)
    if proc.poll() is None:
        proc.kill()
    stdout, stderr = proc.communicate()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    return result, peak / 1024, time.monotonic() - started


# -- what an archive holds -----------------------------------------------------------------------------
def index(archive: Path) -> sqlite3.Connection:
    """The archive's index, rows by column name."""
    conn = sqlite3.connect(Path(archive) / "turan.db")
    conn.row_factory = sqlite3.Row
    return conn


def count(archive: Path, sql: str, *params) -> int:
    with index(archive) as conn:
        return conn.execute(sql, params).fetchone()[0]


def captures_count(archive: Path) -> int:
    try:
        return count(archive, "select count(*) from captures")
    except sqlite3.Error:  # the index is still being created
        return 0


def warcio_check(archive: Path) -> subprocess.CompletedProcess:
    files = sorted(str(p) for p in (Path(archive) / "warc").glob("*.warc.gz"))
    return subprocess.run([BIN / "warcio", "check", *files], capture_output=True, text=True)


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 3 MB tmpfs as the archive folder: a real full disk (needs root, as in CI)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


# -- the replica ---------------------------------------------------------------------------------------
def truth_of(server: ReplicaServer) -> dict:
    return json.loads(fetch(server.url, "/_replica/truth.json").body)


def newest(server: ReplicaServer) -> dict:
    return max(truth_of(server)["articles"], key=lambda a: a["published_at"])


def requests_since(server: ReplicaServer, start: int) -> list[str]:
    return json.loads(fetch(server.url, "/_replica/requests.json").body)[start:]


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaServer]:
    """A shared, read-only replica with 300 articles and every fault. Do not publish or edit on it."""
    server = start_replica(articles=300, seed=1, slow_seconds=1.0)
    yield server
    server.stop()


@pytest.fixture
def fresh_replica() -> Iterator[ReplicaServer]:
    """A small replica of the test's own, free to publish, edit and remove articles."""
    server = start_replica(articles=40, seed=7, slow_seconds=0.5)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def replica_truth(replica: ReplicaServer) -> dict:
    return truth_of(replica)


@pytest.fixture(scope="session")
def history_archive(tmp_path_factory) -> Path:
    """An archive with a history: faults, two runs, an edit (version 2), unchanged re-fetches (revisits),
    a removed article and a failed fetch without a record. Read-only: copy it before changing it."""
    path = tmp_path_factory.mktemp("history")
    server = start_replica(articles=40, seed=12, now=datetime.now(BAKU), slow_seconds=0.2)
    try:
        fetch(server.url, "/_replica/publish?count=3")
        assert crawl(path, server).returncode == 0
        edited = newest(server)
        fetch(server.url, f"/_replica/edit?url={edited['url']}")
        removed = sorted(server.app.truth()["articles"], key=lambda a: a["published_at"])[-2]
        fetch(server.url, f"/_replica/remove?url={removed['url']}&status=410")
        assert crawl(path, server).returncode == 0
    finally:
        server.stop()
    return path


# -- another site ----------------------------------------------------------------------------------------
BLOG_POST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Notes from Baku | A Blog</title>
<meta property="og:title" content="Notes from Baku">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "BlogPosting",
 "headline": "Notes from Baku", "datePublished": "2025-05-02T08:00:00+00:00",
 "author": {"@type": "Person", "name": "Jane Doe"}}</script></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a></nav>
<main><article><h1>Notes from Baku</h1>
<p>The boulevard along the Caspian was crowded on Sunday evening, as families walked in the cool wind.</p>
<p>Prices in the old city have risen again this spring, and many small shops have closed for good.</p>
<p>Still, the tea houses near the Maiden Tower were full until late at night, as they always are.</p>
</article></main><footer>(c) A Blog</footer></body></html>"""


# the same post at a dated path and at a path shaped like Turan's /{lang}/{category} listings
BLOG_PATHS = ("/2025/05/notes-from-baku", "/en/notes-from-baku")


@contextmanager
def tiny_site(
    respond: Callable[[str], tuple[int, list[tuple[str, str]], bytes]], host: str = "127.0.0.1"
) -> Iterator[str]:
    """A small HTTP server on ``host`` answering ``respond(path) -> (status, headers, body)``; its base."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            status, headers, body = respond(self.path)
            self.send_response(status)
            for name, value in [*headers, ("Content-Length", str(len(body)))]:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Listener:
    port: int
    connections: int = 0


@contextmanager
def counting_listener(host: str = "127.0.0.1") -> Iterator[Listener]:
    """A TCP port on ``host`` that counts the connections made to it and closes each at once: the proof
    that an address a crawl refused was never reached."""
    sock = socket.create_server((host, 0))
    listener = Listener(sock.getsockname()[1])

    def accept() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:  # closed
                return
            listener.connections += 1
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener
    finally:
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@pytest.fixture
def internal_name() -> tuple[str, str]:
    """(this machine's name, the internal address it resolves to): a name no literal check can see through."""
    name = socket.gethostname()
    try:
        address = socket.gethostbyname(name)
    except OSError:
        pytest.skip(f"this machine's name {name!r} does not resolve")
    if not ipaddress.ip_address(address).is_private:
        pytest.skip(f"this machine's name resolves to a public address ({address})")
    return name, address


@pytest.fixture
def other_site() -> Iterator[str]:
    """A local blog (not Turan) for the generic extractor: its base URL."""

    def respond(path: str):
        found = path in BLOG_PATHS
        return (
            (200 if found else 404),
            [("Content-Type", "text/html; charset=utf-8")],
            (BLOG_POST.encode() if found else b"not found"),
        )

    with tiny_site(respond) as base:
        yield base


# -- real clients ----------------------------------------------------------------------------------------
PYWB_VENV = REPO / ".venv-pywb"  # pywb pins old cryptography and brotlipy: it gets a venv of its own
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def pywb_bin() -> Path:
    if not (PYWB_VENV / "bin" / "wayback").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PYWB_VENV)], check=True)
        subprocess.run([PYWB_VENV / "bin" / "pip", "install", "-q", "pywb==2.10.*"], check=True, timeout=900)
    return PYWB_VENV / "bin"


@contextmanager
def running_wayback(archive: Path, pywb_bin: Path, workdir: Path, wacz: Path | None = None) -> Iterator[str]:
    """pywb's wayback serving ``archive``'s WARC files (or the package ``wacz``, as pywb unpacks one) as
    collection ``turan``; its base URL."""
    env = {"PATH": f"{pywb_bin}:/usr/bin:/bin"}
    subprocess.run(
        [pywb_bin / "wb-manager", "init", "turan"], cwd=workdir, check=True, env=env, capture_output=True
    )
    warcs = [str(p) for p in sorted((Path(archive) / "warc").glob("*.warc.gz"))]
    subprocess.run(
        [pywb_bin / "wb-manager", "add", "turan", *(["--unpack-wacz", str(wacz)] if wacz else warcs)],
        cwd=workdir,
        check=True,
        env=env,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [pywb_bin / "wayback", "-p", str(port), "-b", "127.0.0.1"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_url(f"{base}/turan/cdx?url=example.com", 60, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def running_serve(archive: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real ``turan-crawler serve`` of ``archive``: (its base URL, its process)."""
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "turan_crawler", "serve", "--archive", str(archive), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_url(base + "/turan", 60, serve)
        yield base, serve
    finally:
        serve.terminate()
        serve.wait(timeout=10)


# -- servers started by tests --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_url(url: str, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers (any status); fail if ``proc`` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            assert time.monotonic() < deadline, f"{url} did not answer"
            assert proc is None or proc.poll() is None, f"the server for {url} exited"
            time.sleep(0.2)
