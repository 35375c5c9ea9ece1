"""Scheduled crawls: incremental runs, article versions and revisits, removed articles, the lock, and
recovery from kill -9 at any moment."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from datetime import datetime

import pytest
from conftest import (
    captures_count,
    crawl,
    fetch,
    index,
    newest,
    requests_since,
    run_cli,
    start_crawl,
    truth_of,
    wait_for,
    warcio_check,
)
from warcio.archiveiterator import ArchiveIterator

from turan_crawler.replica import ReplicaServer, start_replica
from turan_crawler.replica.site import BAKU
from turan_crawler.sites import TURAN


def request_count(server: ReplicaServer) -> int:
    return len(requests_since(server, 0))


@pytest.fixture
def quiet_site() -> Iterator[ReplicaServer]:
    """40 articles, no faults, the site's default clock (nothing recent enough to refresh)."""
    server = start_replica(articles=40, seed=5, faults=False)
    yield server
    server.stop()


@pytest.fixture
def live_site() -> Iterator[ReplicaServer]:
    """40 articles whose newest were published in the last two days (the site's clock is now)."""
    server = start_replica(articles=40, seed=6, faults=False, now=datetime.now(BAKU))
    yield server
    server.stop()


def test_unchanged_rerun_fetches_only_listings_and_new_articles_are_fetched_once(tmp_path, quiet_site):
    assert crawl(tmp_path, quiet_site).returncode == 0
    before = request_count(quiet_site)
    second = crawl(tmp_path, quiet_site)
    assert second.returncode == 0 and "0 new articles" in second.stderr
    paths = [r.split(" ", 1)[1] for r in requests_since(quiet_site, before)]
    assert paths and not [p for p in paths if TURAN.article_url(quiet_site.url + p)]  # listings and sitemaps
    # robots.txt, the sitemaps, the front pages and the first page of each listing they offer: no page
    # beyond the first, so the re-run costs the same however large the archive grows
    assert not [p for p in paths if "page=" in p], paths

    published = json.loads(fetch(quiet_site.url, "/_replica/publish?count=5").body)
    before = request_count(quiet_site)
    third = crawl(tmp_path, quiet_site)
    assert third.returncode == 0 and "5 new articles" in third.stderr
    fetched_articles = {
        p
        for p in (r.split(" ", 1)[1] for r in requests_since(quiet_site, before))
        if TURAN.article_url(quiet_site.url + p)
    }
    assert fetched_articles == set(published)
    assert index(tmp_path).execute("select count(*) from articles").fetchone()[0] == 41 + 5
    runs = index(tmp_path).execute("select finish_reason, articles_new from runs order by id").fetchall()
    assert [tuple(r) for r in runs] == [("finished", 41), ("finished", 0), ("finished", 5)]
    assert len(list((tmp_path / "logs").glob("*-crawl.log"))) == 3


def test_edit_inside_the_refresh_window_makes_version_2_and_unchanged_pages_become_revisits(
    tmp_path, live_site
):
    fetch(live_site.url, "/_replica/publish?count=3")  # three more articles from the last two days
    assert crawl(tmp_path, live_site).returncode == 0
    article = newest(live_site)
    original_body = article["body"]
    fetch(live_site.url, f"/_replica/edit?url={article['url']}")
    second = crawl(tmp_path, live_site)
    assert second.returncode == 0 and "1 updated" in second.stderr

    row = (
        index(tmp_path)
        .execute("select * from articles where url = ?", [live_site.url + article["url"]])
        .fetchone()
    )
    assert row["version"] == 2 and row["body"] == newest(live_site)["body"] != original_body
    versions = (
        index(tmp_path)
        .execute("select version, body from article_versions where article = ? order by version", [row["id"]])
        .fetchall()
    )
    assert [v["version"] for v in versions] == [1, 2] and versions[0]["body"] == original_body

    revisits = index(tmp_path).execute("select * from captures where outcome = 'revisit'").fetchall()
    assert revisits  # the other recent articles were fetched again, unchanged
    for revisit in revisits:
        original = (
            index(tmp_path)
            .execute("select * from captures where id = ?", [revisit["refers_to_capture_id"]])
            .fetchone()
        )
        assert (original["url"], original["payload_digest"]) == (revisit["url"], revisit["payload_digest"])
        with open(tmp_path / "warc" / revisit["warc_file"], "rb") as fh:
            fh.seek(revisit["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
        headers = record.rec_headers
        assert record.rec_type == "revisit"
        assert headers.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
        assert headers.get_header("WARC-Refers-To-Target-URI") == original["url"]
        assert headers.get_header("WARC-Refers-To-Date") == original["fetched_at"]
        assert headers.get_header("WARC-Payload-Digest") == original["payload_digest"]
        assert record.content_stream().read() == b""  # no second copy of the body
    assert run_cli("verify", "--archive", str(tmp_path)).returncode == 0


def test_a_removed_article_keeps_its_text_and_gets_removed_at(tmp_path, live_site):
    assert crawl(tmp_path, live_site).returncode == 0
    article = newest(live_site)
    fetch(live_site.url, f"/_replica/remove?url={article['url']}&status=410")
    assert crawl(tmp_path, live_site).returncode == 0
    row = (
        index(tmp_path)
        .execute("select * from articles where url = ?", [live_site.url + article["url"]])
        .fetchone()
    )
    assert row["removed_at"] and row["body"] == article["body"]
    last = (
        index(tmp_path)
        .execute(
            "select outcome, status from captures where url = ? order by id desc",
            [live_site.url + article["url"]],
        )
        .fetchone()
    )
    assert tuple(last) == ("error", 410)


def test_a_second_run_exits_75_and_the_lock_of_a_killed_run_is_taken_over(tmp_path, quiet_site):
    first = start_crawl(tmp_path, quiet_site, "--delay", "0.3", "--concurrency", "1")
    lock = tmp_path / ".lock"
    wait_for(lambda: lock.exists() and lock.read_text().startswith("pid "))
    second = crawl(tmp_path, quiet_site)
    assert second.returncode == 75
    assert f"another crawl (pid {first.pid}, started " in second.stderr and str(lock) in second.stderr
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    third = crawl(tmp_path, quiet_site)
    assert third.returncode == 0, third.stderr
    assert index(tmp_path).execute("select finish_reason from runs order by id").fetchall()[0][0] == "killed"
    assert run_cli("verify", "--archive", str(tmp_path)).returncode == 0


def test_verify_repair_closes_what_a_killed_run_left_open(tmp_path, quiet_site):
    first = start_crawl(tmp_path, quiet_site, "--delay", "0.05", "--concurrency", "2")
    wait_for(lambda: any((tmp_path / "warc").glob("*.open")) and captures_count(tmp_path) > 5)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    broken = run_cli("verify", "--archive", str(tmp_path))
    assert broken.returncode == 1 and "still open" in broken.stdout
    repaired = run_cli("verify", "--repair", "--archive", str(tmp_path))
    assert repaired.returncode == 0, repaired.stdout
    assert "closed 1 unfinished WARC file(s)" in repaired.stderr
    assert warcio_check(tmp_path).returncode == 0


@pytest.mark.slow
def test_sigkill_at_several_points_then_a_clean_finish(tmp_path):
    server = start_replica(articles=150, seed=9, faults=False)
    try:
        truth = {server.url + a["url"] for a in truth_of(server)["articles"]}
        for captures_before_kill in (3, 60, 140):
            run = start_crawl(
                tmp_path, server, "--delay", "0", "--concurrency", "4", "--backfill-pages", "all"
            )
            wait_for(
                lambda n=captures_before_kill, run=run: (
                    captures_count(tmp_path) >= n or run.poll() is not None
                )
            )
            run.send_signal(signal.SIGKILL)
            run.wait()
        final = crawl(tmp_path, server, "--backfill-pages", "all")
        assert final.returncode == 0, final.stderr
    finally:
        server.stop()
    assert warcio_check(tmp_path).returncode == 0
    verify = run_cli("verify", "--archive", str(tmp_path))
    assert verify.returncode == 0, verify.stdout
    urls = [r[0] for r in index(tmp_path).execute("select url from articles")]
    assert sorted(urls) == sorted(truth)  # every article, exactly once
    killed = index(tmp_path).execute("select count(*) from runs where finish_reason = 'killed'").fetchone()[0]
    assert killed >= 2
