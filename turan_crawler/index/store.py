"""Every write to the index. Used by one thread at a time (the archive worker, or reindex).

The schema is made and changed with sqlite-utils (see schema.py); the per-page rows are written here
with plain prepared statements on the same connection, because sqlite-utils' ``insert()`` and
``update()`` read the schema again on every call (three to nine extra queries and a savepoint per row:
most of the crawl's SQLite time, measured in BENCHMARKS.md)."""

from __future__ import annotations

import json
import unicodedata

import sqlite_utils

from ..fold import fold, fold_words


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def shown_spelling(spellings: list[str]) -> str:
    """The spelling an author group is shown by, whatever order they came in: the English (ASCII) one,
    else a Latin one, else the first."""
    return min(spellings, key=lambda name: (not name.isascii(), not _latin(name), name))


def _latin(name: str) -> bool:
    return all(unicodedata.name(c, "").startswith("LATIN") for c in name if c.isalpha())


class ArchiveStore:
    """Runs, captures, articles (with versions) and links, written as plain rows."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def _insert(self, table: str, rows: list[dict], ignore: bool = False) -> int | None:
        """Insert rows that share one set of columns with one prepared statement; the last row's id."""
        if not rows:
            return None
        columns = list(rows[0])
        sql = (
            f"INSERT {'OR IGNORE ' if ignore else ''}INTO {_quoted(table)} "
            f"({', '.join(map(_quoted, columns))}) VALUES ({', '.join('?' * len(columns))})"
        )
        if len(rows) == 1:
            return self.db.conn.execute(sql, [rows[0][c] for c in columns]).lastrowid
        self.db.conn.executemany(sql, ([row[c] for c in columns] for row in rows))
        return None

    def _update(self, table: str, row_id: int, values: dict) -> None:
        assignments = ", ".join(f"{_quoted(column)} = ?" for column in values)
        self.db.conn.execute(
            f"UPDATE {_quoted(table)} SET {assignments} WHERE id = ?", [*values.values(), row_id]
        )

    # -- captures -----------------------------------------------------------------------------------
    def next_capture_id(self) -> int:
        row = self.db.execute("select coalesce(max(id), 0) + 1 from captures").fetchone()
        return row[0]

    def original_capture(self, url: str, digest: str) -> tuple[int, str] | None:
        """(capture id, WARC-Date) of the first full response with this URL and payload digest."""
        row = self.db.execute(
            "select id, fetched_at from captures where url = ? and payload_digest = ? "
            "and refers_to_capture_id is null and warc_file is not null order by id limit 1",
            [url, digest],
        ).fetchone()
        return (row[0], row[1]) if row else None

    def add_captures(self, rows: list[dict]) -> None:
        """Captures rows of the same shape, in one statement."""
        self._insert("captures", rows)

    def set_outcome(self, capture_id: int, outcome: str, error: str | None = None) -> None:
        self._update("captures", capture_id, {"outcome": outcome, "error": error})

    # -- articles -----------------------------------------------------------------------------------
    def save_article(self, url: str, row: dict, capture_id: int | None, fetched_at: str) -> str:
        """Insert or update the article at ``url`` with ``row`` (articles columns); 'new', 'updated'
        (text changed: version + 1) or 'unchanged'. Its folded text (articles_folded, searched through
        articles_folded_fts) and its author group (authors) are written with it."""
        self._captured_as_listed(url)
        row = {**row, "author_id": self.author_id(row.get("author"))}
        existing = self.db.execute(
            "select id, title, body, version, author from articles where url = ?", [url]
        ).fetchone()
        if existing is None:
            article_id = self._insert(
                "articles",
                [
                    {
                        "url": url,
                        **row,
                        "first_seen": fetched_at,
                        "last_seen": fetched_at,
                        "capture_id": capture_id,
                        "version": 1,
                    }
                ],
            )
            self._add_version(article_id, 1, capture_id, fetched_at, row)
            self._fold(article_id, row)
            return "new"
        article_id, title, body, version, author = existing
        if (title, body) != (row["title"], row["body"]):
            self._update(
                "articles",
                article_id,
                {
                    **row,
                    "last_seen": fetched_at,
                    "capture_id": capture_id,
                    "version": version + 1,
                    "removed_at": None,
                },
            )
            self._add_version(article_id, version + 1, capture_id, fetched_at, row)
            self._fold(article_id, row)
            return "updated"
        self._update(
            "articles",
            article_id,
            {**row, "last_seen": fetched_at, "capture_id": capture_id, "removed_at": None},
        )
        if author != row.get("author"):
            self._fold(article_id, row)
        return "unchanged"

    def _fold(self, article_id: int, row: dict) -> None:
        """The article's folded title, body and author (its FTS rows follow by sqlite-utils' triggers)."""
        self.db.conn.execute(
            "INSERT INTO articles_folded (id, title, body, author) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO "
            "UPDATE SET title = excluded.title, body = excluded.body, author = excluded.author",
            [article_id, fold(row["title"]), fold(row["body"]), fold(row.get("author"))],
        )

    def author_id(self, name: str | None) -> int | None:
        """The authors row grouping ``name`` with the spellings that fold like it (made when new)."""
        if not name:
            return None
        key = " ".join(fold_words(name))
        found = self.db.execute("select id, spellings from authors where key = ?", [key]).fetchone()
        if found is None:
            author_id = self._insert(
                "authors", [{"key": key, "name": name, "spellings": json.dumps([name], ensure_ascii=False)}]
            )
        else:
            author_id, spellings = found[0], json.loads(found[1])
            if name not in spellings:
                spellings = sorted({*spellings, name})
                self._update(
                    "authors",
                    author_id,
                    {
                        "name": shown_spelling(spellings),
                        "spellings": json.dumps(spellings, ensure_ascii=False),
                    },
                )
        return author_id

    def _add_version(
        self, article_id: int, version: int, capture_id: int | None, fetched_at: str, row: dict
    ) -> None:
        self._insert(
            "article_versions",
            [
                {
                    "article": article_id,
                    "version": version,
                    "capture_id": capture_id,
                    "fetched_at": fetched_at,
                    "title": row["title"],
                    "body": row["body"],
                    "word_count": row["word_count"],
                }
            ],
        )

    def saw_again(self, url: str, capture_id: int, fetched_at: str) -> None:
        """An unchanged page (a revisit record): the article, if any, was seen again, as it was."""
        self._captured_as_listed(url)
        self.db.execute(
            "update articles set last_seen = ?, capture_id = ?, removed_at = null where url = ?",
            [fetched_at, capture_id, url],
        )

    def mark_removed(self, url: str, when: str) -> bool:
        """Record that an archived article now answers 404/410; its archived text stays."""
        self._captured_as_listed(url)
        cursor = self.db.execute(
            "update articles set removed_at = ? where url = ? and removed_at is null", [when, url]
        )
        return cursor.rowcount > 0

    # -- sitemaps -----------------------------------------------------------------------------------
    def record_sitemap_index(self, entries: list[tuple[str, str | None]]) -> None:
        """The child sitemaps an index lists, with the lastmod it gives each."""
        self.db.conn.executemany(
            "INSERT INTO sitemaps (url, listed_lastmod) VALUES (?, ?) "
            "ON CONFLICT(url) DO UPDATE SET listed_lastmod = excluded.listed_lastmod",
            entries,
        )

    def record_sitemap(self, url: str, entries: list[tuple[str, str | None]], read_at: str) -> None:
        """A sitemap was read: its entries' lastmods (a changed one is dated ``read_at``), and the
        sitemap's own lastmod as read. A URL archived before the sitemap listed it keeps the listed
        lastmod as the one it was captured with (no re-fetch of the whole archive the first time)."""
        self.db.conn.executemany(
            "INSERT INTO sitemap_urls (url, lastmod, sitemap, changed_at, fetched_lastmod) "
            "VALUES (?1, ?2, ?3, ?4, CASE WHEN EXISTS (SELECT 1 FROM articles WHERE url = ?1) THEN ?2 END) "
            "ON CONFLICT(url) DO UPDATE SET changed_at = CASE WHEN sitemap_urls.lastmod IS excluded.lastmod "
            "THEN sitemap_urls.changed_at ELSE excluded.changed_at END, lastmod = excluded.lastmod, "
            "sitemap = excluded.sitemap",
            ((loc, lastmod, url, read_at) for loc, lastmod in entries),
        )
        self.db.conn.execute(
            "INSERT INTO sitemaps (url, read_lastmod, read_at) VALUES (?, NULL, ?) ON CONFLICT(url) DO UPDATE "
            "SET read_lastmod = sitemaps.listed_lastmod, read_at = excluded.read_at",
            [url, read_at],
        )

    def _captured_as_listed(self, url: str) -> None:
        """The page at ``url`` was captured: it now has the lastmod its sitemap gives."""
        self.db.conn.execute("UPDATE sitemap_urls SET fetched_lastmod = lastmod WHERE url = ?", [url])

    # -- links --------------------------------------------------------------------------------------
    def add_links(self, links: list[tuple[str, str, str]], seen_at: str) -> None:
        """(source URL, destination URL, kind) rows; a link already known keeps its first_seen."""
        rows = [
            {"src_url": src, "dst_url": dst, "kind": kind, "first_seen": seen_at} for src, dst, kind in links
        ]
        self._insert("links", rows, ignore=True)
