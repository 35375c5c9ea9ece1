"""Run one spider into an archive the way the CLI (and cron) does: lock, settings, a log file per run,
one summary line on stderr, an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from scrapy.crawler import Crawler, CrawlerProcess

from ..archiving.paths import ArchivePaths
from ..archiving.runs import RunSummary
from ..config import project_settings
from ..progress import interactive
from ..spiders.base import settings_problem
from . import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CommandError, holding_lock

Report = Callable[[Crawler, RunSummary], int]


def run_spider(
    paths: ArchivePaths,
    spider_cls: type,
    spider_args: dict,
    overrides: dict,
    command: str,
    args_text: str,
    quiet: bool = False,
    report: Report | None = None,
) -> int:
    """Run ``spider_cls`` into the archive; print one summary line on stderr; return the exit code.

    ``report`` (for ``capture``) prints its own lines before the summary and returns its exit code.
    """
    with holding_lock(paths):
        try:
            paths.logs_dir.mkdir(parents=True, exist_ok=True)
            log_file = paths.logs_dir / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}-{command}.log"
            settings = project_settings(
                {
                    **overrides,
                    "ARCHIVE_DIR": str(paths.root),
                    "LOG_FILE": str(log_file),
                    "ARCHIVE_LOCK_HELD": True,
                    "ARCHIVE_RUN_COMMAND": command,
                    "ARCHIVE_RUN_ARGS": args_text,
                    "TURAN_PROGRESS": interactive(quiet),
                }
            )
            if problem := settings_problem(settings):
                raise CommandError(problem, EXIT_USAGE)
            process = CrawlerProcess(settings)  # its log goes to LOG_FILE; stderr gets warnings (cli.py)
            crawler = process.create_crawler(spider_cls)
            process.crawl(crawler, **spider_args)
            process.start()
        except OSError as exc:
            raise CommandError(f"archive error: {exc}") from None
    values = crawler.stats.get_value("archive/summary")
    if values is None:
        raise CommandError(f"the crawl ended before the archive opened (log: {log_file})")
    summary = RunSummary(**values)
    code = report(crawler, summary) if report and not summary.failure else None
    print(summary.line(command), file=sys.stderr)
    if summary.failure:
        raise CommandError(f"archive error: {summary.failure} (log: {log_file})")
    if code is not None:
        return code
    return EXIT_OK if summary.succeeded else EXIT_FAILURE
