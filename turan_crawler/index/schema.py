"""The index's tables, created or migrated at every open (idempotent). Names are for people browsing it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

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
        },
        pk="id",
        foreign_keys=[("capture_id", "captures", "id")],
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
    ("article_versions", ["article", "version"]),
    ("links", ["dst_url"]),
]
UNIQUE_INDEXES = [("articles", ["url"])]


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
    IndexUnusable when the file is there but is not a readable index."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _open(path)
    except sqlite3.DatabaseError as exc:
        raise unusable(path, f"damaged or not an index ({exc})") from None


def _open(path: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)  # recursive_triggers on: keeps the FTS index right on REPLACE
    db.execute("PRAGMA busy_timeout = 10000")
    if db.journal_mode != "wal":
        db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    for name, spec in TABLES.items():
        table = db[name]
        if not table.exists():
            table.create(spec["columns"], pk=spec["pk"], foreign_keys=spec.get("foreign_keys"))
        else:
            missing = {c: t for c, t in spec["columns"].items() if c not in table.columns_dict}
            for column, kind in missing.items():
                table.add_column(column, kind)
    for name, columns in INDEXES:
        db[name].create_index(columns, if_not_exists=True)
    for name, columns in UNIQUE_INDEXES:
        db[name].create_index(columns, unique=True, if_not_exists=True)
    # the date facet of Datasette's articles page groups by date(published_at): an expression index serves it
    db.execute("create index if not exists idx_articles_published_date on articles(date(published_at))")
    if not db["articles_fts"].exists():
        db["articles"].enable_fts(["title", "body"], tokenize=FTS_TOKENIZER, create_triggers=True)
    return db
