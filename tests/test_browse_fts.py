"""The search index follows an article's text, and only its text: a re-fetch that changes nothing but
when the article was last seen (every cron run) leaves the full-text index untouched."""

from __future__ import annotations

import pytest

from turan_crawler.index import ArchiveStore, open_index
from turan_crawler.index.schema import ARTICLES_AU

URL = "http://x/en/politics/gas-talks-790001"
ROW = {
    "lang": "en",
    "title": "Gas talks in Baku",
    "body": "Delegations met.",
    "author": "A. Writer",
    "word_count": 2,
}
SQLITE_UTILS_AU = """CREATE TRIGGER "articles_au" AFTER UPDATE ON "articles" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body") VALUES('delete', old.rowid, old."title", old."body");
  INSERT INTO "articles_fts" (rowid, "title", "body") VALUES (new.rowid, new."title", new."body");
END"""


def fts_segments(db) -> list:
    """What FTS5 has written: every write to the index changes these rows."""
    return db.execute("select id, block from articles_fts_data order by id").fetchall()


def found(db, words: str) -> list[int]:
    return [r[0] for r in db.execute("select rowid from articles_fts where articles_fts match ?", [words])]


@pytest.mark.parametrize("made_by", ["this version", "sqlite-utils, before"])
def test_only_a_changed_title_or_body_is_indexed_again(tmp_path, made_by):
    path = tmp_path / "turan.db"
    db = open_index(path)
    if made_by != "this version":  # an index whose trigger sqlite-utils made: migrated at the next open
        db.execute('drop trigger "articles_au"')
        db.execute(SQLITE_UTILS_AU)
        db.close()
        db = open_index(path)
    assert db.execute("select sql from sqlite_master where name = 'articles_au'").fetchone()[0] == ARTICLES_AU
    store = ArchiveStore(db)
    with db.atomic():
        store.save_article(URL, ROW, None, "2026-01-10T00:00:00Z")
    article_id = found(db, "gas")[0]
    indexed = fts_segments(db)
    with db.atomic():
        store.saw_again(URL, 7, "2026-01-11T00:00:00Z")  # a revisit
        assert store.save_article(URL, ROW, 8, "2026-01-12T00:00:00Z") == "unchanged"  # a re-read
        store.mark_removed(URL, "2026-01-13T00:00:00Z")
        db.execute("update articles set author_id = null, word_count = 3 where id = ?", [article_id])
    assert db.execute("select last_seen from articles").fetchone()[0] == "2026-01-12T00:00:00Z"
    assert fts_segments(db) == indexed
    with db.atomic():
        assert (
            store.save_article(URL, {**ROW, "title": "Oil talks in Baku"}, 9, "2026-01-14T00:00:00Z")
            == "updated"
        )
    assert fts_segments(db) != indexed
    assert found(db, "oil") == [article_id] and found(db, "gas") == []
    db.execute(
        "insert into articles_fts(articles_fts, rank) values ('integrity-check', 1)"
    )  # raises if out of sync
