"""``verify [--repair]``: check that the WARC files and the index agree (repairing first, under the lock)."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from ..archiving.paths import ArchivePaths
from ..archiving.repair import repair_archive
from ..index import check_index, open_index
from ..progress import bars
from ..status import lock_state, record_verification
from ..verify import verify_archive
from . import EXIT_FAILURE, EXIT_OK, holding_lock

log = logging.getLogger(__name__)


def verify(args: argparse.Namespace) -> int:
    paths = ArchivePaths.at(args.archive)
    started = time.monotonic()
    repaired = None
    if args.repair:
        check_index(paths.db)  # a missing or damaged index is rebuilt by reindex, not repaired
        with holding_lock(paths):
            repaired = repair_archive(paths, open_index(paths.db), damaged=True)
        for capture_id, url in repaired.lost:
            print(
                f"LOST capture {capture_id} ({url}): its record was in a damaged or unfinished WARC stretch"
            )
        print(f"turan-crawler verify: repair: {repaired}", file=sys.stderr)
    during_run = lock_state(paths).held  # a crawl writing meanwhile: its open file shows as problems
    with bars(args.quiet) as progress:
        report = verify_archive(paths, progress)
    if paths.root.is_dir():  # kept for `status`
        try:
            repair = str(repaired) if repaired else None
            record_verification(paths, report, time.monotonic() - started, repair, during_run)
        except OSError as exc:
            log.warning("could not keep the result in %s: %s", paths.root, exc)
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    verdict = "OK" if report.ok else f"{len(report.problems)} problems"
    print(
        f"turan-crawler verify: {report.files} WARC files, {report.records} records, {report.captures} "
        f"captures, {report.articles} articles: {verdict}",
        file=sys.stderr,
    )
    return EXIT_OK if report.ok else EXIT_FAILURE
