"""`turan-crawler reindex`: the index rebuilt from the WARC files alone holds the same rows."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from conftest import capture_args, crawl, index, run_cli, tiny_site

from turan_crawler.archiving.lock import ArchiveLock
from turan_crawler.reindex import ArchivedExchange, read_exchange, reading_of
from turan_crawler.warc.reader import StoredResponse


@pytest.fixture
def archive(history_archive) -> Path:
    """The shared archive with a history: everything reindex must reproduce (read-only)."""
    return history_archive


def rows(db: Path) -> dict[str, object]:
    """Every row of the rebuilt tables, keyed by what identifies it outside this database (no row ids)."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    where = {r["id"]: (r["warc_file"], r["warc_offset"]) for r in conn.execute("select * from captures")}
    captures = {}
    failures = Counter()
    for r in conn.execute("select * from captures"):
        row = {k: v for k, v in dict(r).items() if k not in ("id", "refers_to_capture_id")}
        row["refers_to"] = where.get(r["refers_to_capture_id"])
        if r["warc_file"]:
            captures[(r["warc_file"], r["warc_offset"])] = row
        else:
            failures[(r["url"], r["outcome"], r["error"], r["run_id"])] += 1
    articles = {
        r["url"]: {
            **{k: v for k, v in dict(r).items() if k not in ("id", "capture_id")},
            "capture": where[r["capture_id"]],
        }
        for r in conn.execute("select * from articles")
    }
    urls = {r["id"]: r["url"] for r in conn.execute("select id, url from articles")}
    versions = {
        (urls[r["article"]], r["version"]): (r["title"], r["body"], r["fetched_at"], where[r["capture_id"]])
        for r in conn.execute("select * from article_versions")
    }
    links = set(conn.execute("select src_url, dst_url, kind, first_seen from links").fetchall())
    runs = [tuple(r) for r in conn.execute("select * from runs order by id")]
    return {
        "captures": captures,
        "failures": failures,
        "articles": articles,
        "versions": versions,
        "links": links,
        "runs": runs,
    }


def test_the_archive_has_what_reindex_must_reproduce(archive):
    built = rows(archive / "turan.db")
    assert any(v == 2 for (_, v) in built["versions"])
    assert any(c["outcome"] == "revisit" for c in built["captures"].values())
    assert any(a["removed_at"] for a in built["articles"].values())
    assert built["failures"] and len(built["runs"]) == 2


def test_reindex_into_another_file_gives_the_same_rows(archive, tmp_path):
    result = run_cli("reindex", "--archive", str(archive), "--into", str(tmp_path / "other.db"))
    assert result.returncode == 0, result.stderr
    assert "articles/s" in result.stderr
    original, rebuilt = rows(archive / "turan.db"), rows(tmp_path / "other.db")
    for table in original:
        assert rebuilt[table] == original[table], table


def test_a_deleted_index_is_rebuilt_and_verifies(archive, tmp_path):
    copy = tmp_path / "copy"
    (copy / "warc").mkdir(parents=True)
    for warc in (archive / "warc").glob("*.warc.gz"):
        (copy / "warc" / warc.name).write_bytes(warc.read_bytes())
    result = run_cli("reindex", "--archive", str(copy))
    assert result.returncode == 0, result.stderr
    verify = run_cli("verify", "--archive", str(copy))
    assert verify.returncode == 0, verify.stdout
    assert rows(copy / "turan.db")["articles"] == rows(archive / "turan.db")["articles"]
    assert not list(copy.glob("turan.db.reindex*"))


def test_reindex_waits_for_no_crawl(archive):
    with ArchiveLock(archive):
        result = run_cli("reindex", "--archive", str(archive))
    assert result.returncode == 75 and "another crawl" in result.stderr


def test_every_record_keeps_the_rules_of_its_own_host(tmp_path, fresh_replica, other_site):
    """A crawl of the replica (Turan rules, chosen for its host) and a capture of another site (generic
    rules) in one archive: reindex reads each record as it was read, and gives the same index."""
    assert crawl(tmp_path, fresh_replica, "--lang", "en").returncode == 0
    blog_post = other_site + "/en/notes-from-baku"
    assert run_cli(*capture_args(tmp_path, blog_post)).returncode == 0
    rules = dict(index(tmp_path).execute("select url, extracted_by from articles").fetchall())
    assert rules.pop(blog_post) == "generic" and rules and set(rules.values()) == {"site"}
    result = run_cli("reindex", "--archive", str(tmp_path), "--into", str(tmp_path / "rebuilt.db"))
    assert result.returncode == 0, result.stderr
    original, rebuilt = rows(tmp_path / "turan.db"), rows(tmp_path / "rebuilt.db")
    for table in original:
        assert rebuilt[table] == original[table], table


# Loaded by every Python process of a reindex (PYTHONPATH): the reader crashes on one page, as a C parser
# might, and gets stuck on another where its timer cannot land; the budget per page is a second.
READER_FAULTS = """
import os, signal, time
import turan_crawler.extract as extract
import turan_crawler.extract.pool as pool
import turan_crawler.settings as settings

settings.TURAN_PAGE_READ_SECONDS = 1.0
pool.HARD_STOP_GRACE = 1.0
read_response = extract.read_response

def faulty(url, status, body, headers, site_name):
    if b"CRASH-THE-READER" in body:
        os._exit(1)
    if b"HANG-THE-READER" in body:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)
    return read_response(url, status, body, headers, site_name)

extract.read_response = faulty
"""


def test_a_page_whose_reading_kills_its_worker_or_hangs_costs_that_page_only(archive, tmp_path):
    copy = tmp_path / "archive"
    shutil.copytree(archive, copy)
    pages = {
        path: f"<html><title>x</title><p>{path[1:].upper()}-THE-READER</p></html>"
        for path in ("/crash", "/hang")
    }

    def respond(path: str):
        found = path in pages
        return (200 if found else 404), [("Content-Type", "text/html")], pages.get(path, "no").encode()

    with tiny_site(respond) as site:
        assert run_cli(*capture_args(copy, site + "/crash", site + "/hang")).returncode == 0
    faults = tmp_path / "faults"
    faults.mkdir()
    (faults / "sitecustomize.py").write_text(READER_FAULTS)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(faults), os.environ.get("PYTHONPATH")])),
    }
    rebuilt_db = tmp_path / "rebuilt.db"
    result = run_cli(
        "reindex", "--archive", str(copy), "--into", str(rebuilt_db), "--workers", "2", timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1].startswith("turan-crawler reindex: ")

    original, rebuilt = rows(copy / "turan.db"), rows(rebuilt_db)
    failed = {
        c["url"]: (c["outcome"], c["error"])
        for c in rebuilt["captures"].values()
        if (c["error"] or "").startswith("parse failed")
    }
    assert failed.keys() == {site + "/crash", site + "/hang"}
    assert failed[site + "/crash"][0] == "error" and "BrokenProcessPool" in failed[site + "/crash"][1]
    assert (
        failed[site + "/hang"]
        == (
            "error",
            "parse failed: PageBudgetExceeded: reading took longer than 1 s; its worker was killed",  # settings.py's
        )
    )
    for where, capture in original["captures"].items():
        if capture["url"] not in failed:
            assert rebuilt["captures"][where] == capture, capture["url"]
    assert rebuilt["articles"] == {url: a for url, a in original["articles"].items() if url not in failed}
    assert rebuilt["versions"] == {key: v for key, v in original["versions"].items() if key[0] not in failed}
    assert rebuilt["links"] == {link for link in original["links"] if link[0] not in failed}
    assert (rebuilt["failures"], rebuilt["runs"]) == (original["failures"], original["runs"])


class NoWorkers:
    """A page-reading pool that must not be asked."""

    def submit(self, *args):
        raise AssertionError("sent to a worker")


def stored(url: str, content_type: str, payload: bytes, status: int = 200) -> ArchivedExchange:
    response = StoredResponse(
        "response", url, "2026-11-29T10:00:00Z", status, [("Content-Type", content_type)], payload, None, None
    )
    return ArchivedExchange("turan", "x.warc.gz", 0, 1, "<urn:uuid:1>", response, None, False, None)


@pytest.mark.parametrize(
    ("url", "content_type", "payload", "reason"),
    [
        ("https://turan.az/photo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + bytes(5000), "not_html"),
        ("https://turan.az/font.woff2", "font/woff2", b"wOF2" + bytes(500), "not_html"),
        ("https://turan.az/en/gone", "text/html", b"<html><title>Not found</title></html>", "http_error"),
    ],
)
def test_what_needs_no_parsing_is_read_without_a_worker_and_as_a_worker_reads_it(
    url, content_type, payload, reason
):
    exchange = stored(url, content_type, payload, status=404 if reason == "http_error" else 200)
    quick = reading_of(NoWorkers(), exchange).result()
    assert quick.reason == reason
    assert quick == read_exchange(exchange)  # the worker's reading, had it been asked


def test_a_page_goes_to_a_worker():
    page = stored("https://turan.az/en/politics/a-story-1", "text/html", b"<html><p>Text</p></html>")
    with pytest.raises(AssertionError, match="sent to a worker"):
        reading_of(NoWorkers(), page)
