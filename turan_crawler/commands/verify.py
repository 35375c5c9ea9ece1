"""``verify [--repair]``: check that the WARC files and the index agree (repairing first, under the lock)."""

from __future__ import annotations

import argparse
import sys

from ..archiving.paths import ArchivePaths
from ..archiving.repair import repair_archive
from ..index import open_index
from ..verify import verify_archive
from . import EXIT_FAILURE, EXIT_OK, holding_lock


def verify(args: argparse.Namespace) -> int:
    paths = ArchivePaths.at(args.archive)
    if args.repair:
        with holding_lock(paths):
            repaired = repair_archive(paths, open_index(paths.db))
        print(f"turan-crawler verify: repair: {repaired}", file=sys.stderr)
    report = verify_archive(paths)
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    verdict = "OK" if report.ok else f"{len(report.problems)} problems"
    print(
        f"turan-crawler verify: {report.files} WARC files, {report.records} records, {report.captures} "
        f"captures, {report.articles} articles: {verdict}",
        file=sys.stderr,
    )
    return EXIT_OK if report.ok else EXIT_FAILURE
