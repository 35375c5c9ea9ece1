"""Run one crawl the way the CLI (and cron) does: lock, settings, log file, summary line, exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from .lock import ArchiveLock, LockHeld
from .spiders.turan import TuranSpider

EXIT_OK, EXIT_FAILURE, EXIT_LOCKED = 0, 1, 75


def crawl_settings(archive: Path, overrides: dict) -> Settings:
    settings = Settings()
    settings.setmodule("turan_crawler.settings", priority="project")
    settings.set("ARCHIVE_DIR", str(archive), priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def summary_line(command: str, summary: dict) -> str:
    return (
        f"turan-crawler {command}: {summary['pages']} pages, {summary['articles_new']} new articles, "
        f"{summary['articles_updated']} updated, {summary['errors']} errors, {summary['blocked']} blocked "
        f"in {summary['seconds']} s ({summary['finish_reason']})"
    )


def exit_code(summary: dict) -> int:
    """0 success; 1 when the archive failed, nothing could be fetched, or everything fetched was blocked."""
    if summary["finish_reason"] == "locked":
        return EXIT_LOCKED
    if summary["failure"] or summary["finish_reason"] not in ("finished", "closespider_itemcount"):
        return EXIT_FAILURE
    outcomes = summary.get("outcomes", {})
    site_pages = summary["pages"] - summary.get("robots_txt", 0)
    site_ok = outcomes.get("ok", 0) + outcomes.get("revisit", 0) - summary.get("robots_txt", 0)
    if site_pages <= 0 or site_ok <= 0 or summary["blocked"] >= site_pages:
        return EXIT_FAILURE
    return EXIT_OK


def run_crawl(
    archive: Path,
    overrides: dict,
    spider_args: dict,
    command: str = "crawl",
    args: str = "",
    quiet: bool = False,
    spider_cls: type = TuranSpider,
    report: Callable[[Crawler], int] | None = None,
) -> int:
    """Run ``spider_cls`` into ``archive``; print one summary line on stderr; return the exit code.

    ``report`` (for ``capture``) prints its own lines before the summary and returns its exit code.
    """
    archive = Path(archive).resolve()
    try:
        lock = ArchiveLock(archive).acquire()
    except LockHeld as held:
        print(f"turan-crawler {command}: {held}", file=sys.stderr)
        return EXIT_LOCKED
    except OSError as exc:
        print(f"turan-crawler {command}: cannot use archive folder {archive}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        logs = archive / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log_file = logs / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}-{command}.log"
        settings = crawl_settings(
            archive,
            {
                **overrides,
                "LOG_FILE": str(log_file),
                "ARCHIVE_LOCK_HELD": True,
                "ARCHIVE_RUN_COMMAND": command,
                "ARCHIVE_RUN_ARGS": args,
                "TURAN_PROGRESS": not quiet and sys.stderr.isatty(),
            },
        )
        process = CrawlerProcess(settings)  # its log goes to LOG_FILE; stderr gets warnings (cli.py)
        crawler = process.create_crawler(spider_cls)
        process.crawl(crawler, **spider_args)
        process.start()
        summary = crawler.archive.summary
        code = report(crawler) if report and not summary["failure"] else exit_code(summary)
        print(summary_line(command, summary), file=sys.stderr)
        if summary["failure"]:
            print(
                f"turan-crawler {command}: archive error: {summary['failure']} (log: {log_file})",
                file=sys.stderr,
            )
            return EXIT_FAILURE
        return code
    except OSError as exc:
        print(f"turan-crawler {command}: archive error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        lock.release()
