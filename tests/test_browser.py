"""A real browser (headless Chromium) on the Datasette views as a reader uses them: the article page, the
articles table, a search typed in one spelling that finds the others, a diff, the dashboard and an
archived page in its sandbox.

The archive is the session's history archive plus two pages captured with `turan-crawler capture` from a
local server (tests/fixtures/spellings: an Azerbaijani article naming Əliyev, a Russian one naming Алиев),
so that a search for `Aliyev` has other scripts to find. Screenshots land in test-output/ for a person to
look at. Needs Debian's chromium (`.ci/run` installs it); Playwright drives it, its own browser download is
not used.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import capture_args, free_port, run_cli, wait_for_url

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "spellings"
PAGES = {  # path on the local server -> fixture page
    "/az/siyaset/prezident-ilham-eliyev-susada-yeni-mektebi-acdi-790501.html": "az.html",
    "/ru/politika/ilham-aliev-obsudil-s-evrosoyuzom-postavki-gaza-790502.html": "ru.html",
}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing(what: str) -> None:
    """Skip on a developer's machine without ``what``; fail in CI (CI=true), where a skip would hide it."""
    if os.environ.get("CI"):
        pytest.fail(what)
    pytest.skip(what)


@pytest.fixture(scope="session", autouse=True)
def chromium() -> str:
    """Debian's chromium, looked for before any archive is built for it."""
    if CHROMIUM is None:
        missing("Debian's chromium is not installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def spelling_archive(history_archive, tmp_path_factory) -> Path:
    """A copy of the history archive with the two fixture pages captured into it."""
    archive = tmp_path_factory.mktemp("spellings") / "archive"
    shutil.copytree(history_archive, archive)

    site = tmp_path_factory.mktemp("site")  # the fixture pages at article-like paths, served as files
    for path, name in PAGES.items():
        (site / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / name, site / path.lstrip("/"))

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        done = run_cli(*capture_args(archive, *(base + path for path in PAGES)))
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        server.shutdown()
        server.server_close()
    return archive


@pytest.fixture
def served(spelling_archive):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "turan_crawler",
            "serve",
            "--archive",
            str(spelling_archive),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for_url(base + "/turan", 30, proc)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def one(archive: Path, sql: str, *params):
    with sqlite3.connect(archive / "turan.db") as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchone()


def test_a_reader_in_chromium(served, spelling_archive, chromium):
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    az = one(spelling_archive, "select * from articles where url like '%-790501.html'")
    ru = one(spelling_archive, "select * from articles where url like '%-790502.html'")
    edited = one(spelling_archive, "select * from articles where version = 2")
    seed = one(spelling_archive, "select capture_id from articles where title like '''Peace Is Possible%'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        # the article page: title, date in words (stored value on hover), author, paragraphs, archived copy
        page.goto(f"{served}/-/turan/article/{az['id']}")
        assert page.inner_text("h1") == az["title"]
        when = page.locator(".meta time")
        assert when.inner_text() == "10 January 2026, 11:30 (UTC+04:00)"
        assert when.get_attribute("title") == az["published_at"]
        assert "by Günel Həsənova" in page.inner_text(".meta")
        assert page.locator(".body p").count() == len([p for p in az["body"].split("\n\n") if p.strip()])
        page.screenshot(path=str(OUTPUT / "article.png"), full_page=True)
        page.click("ul.captures a")
        assert "Archived page:" in page.inner_text(".banner")
        assert "Əliyev" in page.frame_locator("iframe").locator("h1").inner_text()

        # the articles table: titles lead to article pages, capture cells to archived pages, compact rows
        page.goto(f"{served}/turan/articles")
        table = page.locator("table.rows-and-columns")
        assert "{'value'" not in table.inner_text()
        first_title = table.locator("a.article-link").first
        assert first_title.get_attribute("href").startswith("/-/turan/article/")
        assert table.locator("a.capture-link").count() == table.locator("tbody tr").count()
        height_per_row = table.bounding_box()["height"] / table.locator("tbody tr").count()
        assert height_per_row < 150, height_per_row
        page.screenshot(path=str(OUTPUT / "table.png"))
        table.locator("a.capture-link").first.click()
        assert "Archived page:" in page.inner_text(".banner")

        # search in one spelling finds the others, matches marked in the original script
        page.goto(f"{served}/turan/search?q=Aliyev&lang=")
        results = page.inner_text("table.rows-and-columns")
        assert az["title"] in results and ru["title"] in results
        marked = {m.inner_text() for m in page.locator("table.rows-and-columns mark").all()}
        assert {"Əliyev", "Алиев"} <= marked, marked
        assert "[" not in "".join(marked)
        page.screenshot(path=str(OUTPUT / "search.png"), full_page=True)
        page.click(f"text={ru['title']}")
        assert page.inner_text("h1") == ru["title"]

        # the diff: title, both versions' dates, changed words, a way back
        page.goto(f"{served}/-/turan/article/{edited['id']}/diff")
        assert edited["title"] in page.inner_text("h1")
        assert "Version 1 → version 2" in page.inner_text("h2")
        assert page.locator(".text ins, .text del").count() > 0
        page.screenshot(path=str(OUTPUT / "diff.png"), full_page=True)
        page.click("text=Back to the article")
        assert page.url.endswith(f"/-/turan/article/{edited['id']}")

        # the dashboard fits the window, at two widths, and no label sits on the legend
        for width in (1280, 760):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{served}/-/turan/dashboard")
            charts = page.locator("svg.chart")
            assert charts.count() == 3
            for i in range(3):
                assert charts.nth(i).bounding_box()["width"] <= width
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            overlaps = page.evaluate(
                """() => Array.from(document.querySelectorAll('svg.chart')).flatMap(svg => {
                    const boxes = t => Array.from(svg.querySelectorAll(t)).map(e => e.getBoundingClientRect());
                    const legend = boxes('text.legend'), others = boxes('text:not(.legend)');
                    return legend.flatMap(a => others.filter(b => a.left < b.right && b.left < a.right
                        && a.top < b.bottom && b.top < a.bottom));
                })"""
            )
            assert overlaps == []
            page.screenshot(path=str(OUTPUT / f"dashboard-{width}.png"), full_page=True)

        # an archived page: the captured bytes in a sandbox, where no script runs
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{served}/-/turan/capture/{seed['capture_id']}")
        assert "Blinken" in page.frame_locator("iframe").locator("h1").inner_text()
        assert "Archived page:" in page.inner_text(".banner")
        page.screenshot(path=str(OUTPUT / "archived-page.png"))
        scripts_ran = (
            page.frames[1].evaluate("() => typeof window.__APP__") if len(page.frames) > 1 else "undefined"
        )
        browser.close()
    assert scripts_ran == "undefined"  # the page's inline script never ran in the sandboxed frame
