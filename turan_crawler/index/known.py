"""Which article URLs are already archived, asked one URL at a time (an indexed lookup, read-only)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


class KnownArticles:
    """Decides whether an article URL needs fetching: unknown, or published within the refresh window."""

    def __init__(self, db_path: Path, refresh_days: float, refresh_all: bool = False):
        self.refresh_all = refresh_all
        self.cutoff = datetime.now(UTC) - timedelta(days=refresh_days)
        self.conn = None
        if Path(db_path).exists() and not refresh_all:
            self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)

    def needs_fetch(self, url: str) -> bool:
        if self.conn is None:
            return True
        try:
            row = self.conn.execute("select published_at from articles where url = ?", [url]).fetchone()
        except sqlite3.OperationalError:  # no articles table yet
            return True
        if row is None:
            return True
        return self._recent(row[0])

    def recent_urls(self) -> list[str]:
        """Archived articles published within the refresh window and not known to be removed: fetched
        again even when no listing links them any more (an edit, or a removal, is caught this way)."""
        if self.conn is None:
            return []
        try:
            rows = self.conn.execute(
                "select url, published_at from articles where removed_at is null and published_at >= ?",
                [self.cutoff.date().isoformat()],
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [url for url, published in rows if self._recent(published)]

    def _recent(self, published_at: str | None) -> bool:
        if not published_at:
            return False
        if len(published_at) == 10:  # a date without time of day
            return date.fromisoformat(published_at) >= self.cutoff.date()
        return datetime.fromisoformat(published_at) >= self.cutoff

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
