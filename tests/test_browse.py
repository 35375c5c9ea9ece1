"""Browsing with Datasette: facets, relevance search, canned queries, archived pages in a sandbox, diffs,
the feed, escaping, and a real `turan-crawler serve` reading while a crawl writes."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from importlib import resources

import pytest
import sqlite_utils
import yaml
from conftest import crawl_args, free_port, start_crawl, wait_for_url
from datasette.app import Datasette

from turan_crawler.replica import start_replica
from turan_crawler.warc.reader import read_record_at

METADATA = yaml.safe_load(resources.files("turan_crawler.datasette").joinpath("metadata.yml").read_text())


def get(ds: Datasette, path: str):
    return asyncio.run(ds.client.get(path))


@pytest.fixture
def ds(history_archive, tmp_path) -> Datasette:
    """Datasette over a copy of the archive's index (the WARCs beside it), as `serve` configures it."""
    shutil.copytree(history_archive, tmp_path / "a")
    return Datasette(
        [str(tmp_path / "a" / "turan.db")], metadata=METADATA, settings={"suggest_facets": False}
    )


def test_facets_come_back_labelled(ds):
    data = get(ds, "/turan/articles.json?_facet=category&_facet=lang&_facet=paywalled").json()
    facets = data["facet_results"]
    assert {r["value"] for r in facets["lang"]["results"]} == {"en", "az", "ru"}
    assert "Politics" in {r["label"] for r in facets["category"]["results"]}
    first = get(ds, "/turan/articles.json?_shape=array&_size=20").json()
    assert len(first) == 20
    assert [r["published_at"] for r in first] == sorted((r["published_at"] for r in first), reverse=True)


def test_search_ranks_the_matching_article_first_with_a_snippet(ds):
    rows = get(ds, "/turan/search.json?q=Lachin&lang=&_shape=array").json()
    assert rows[0]["title"].startswith("'Peace Is Possible'") and "[Lachin]" in rows[0]["snippet"]
    assert get(ds, "/turan/search.json?q=Lachin&lang=ru&_shape=array").json() == []


def test_canned_queries_return_their_rows(ds):
    edited = get(ds, "/turan/edited.json?_shape=array").json()
    assert edited and all(r["version"] > 1 for r in edited)
    removed = get(ds, "/turan/removed.json?_shape=array").json()
    assert len(removed) == 1 and removed[0]["removed_at"]
    runs = get(ds, "/turan/recent_runs.json?_shape=array").json()
    assert [r["finish_reason"] for r in runs] == ["finished", "finished"]
    problems = get(ds, "/turan/last_run_problems.json?_shape=array").json()
    assert problems and {r["outcome"] for r in problems} <= {"blocked", "error"}
    latest = get(ds, "/turan/latest.json?_shape=array").json()
    assert latest[0]["published_at"] >= latest[-1]["published_at"]


def test_archived_page_route_serves_the_captured_bytes_in_a_sandbox(ds, history_archive):
    conn = sqlite3.connect(history_archive / "turan.db")
    capture_id, warc_file, offset = conn.execute(
        "select id, warc_file, warc_offset from captures where outcome = 'ok' and url like '%/en/politics/%' "
        "limit 1"
    ).fetchone()
    raw = get(ds, f"/-/turan/capture/{capture_id}/raw")
    assert raw.status_code == 200
    assert raw.headers["content-security-policy"].startswith("sandbox; default-src 'none'")
    assert raw.content == read_record_at(history_archive / "warc" / warc_file, offset).decoded_payload()
    page = get(ds, f"/-/turan/capture/{capture_id}")
    assert "<iframe sandbox src='/-/turan/capture/" in page.text and "Archived page:" in page.text


def test_a_revisit_shows_the_original_body(ds, history_archive):
    conn = sqlite3.connect(history_archive / "turan.db")
    revisit, original = conn.execute(
        "select id, refers_to_capture_id from captures where outcome = 'revisit' limit 1"
    ).fetchone()
    assert (
        get(ds, f"/-/turan/capture/{revisit}/raw").content
        == get(ds, f"/-/turan/capture/{original}/raw").content
    )


def test_cells_link_to_archived_pages_and_diffs(ds, history_archive):
    article_id = (
        sqlite3.connect(history_archive / "turan.db")
        .execute("select id from articles where version = 2")
        .fetchone()[0]
    )
    html = get(ds, f"/turan/articles/{article_id}").text
    assert "archived page</a>" in html and f"/-/turan/article/{article_id}/diff" in html
    diff = get(ds, f"/-/turan/article/{article_id}/diff").text
    assert "version 1" in diff and "version 2" in diff and "diff_add" in diff


def test_the_atom_feed_lists_the_latest_articles(ds):
    feed = get(ds, "/turan/feed.atom")
    assert feed.status_code == 200 and "<feed" in feed.text and "<entry>" in feed.text


def test_a_stored_script_stays_inert(ds):
    db = sqlite_utils.Database(ds.get_database("turan").path)
    evil = (
        db["articles"]
        .insert(
            {
                "url": "http://x/en/politics/evil-790999",
                "title": "<script>alert(1)</script>",
                "body": "<img src=x onerror=alert(2)>",
                "version": 1,
            }
        )
        .last_pk
    )
    for path in (
        "/turan/articles?_search=alert",
        "/turan/latest",
        f"/turan/articles/{evil}",
        "/turan/search?q=alert&lang=",
    ):
        page = get(ds, path)
        assert page.status_code == 200, path
        assert "<script>alert(1)</script>" not in page.text and "<img src=x onerror" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in get(ds, f"/turan/articles/{evil}").text


def test_serve_reads_while_a_crawl_writes(tmp_path):
    server = start_replica(articles=60, seed=21, faults=False)
    first = subprocess.run(
        [
            sys.executable,
            "-m",
            "turan_crawler",
            *crawl_args(tmp_path, server.url, "--lang", "en", "--delay", "0"),
        ],
        capture_output=True,
        timeout=300,
    )
    assert first.returncode == 0
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "turan_crawler", "serve", "--archive", str(tmp_path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    crawl = None
    try:
        url = f"http://127.0.0.1:{port}/turan/captures.json?_shape=array&_size=1&_sort_desc=id"
        wait_for_url(url, 30, serve)
        crawl = start_crawl(tmp_path, server, "--lang", "az,ru", "--backfill-pages", "all", "--delay", "0.02")
        seen = []
        while crawl.poll() is None:
            with urllib.request.urlopen(url, timeout=10) as resp:
                body = resp.read().decode()
                assert resp.status == 200 and "locked" not in body
                seen.append(body)
            time.sleep(0.1)
        assert crawl.returncode == 0
        assert len(seen) > 5 and len(set(seen)) > 2  # it saw the crawl's new rows as they came
    finally:
        if crawl and crawl.poll() is None:
            crawl.kill()
        serve.terminate()
        serve.wait(timeout=10)
        server.stop()


def test_the_dashboard_draws_articles_per_month_and_runs(ds, history_archive):
    page = get(ds, "/-/turan/dashboard")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3 and "<script" not in page.text
    assert "Articles per month, by language" in page.text and "■ az" in page.text and "■ ru" in page.text
    conn = sqlite3.connect(history_archive / "turan.db")
    runs = conn.execute("select id, pages from runs").fetchall()
    assert len(runs) == 2
    for run_id, pages in runs:  # each run is a bar whose tooltip gives its page count
        assert f"<title>#{run_id}: {pages}</title>" in page.text
