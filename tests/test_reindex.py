"""`turan-crawler reindex`: the index rebuilt from the WARC files alone holds the same rows."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from conftest import fetch
from test_crawl import run_cli
from test_cron import crawl, newest

from turan_crawler.lock import ArchiveLock
from turan_crawler.replica import start_replica
from turan_crawler.replica.site import BAKU


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """An archive with everything reindex must reproduce: faults, two runs, an edit (version 2),
    unchanged re-fetches (revisits), a removed article and a failed fetch without a record."""
    path = tmp_path_factory.mktemp("archive")
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
