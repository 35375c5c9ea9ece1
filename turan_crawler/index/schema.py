"""The index's tables, created or migrated at every open (idempotent). Names are for people browsing it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from ..fold import fold

FTS_TOKENIZER = "unicode61 remove_diacritics 2"  # no porter: it stems English only

TABLES: dict[str, dict] = {
    "runs": dict(
        columns={
            "id": int,
            "started_at": str,
            "finished_at": str,
            "command": str,
            "args": str,
            "pages": int,
            "articles_new": int,
            "articles_updated": int,
            "errors": int,
            "blocked": int,
            "finish_reason": str,
            "pid": int,
        },
        pk="id",
    ),
    "captures": dict(
        columns={
            "id": int,
            "url": str,
            "fetched_at": str,
            "status": int,
            "outcome": str,
            "content_type": str,
            "payload_digest": str,
            "warc_file": str,
            "warc_offset": int,
            "warc_length": int,
            "warc_record_id": str,
            "request_offset": int,
            "request_length": int,
            "refers_to_capture_id": int,
            "ip_address": str,
            "truncated": int,
            "run_id": int,
            "error": str,
            "expires_at": str,  # until when the response is fresh (Cache-Control/Expires): a requisite
        },  # captured and still fresh is not fetched again
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
    ),
    "articles": dict(
        columns={
            "id": int,
            "url": str,
            "lang": str,
            "text_lang": str,
            "category": str,
            "category_slug": str,
            "article_id": int,
            "title": str,
            "author": str,
            "published_at": str,
            "body": str,
            "editor_code": str,
            "paywalled": int,
            "word_count": int,
            "first_seen": str,
            "last_seen": str,
            "capture_id": int,
            "version": int,
            "removed_at": str,
            "extracted_by": str,
            "image_url": str,
            "author_id": int,
        },
        pk="id",
        foreign_keys=[("capture_id", "captures", "id"), ("author_id", "authors", "id")],
    ),
    # Search that finds what people type: each article's title, body and author folded (turan_crawler.fold:
    # Əliyev, Алиев and Aliyev all read "aliyev"), written by ArchiveStore.save_article beside the article,
    # searched through its FTS table articles_folded_fts (the canned `search` query folds the query alike).
    "articles_folded": dict(
        columns={"id": int, "title": str, "body": str, "author": str},
        pk="id",
        foreign_keys=[("id", "articles", "id")],
    ),
    # One row per author as folding groups them: "Nurlan Aliyev", "Nurlan Əliyev" and "Нурлан Алиев" are
    # one author (key "nurlan aliyev"); `name` is the spelling shown, `spellings` every one seen (JSON).
    "authors": dict(
        columns={"id": int, "key": str, "name": str, "spellings": str},
        pk="id",
    ),
    "article_versions": dict(
        columns={
            "id": int,
            "article": int,
            "version": int,
            "capture_id": int,
            "fetched_at": str,
            "title": str,
            "body": str,
            "word_count": int,
        },
        pk="id",
        foreign_keys=[("article", "articles", "id"), ("capture_id", "captures", "id")],
    ),
    "links": dict(
        columns={"src_url": str, "dst_url": str, "kind": str, "first_seen": str},
        pk=("src_url", "dst_url", "kind"),
    ),
    # Sitemaps as last read: a child sitemap whose lastmod in its index has not moved since it was read
    # is not fetched again; a URL whose lastmod moved since its page was captured is fetched again.
    "sitemaps": dict(
        columns={"url": str, "listed_lastmod": str, "read_lastmod": str, "read_at": str},
        pk="url",
    ),
    "sitemap_urls": dict(
        columns={"url": str, "lastmod": str, "sitemap": str, "changed_at": str, "fetched_lastmod": str},
        pk="url",
    ),
}
INDEXES = [
    ("captures", ["url", "fetched_at"]),
    ("captures", ["payload_digest"]),
    ("captures", ["run_id"]),
    ("captures", ["outcome"]),
    ("articles", ["published_at"]),
    ("articles", ["lang"]),
    ("articles", ["category_slug"]),
    ("articles", ["category"]),
    ("articles", ["text_lang"]),
    ("articles", ["paywalled"]),
    ("articles", ["author"]),
    ("articles", ["article_id"]),
    ("articles", ["capture_id"]),
    ("articles", ["author_id"]),
    ("article_versions", ["article", "version"]),
    ("links", ["dst_url"]),
]
UNIQUE_INDEXES = [("articles", ["url"]), ("authors", ["key"])]
# bm25 weights of the folded FTS columns (title, body, author): a word in the title counts five times
FOLDED_RANK = "bm25(5.0, 1.0, 2.0)"
# sqlite-utils' update trigger (same body) re-indexes an article's text at any update of its row: last_seen
# and capture_id at every re-fetch, author_id, removed_at; only a title or body that changed needs it
ARTICLES_AU = """CREATE TRIGGER "articles_au" AFTER UPDATE OF "title", "body" ON "articles"
WHEN old."title" IS NOT new."title" OR old."body" IS NOT new."body" BEGIN
  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "body") VALUES('delete', old.rowid, old."title", old."body");
  INSERT INTO "articles_fts" (rowid, "title", "body") VALUES (new.rowid, new."title", new."body");
END"""


class IndexUnusable(RuntimeError):
    """The index file is missing or damaged; the message says how to rebuild it."""


def unusable(path: Path, problem: object) -> IndexUnusable:
    return IndexUnusable(
        f"the index {path} is {problem}: rebuild it from the WARC files with "
        f"`turan-crawler reindex --archive {path.parent}`"
    )


def check_index(path: Path) -> None:
    """IndexUnusable when the index at ``path`` is missing or cannot be read (read-only, cheap)."""
    if not Path(path).exists():
        raise unusable(path, "missing")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            conn.execute("select count(*) from sqlite_master").fetchone()
            conn.execute("select 1 from captures limit 1").fetchall()
    except sqlite3.DatabaseError as exc:
        raise unusable(path, f"damaged or not an index ({exc})") from None


def open_index(path: Path | str) -> sqlite_utils.Database:
    """Open (creating or migrating) the index at ``path``: tables, columns, indexes, FTS, WAL.
    IndexUnusable when the file is there but is not a readable index; a full disk is said as such (the
    index is not damaged: it needs room, not a reindex)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _open(path)
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            raise
        raise unusable(path, f"damaged or not an index ({exc})") from None


def _open(path: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)  # recursive_triggers on: keeps the FTS index right on REPLACE
    db.execute("PRAGMA busy_timeout = 10000")
    if db.journal_mode != "wal":
        db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.register_function(fold, name="turan_fold", deterministic=True, replace=True)
    had_articles = db["articles"].exists()
    folded_missing = not db["articles_folded"].exists()
    # authors first: articles.author_id refers to it
    for name, spec in sorted(TABLES.items(), key=lambda item: item[0] != "authors"):
        table = db[name]
        if not table.exists():
            table.create(spec["columns"], pk=spec["pk"], foreign_keys=spec.get("foreign_keys"))
        else:
            missing = {c: t for c, t in spec["columns"].items() if c not in table.columns_dict}
            references = {
                column: (other, other_column) for column, other, other_column in spec.get("foreign_keys", [])
            }
            for column, kind in missing.items():
                other, other_column = references.get(column, (None, None))
                table.add_column(column, kind, fk=other, fk_col=other_column)
    for name, columns in INDEXES:
        db[name].create_index(columns, if_not_exists=True)
    for name, columns in UNIQUE_INDEXES:
        db[name].create_index(columns, unique=True, if_not_exists=True)
    # the date facet of Datasette's articles page groups by date(published_at): an expression index serves it
    db.execute("create index if not exists idx_articles_published_date on articles(date(published_at))")
    # Datasette's next page of the articles table (sorted by published_at, keyset on id): 0.8 s -> 0.4 ms at 1M
    db.execute("create index if not exists idx_articles_published_id on articles(published_at desc, id)")
    if not db["articles_fts"].exists():
        db["articles"].enable_fts(["title", "body"], tokenize=FTS_TOKENIZER, create_triggers=True)
    _reindex_changed_text_only(db)
    if not db["articles_folded_fts"].exists():
        db["articles_folded"].enable_fts(
            ["title", "body", "author"], tokenize=FTS_TOKENIZER, create_triggers=True
        )
        db.execute(
            "insert into articles_folded_fts(articles_folded_fts, rank) values ('rank', ?)", [FOLDED_RANK]
        )
    # an article deleted (repair drops those whose record never reached the disk) takes its folded row along
    db.execute(
        "create trigger if not exists articles_folded_follow_delete after delete on articles "
        "begin delete from articles_folded where id = old.id; end"
    )
    if had_articles and folded_missing:
        _fold_existing(db)
    return db


def _reindex_changed_text_only(db: sqlite_utils.Database) -> None:
    """articles_au as ARTICLES_AU (in an index made before, as sqlite-utils made it)."""
    found = db.execute(
        "select sql from sqlite_master where type = 'trigger' and name = 'articles_au'"
    ).fetchone()
    if found and found[0] != ARTICLES_AU:
        with db.atomic():
            db.execute('drop trigger "articles_au"')
            db.execute(ARTICLES_AU)


def _fold_existing(db: sqlite_utils.Database) -> None:
    """An index made before the folded search: fold every article and group its authors (once)."""
    from .store import ArchiveStore  # the store is the one place that knows how authors are grouped

    store = ArchiveStore(db)
    with db.atomic():
        db.execute(
            "insert into articles_folded (id, title, body, author) "
            "select id, turan_fold(title), turan_fold(body), turan_fold(author) from articles"
        )
        for (author,) in db.execute(
            "select distinct author from articles where author is not null"
        ).fetchall():
            db.execute(
                "update articles set author_id = ? where author = ?", [store.author_id(author), author]
            )
