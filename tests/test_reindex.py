"""`turan-crawler reindex`: the index rebuilt from the WARC files alone holds the same rows."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from conftest import capture_args, crawl, index, run_cli

from turan_crawler.archiving.lock import ArchiveLock


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
