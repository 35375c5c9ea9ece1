"""Run bookkeeping, in one place: the ``runs`` row a run starts and finishes, its summary, the summary
line every command prints, and the exit code a run's outcome gives."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import asdict, dataclass, field

import sqlite_utils

from ..clock import utc_now

FINISHED_REASONS = ("finished", "closespider_itemcount")


@dataclass
class RunSummary:
    run_id: int | None = None
    pages: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    errors: int = 0
    blocked: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    site_pages_fetched: int = 0  # pages of the site (robots.txt aside) fetched whole: outcome ok or revisit
    finish_reason: str = "finished"
    seconds: float = 0.0
    failure: str | None = None  # why the archive could not be written

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self, command: str) -> str:
        """The one summary line of a run, stamped with the time it ends (cron.log reads back)."""
        return (
            f"{utc_now()} turan-crawler {command}: {self.pages} pages, {self.articles_new} new articles, "
            f"{self.articles_updated} updated, {self.errors} errors, {self.blocked} blocked "
            f"in {self.seconds} s ({self.finish_reason})"
        )

    @property
    def succeeded(self) -> bool:
        """The archive was written, the run finished, and it fetched a page of the site that was neither
        an error nor a challenge (robots.txt, whatever it answered, does not count)."""
        return not self.failure and self.finish_reason in FINISHED_REASONS and self.site_pages_fetched > 0


def start_run(db: sqlite_utils.Database, command: str, args: str) -> int:
    row = {
        "started_at": utc_now(),
        "command": command,
        "args": args,
        "pid": os.getpid(),
        "pages": 0,
        "articles_new": 0,
        "articles_updated": 0,
        "errors": 0,
        "blocked": 0,
    }
    return db["runs"].insert(row).last_pk


def run_summary(
    db: sqlite3.Connection | sqlite_utils.Database,
    run_id: int,
    finish_reason: str,
    articles: dict[str, int] | None = None,
) -> RunSummary:
    """What run ``run_id`` captured, counted from its ``captures`` rows: the one reading of a run's outcome,
    for its exit code and for ``status`` (``articles``: new and updated, as the run counted them)."""
    outcomes = dict(
        db.execute(
            "select outcome, count(*) from captures where run_id = ? group by outcome", [run_id]
        ).fetchall()
    )
    pages, site_pages_fetched = db.execute(
        "select count(*), coalesce(sum(outcome in ('ok', 'revisit') and url not like '%/robots.txt'), 0) "
        "from captures where run_id = ? and warc_file is not null",
        [run_id],
    ).fetchone()
    articles = articles or {}
    return RunSummary(
        run_id=run_id,
        pages=pages,
        articles_new=articles.get("new", 0),
        articles_updated=articles.get("updated", 0),
        errors=outcomes.get("error", 0),
        blocked=outcomes.get("blocked", 0),
        outcomes=outcomes,
        site_pages_fetched=site_pages_fetched,
        finish_reason=finish_reason,
    )


def finish_run(
    db: sqlite_utils.Database, run_id: int, articles: dict[str, int], finish_reason: str
) -> RunSummary:
    """Count what the run captured, close its ``runs`` row and return its summary (seconds not set)."""
    summary = run_summary(db, run_id, finish_reason, articles)
    counts = {
        k: getattr(summary, k) for k in ("pages", "articles_new", "articles_updated", "errors", "blocked")
    }
    db["runs"].update(run_id, {**counts, "finished_at": utc_now(), "finish_reason": finish_reason})
    return summary
