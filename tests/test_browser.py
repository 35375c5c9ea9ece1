"""A real browser (headless Chromium) on the Datasette views: the search page and an archived page.

Screenshots land in test-output/ for a person to look at. Needs Debian's chromium (`.ci/run` installs it);
Playwright drives it, its own browser download is not used.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port, wait_for_url

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytest.fixture
def served(history_archive):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "turan_crawler",
            "serve",
            "--archive",
            str(history_archive),
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


def test_search_and_archived_page_render_in_chromium(served, history_archive):
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    capture_id = (
        sqlite3.connect(history_archive / "turan.db")
        .execute("select capture_id from articles where title like '''Peace Is Possible%'")
        .fetchone()[0]
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{served}/turan/search?q=Lachin&lang=")
        page.screenshot(path=str(OUTPUT / "search.png"), full_page=True)
        assert "[Lachin]" in page.inner_text("table.rows-and-columns")
        page.goto(f"{served}/-/turan/capture/{capture_id}")
        frame = page.frame_locator("iframe")
        assert "Blinken" in frame.locator("h1").inner_text()
        assert "Archived page:" in page.inner_text(".banner")
        page.screenshot(path=str(OUTPUT / "archived-page.png"))
        scripts_ran = (
            page.frames[1].evaluate("() => typeof window.__APP__") if len(page.frames) > 1 else "undefined"
        )
        browser.close()
    assert scripts_ran == "undefined"  # the page's inline script never ran in the sandboxed frame
