"""The WACZ in ReplayWeb.page itself: its static app (from the npm registry) and the package served on
127.0.0.1, opened in Debian's chromium; the page list shows the articles and an article replays.

Also checks the zip structure ReplayWeb.page's loader (wabac.js) relies on: each member's local header
agrees with its central directory entry about ZIP64.

Needs chromium (`apt-get install chromium`) and npm (the app is fetched once with `npm pack` into
~/.cache/turan-crawler/replaywebpage-VERSION). Screenshots land in test-output/.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from turan_crawler.replica import start_replica

# the version this test was verified with, and its npm integrity (sha512 of the tarball)
RWP_VERSION = "2.5.3"
RWP_INTEGRITY = (
    "sha512-nCj2PSON3BxeSJKE8AsYPyULv0XPZKJWfy4l9PyQre9SqwLZ+WKZVs/sfLqPOQ4GrH+0YkjbwOhr8cSTH08gsQ=="
)
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "turan-crawler"
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEED_ARTICLE = "764817"  # the replica's seed article (Blinken/Aliyev), always in a crawl of it

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]  # the first run fetches the app


def missing(what: str) -> None:
    """Skip on a developer's machine without ``what``; fail in CI (CI=true), where a skip would hide it."""
    if os.environ.get("CI"):
        pytest.fail(what)
    pytest.skip(what)


def cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "turan_crawler", *args], capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def replaywebpage() -> Path:
    """ReplayWeb.page's static app (index.html, ui.js, sw.js...), fetched once with npm and kept in CACHE."""
    app = CACHE / f"replaywebpage-{RWP_VERSION}"
    if all((app / name).is_file() for name in ("index.html", "ui.js", "sw.js")):
        return app
    npm = shutil.which("npm")
    if npm is None:
        missing("npm is not installed (Debian: apt-get install npm); it fetches the ReplayWeb.page app")
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"replaywebpage-{RWP_VERSION}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run may be fetching it too
        if not (app / "sw.js").is_file():
            fetch_replaywebpage(npm, app)
    return app


def fetch_replaywebpage(npm: str, app: Path) -> None:
    shutil.rmtree(app, ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        packed = subprocess.run(
            [npm, "pack", f"replaywebpage@{RWP_VERSION}", "--pack-destination", scratch, "--silent"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert packed.returncode == 0, (
            f"npm pack replaywebpage@{RWP_VERSION} failed (npm registry reachable?):\n{packed.stderr}"
        )
        tarball = Path(scratch) / packed.stdout.strip().splitlines()[-1]
        digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        assert f"sha512-{digest}" == RWP_INTEGRITY, f"{tarball.name} does not match its pinned integrity"
        with tarfile.open(tarball) as tar:
            tar.extractall(scratch, filter="data")
        os.replace(Path(scratch) / "package", app)  # whole or not at all


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> tuple[Path, Path]:
    """A crawl of a small replica (stopped before any replay: what shows comes from the WACZ), and its WACZ."""
    work = tmp_path_factory.mktemp("replayweb")
    archive, wacz = work / "archive", work / "turan.wacz"
    server = start_replica(articles=40, seed=7)
    try:
        crawl = cli(
            "crawl",
            "--archive",
            str(archive),
            "--start-url",
            server.url,
            "--quiet",
            "--delay",
            "0",
            "--concurrency",
            "8",
            "--backfill-pages",
            "all",
        )
    finally:
        server.stop()
    assert crawl.returncode == 0, crawl.stderr
    packed = cli("wacz", str(wacz), "--archive", str(archive))
    assert packed.returncode == 0, packed.stderr
    return archive, wacz


class StaticHandler(BaseHTTPRequestHandler):
    """GET and HEAD of the app's files and the WACZ, with single byte ranges (ReplayWeb.page reads a WACZ
    by ranges: a HEAD with ``Range: bytes=0-``, the end of the zip, then each member's bytes)."""

    protocol_version = "HTTP/1.1"
    routes: dict[str, Path] = {}  # URL path prefix -> folder, or exact URL path -> file
    log: list[tuple[str, str, int]] = []
    types = {".html": "text/html", ".js": "text/javascript", ".json": "application/json", ".css": "text/css"}

    def resolve(self) -> Path | None:
        path = unquote(urlsplit(self.path).path)
        for prefix, target in self.routes.items():
            if target.is_file() and path == prefix:
                return target
            if target.is_dir() and path.startswith(prefix):
                found = (target / path[len(prefix) :]).resolve()
                if found.is_relative_to(target) and found.is_file():
                    return found
        return None

    def do_HEAD(self) -> None:
        self.respond(body=False)

    def do_GET(self) -> None:
        self.respond(body=True)

    def respond(self, body: bool) -> None:
        found = self.resolve()
        if found is None:
            return self.finish_with(404, b"not found", "text/plain", body)
        size = found.stat().st_size
        start, end, status = 0, size - 1, 200
        if match := re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip()):
            first, last = match.groups()
            if first:
                start, end = int(first), min(int(last), size - 1) if last else size - 1
            elif last:
                start = max(size - int(last), 0)
            if start > end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.log.append((self.command, self.path, 416))
                return
            status = 206
        ctype = self.types.get(found.suffix, "application/octet-stream")
        self.send_response(status)
        self.send_header("Content-Type", ctype + ("; charset=utf-8" if ctype.startswith("text/") else ""))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        self.log.append((self.command, self.path, status))
        if body:
            with open(found, "rb") as fh:
                fh.seek(start)
                left = end - start + 1
                while left > 0 and (chunk := fh.read(min(left, 1 << 20))):
                    self.wfile.write(chunk)
                    left -= len(chunk)

    def finish_with(self, status: int, data: bytes, ctype: str, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.log.append((self.command, self.path, status))
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(replaywebpage, crawled) -> Iterator[tuple[str, list]]:
    """The app at / and the WACZ at /archive/turan.wacz on 127.0.0.1 (a secure context, as the service
    worker needs); yields the base URL and the request log."""
    handler = type(
        "Handler",
        (StaticHandler,),
        {"routes": {"/archive/turan.wacz": crawled[1], "/": replaywebpage.resolve()}, "log": []},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.log
    server.shutdown()
    server.server_close()


def test_wacz_members_agree_on_zip64_in_local_and_central_headers(crawled):
    """No member here needs ZIP64, so none has a ZIP64 extra field in either header; and each member's
    data starts right after its local header's name and extra, where a reader that trusts the central
    directory's extra length looks for it."""
    _, wacz = crawled
    with zipfile.ZipFile(wacz) as zf, open(wacz, "rb") as raw:
        assert zf.testzip() is None
        for info in zf.infolist():
            raw.seek(info.header_offset)
            (sig, _, _, _, _, _, _, csize, usize, name_len, extra_len) = struct.unpack(
                "<IHHHHHIIIHH", raw.read(30)
            )
            assert sig == 0x04034B50
            raw.seek(name_len, os.SEEK_CUR)
            local_extra = raw.read(extra_len)
            assert info.file_size < zipfile.ZIP64_LIMIT
            assert local_extra == info.extra == b"", f"{info.filename}: extra fields, none needed"
            assert (csize, usize) == (info.compress_size, info.file_size), info.filename
            first = raw.read(min(info.file_size, 64))
            with zf.open(info) as member:
                assert member.read(len(first)) == first, info.filename


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        missing("Debian's chromium is not installed (apt-get install chromium)")
    return CHROMIUM


def test_replaywebpage_lists_the_articles_and_replays_one(chromium, crawled, served):
    from playwright.sync_api import expect, sync_playwright

    archive, _ = crawled
    base, requests = served
    titles = dict(sqlite3.connect(archive / "turan.db").execute("select url, title from articles"))
    seed_url = next(url for url in titles if url.endswith(SEED_ARTICLE))
    OUTPUT.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.goto(f"{base}/index.html?source={quote(base + '/archive/turan.wacz', safe=':/')}")
            entries = page.locator("wr-page-entry p.page-title keyword-mark")
            error = page.locator("wr-loader .error")
            entries.first.or_(error).wait_for(timeout=60_000)
            if error.count():
                page.screenshot(path=str(OUTPUT / "replayweb-pages.png"))
                pytest.fail(f"ReplayWeb.page could not load the WACZ: {error.inner_text()}")
            expect(entries).to_have_count(len(titles), timeout=30_000)
            listed = [entries.nth(i).get_attribute("title") for i in range(entries.count())]
            page.screenshot(path=str(OUTPUT / "replayweb-pages.png"))
            assert sorted(listed) == sorted(titles.values())

            page.locator(f"wr-page-entry a:has(keyword-mark[title={json.dumps(titles[seed_url])}])").click()
            frame = page.frame_locator("wr-coll-replay iframe")
            heading = frame.locator("h1").first
            heading.wait_for(timeout=60_000)
            assert titles[seed_url] in heading.inner_text()
            assert "Blinken" in frame.locator("body").inner_text()
            page.screenshot(path=str(OUTPUT / "replayweb-article.png"))
        finally:
            browser.close()
    wacz_reads = [(method, status) for method, path, status in requests if path == "/archive/turan.wacz"]
    assert ("GET", 206) in wacz_reads and ("GET", 200) not in wacz_reads  # read by ranges, never whole
