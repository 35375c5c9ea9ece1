"""The crawl end to end: the replica -> `turan-crawler crawl` -> WARC files + SQLite index.

One crawl of a 300-article replica (with every fault) is shared by the tests of this module; each test
reads what that crawl left behind.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlite_utils
from conftest import BIN, crawl_args, fetch, run_cli, truth_of
from warcio.archiveiterator import ArchiveIterator

from turan_crawler.replica import start_replica
from turan_crawler.replica.site import TRUTH_FIELDS
from turan_crawler.warc.reader import read_record_at

FIELDS = TRUTH_FIELDS


@dataclass
class Crawl:
    base: str
    archive: Path
    truth: dict
    result: subprocess.CompletedProcess
    requests: list[str]  # the site's host
    timed_requests: list[dict]  # both hosts, with times

    @property
    def db(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.archive / "turan.db")
        conn.row_factory = sqlite3.Row
        return conn

    def captures(self, path: str) -> list[sqlite3.Row]:
        return self.db.execute(
            "select * from captures where url = ? order by id", [self.base + path]
        ).fetchall()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Iterator[Crawl]:
    server = start_replica(articles=300, seed=1, slow_seconds=1.0)
    archive = tmp_path_factory.mktemp("archive")
    try:
        result = run_cli(
            *crawl_args(archive, server.url, "--delay", "0", "--concurrency", "8", "--backfill-pages", "all")
        )
        requests = json.loads(fetch(server.url, "/_replica/requests.json").body)
        timed = json.loads(fetch(server.url, "/_replica/requests_timed.json").body)
        yield Crawl(server.url, archive, truth_of(server), result, requests, timed)
    finally:
        server.stop()


def test_crawl_succeeds_with_one_summary_line(crawl):
    assert crawl.result.returncode == 0, crawl.result.stderr
    summary = [line for line in crawl.result.stderr.splitlines() if " turan-crawler crawl: " in line]
    assert (
        summary and datetime.fromisoformat(summary[0].split(" ", 1)[0]).tzinfo
    )  # stamped: cron.log reads back
    articles = len(crawl.truth["articles"])
    blocked = sum(f["expect"] == "blocked" for f in crawl.truth["faults"])
    assert (
        len(summary) == 1 and f"{articles} new articles" in summary[0] and f"{blocked} blocked" in summary[0]
    )
    run = crawl.db.execute("select * from runs").fetchone()
    assert (
        run["finish_reason"] == "finished" and run["articles_new"] == articles and run["blocked"] == blocked
    )


def test_every_replica_article_is_archived_with_the_truths_fields(crawl):
    rows = {r["url"]: dict(r) for r in crawl.db.execute("select * from articles")}
    assert set(rows) == {crawl.base + a["url"] for a in crawl.truth["articles"]}  # and nothing bogus
    mismatches = [
        (a["url"], f, rows[crawl.base + a["url"]][f], a[f])
        for a in crawl.truth["articles"]
        for f in FIELDS
        if rows[crawl.base + a["url"]][f] != a[f]
    ]
    assert mismatches == []
    assert all(r["version"] == 1 and r["capture_id"] for r in rows.values())


def test_warc_files_pass_warcio_check(crawl):
    files = sorted((crawl.archive / "warc").glob("*.warc.gz"))
    assert files and not list((crawl.archive / "warc").glob("*.open"))
    check = subprocess.run([BIN / "warcio", "check", "-v", *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-2000:]
    assert "digest pass" in check.stdout


def test_verify_exits_zero(crawl):
    result = run_cli("verify", "--archive", str(crawl.archive))
    assert result.returncode == 0, result.stdout
    assert "OK" in result.stderr


def test_each_file_opens_with_warcinfo(crawl):
    for path in (crawl.archive / "warc").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            first = next(iter(ArchiveIterator(fh)))
            assert first.rec_type == "warcinfo"
            info = first.content_stream().read().decode()
            assert "software: turan-crawler/" in info and "robots: obey" in info
            assert first.rec_headers.protocol == "WARC/1.1"


def test_capture_offset_gives_back_the_bytes_the_replica_served(crawl):
    art = next(a for a in crawl.truth["articles"] if a["variant"] == "gzip")
    capture = crawl.captures(art["url"])[0]
    stored = read_record_at(crawl.archive / "warc" / capture["warc_file"], capture["warc_offset"])
    served = fetch(crawl.base, art["url"], {"Accept-Encoding": "gzip"})
    assert stored.header("Content-Encoding") == "gzip" and stored.payload == served.body  # gzip kept gzip
    assert gzip.decompress(stored.payload) == fetch(crawl.base, art["url"]).body
    cookies = [v for k, v in stored.http_headers if k.lower() == "set-cookie"]
    assert cookies == served.headers.get_all("Set-Cookie") and len(cookies) == 2
    assert stored.header("Transfer-Encoding") is None and stored.header("Content-Length") == str(
        len(served.body)
    )
    assert stored.status == 200 and capture["payload_digest"] == stored.payload_digest


def test_chunked_response_is_stored_de_chunked_without_transfer_encoding(crawl):
    art = next(a for a in crawl.truth["articles"] if a["variant"] == "chunked")
    capture = crawl.captures(art["url"])[0]
    stored = read_record_at(crawl.archive / "warc" / capture["warc_file"], capture["warc_offset"])
    assert stored.header("Transfer-Encoding") is None and stored.payload == fetch(crawl.base, art["url"]).body


def test_request_record_has_the_real_request_line(crawl):
    capture = crawl.captures("/az/news-line?page=2")[0]
    with open(crawl.archive / "warc" / capture["warc_file"], "rb") as fh:
        fh.seek(capture["request_offset"])
        request = next(iter(ArchiveIterator(fh)))
    assert request.rec_type == "request"
    assert (
        request.http_headers.protocol == "GET"
        and request.http_headers.statusline == "/az/news-line?page=2 HTTP/1.1"
    )
    assert request.http_headers.get_header("Host") == crawl.base.split("//")[1]
    assert request.http_headers.get_header("User-Agent").startswith("turan-crawler/")
    assert request.rec_headers.get_header("WARC-Concurrent-To") == capture["warc_record_id"]


def test_full_text_search_finds_an_article_by_a_word_of_its_body(crawl):
    db = sqlite_utils.Database(crawl.archive / "turan.db")
    hits = list(db["articles"].search("Lachin"))
    assert [h["article_id"] for h in hits] == [764817]  # the seed article
    assert list(db["articles"].search("şikayət"))  # Azerbaijani text, diacritics and all


def test_links_are_recorded_by_kind(crawl):
    kinds = dict(crawl.db.execute("select kind, count(*) from links group by kind").fetchall())
    articles = len(crawl.truth["articles"])
    assert (
        kinds["latest_news"] > articles and kinds["listing"] >= articles and kinds["related"] > articles / 3
    )
    translated = sum(len(a["translations"]) for a in crawl.truth["articles"])
    assert kinds["translation"] == translated


FAULT_OUTCOMES = {
    "server_error": [("error", 500)] * 3,  # two retries
    "unavailable": [("error", 503)] * 3,
    "rate_limited": [("error", 429)] * 3,
    "dropped_connection": [("error", 200)],
    "short_body": [("error", 200)],
    "redirect_chain": [("ok", 301)],
    "not_found": [("error", 404)],
    "gone": [("error", 410)],
    "challenge": [("blocked", 403)],
    "binary_pdf": [("ok", 200)],
    "binary_mislabelled": [("ok", 200)],
    "robots_disallowed": [("robots", None)],
}


@pytest.mark.parametrize("kind", sorted(FAULT_OUTCOMES))
def test_each_fault_is_recorded_with_its_outcome_and_never_as_an_article(crawl, kind):
    fault = next(f for f in crawl.truth["faults"] if f["kind"] == kind)
    rows = crawl.captures(fault["url"])
    assert [(r["outcome"], r["status"]) for r in rows] == FAULT_OUTCOMES[kind]
    assert not crawl.db.execute(
        "select 1 from articles where url = ?", [crawl.base + fault["url"]]
    ).fetchall()


def test_truncated_downloads_are_marked_in_the_warc(crawl):
    for kind in ("dropped_connection", "short_body"):
        row = crawl.captures(next(f["url"] for f in crawl.truth["faults"] if f["kind"] == kind))[0]
        assert row["truncated"] == 1 and "truncated" in row["error"]
        with open(crawl.archive / "warc" / row["warc_file"], "rb") as fh:
            fh.seek(row["warc_offset"])
            assert next(iter(ArchiveIterator(fh))).rec_headers.get_header("WARC-Truncated") == "disconnect"


def test_retry_after_is_honoured(crawl):
    rows = crawl.captures("/en/politics/service-unavailable-fault-503")
    times = [datetime.fromisoformat(r["fetched_at"].replace("Z", "+00:00")) for r in rows]
    assert all((b - a).total_seconds() >= 0.9 for a, b in zip(times, times[1:], strict=False))


def test_redirect_loop_ends_as_an_error_and_the_chain_reaches_its_article(crawl):
    loop = crawl.db.execute(
        "select outcome, status, error from captures where url like ? order by id",
        [crawl.base + "/en/politics/redirect-loop-fault-%"],
    ).fetchall()
    assert loop[-1]["outcome"] == "error" and "redirect" in loop[-1]["error"]
    assert {r["status"] for r in loop[:-1]} == {302}
    for step in (3, 2, 1):
        assert [r["status"] for r in crawl.captures(f"/en/politics/redirect-chain-fault-{step}")] == [301]


def test_robots_disallowed_paths_are_never_requested(crawl):
    for disallowed in crawl.truth["robots_disallowed"]:
        assert not [r for r in crawl.requests if r.split(" ", 1)[1].startswith(disallowed)]
    assert "GET /robots.txt" in crawl.requests


def test_crawl_never_leaves_scope(crawl):
    requisites = {
        url for a in crawl.truth["articles"] for url in a["requisites"] + a["requisites_disallowed"]
    }
    requisites |= set(crawl.truth["requisites"]["shared"])
    urls = [r[0] for r in crawl.db.execute("select url from captures")]
    pages = [url for url in urls if url not in requisites and not url.endswith("/robots.txt")]
    off_site = [url for url in pages if not url.startswith(crawl.base + "/")]
    assert pages and not off_site, off_site  # pages: on the site only
    cdn = crawl.truth["requisites"]["cdn"]
    assert {url for url in urls if url.startswith(cdn)} <= requisites | {
        cdn + "/robots.txt"
    }  # requisites only
    # the pages link to facebook.com, x.com and t.me: none of them was fetched or even tried
    assert not crawl.db.execute(
        "select 1 from captures where url like '%//facebook.com%' or url like '%//t.me/%' or url like '%//x.com/%'"
    ).fetchall()


def test_every_fetch_has_a_capture_row(crawl):
    fetched = len(crawl.timed_requests)  # both hosts: the site and its CDN
    rows = crawl.db.execute("select count(*) from captures where warc_file is not null").fetchone()[0]
    assert rows == fetched


def test_a_backfill_requests_a_pages_articles_before_going_deeper(crawl):
    """A backfill keeps about one listing page of requests pending per listing, however deep the archive:
    when an article first found on page N of a listing is requested, pages of that listing beyond N + 2
    have (almost always) not been. Pages before articles, the old order, gave 51% here, and its queue
    grew with the archive."""
    requested: list[tuple[str, int]] = []  # (path, page) of each request, in order
    first: dict[str, int] = {}
    for position, request in enumerate(crawl.requests):
        split = urlsplit(request.split(" ", 1)[1])
        requested.append((split.path, int(parse_qs(split.query).get("page", ["1"])[0])))
        first.setdefault(request.split(" ", 1)[1], position)
    ahead = []
    for src, dst in crawl.db.execute("select src_url, dst_url from links where kind = 'listing'"):
        split = urlsplit(src)
        page, article = int(parse_qs(split.query).get("page", ["1"])[0]), dst.removeprefix(crawl.base)
        before = [p for path, p in requested[: first.get(article, 0)] if path == split.path]
        if before and page in before:  # the article was found on this page (not earlier elsewhere)
            ahead.append(max(before) - page)
    assert len(ahead) > 200
    assert sum(a <= 2 for a in ahead) >= 0.9 * len(ahead)
