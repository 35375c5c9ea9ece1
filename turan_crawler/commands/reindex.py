"""``reindex``: rebuild the index from the WARC files, under the archive lock."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..archiving.paths import ArchivePaths
from ..progress import bars
from ..reindex import rebuild_index
from . import EXIT_FAILURE, EXIT_OK, CommandError, holding_lock


def reindex(args: argparse.Namespace) -> int:
    paths = ArchivePaths.at(args.archive)
    if not paths.warc_dir.is_dir():
        raise CommandError(f"no WARC files in {paths.warc_dir}")
    started = time.monotonic()
    with holding_lock(paths), bars(args.quiet) as progress:
        counts = rebuild_index(paths, Path(args.into) if args.into else None, args.workers, progress)
    seconds = time.monotonic() - started
    for lost in counts["lost"]:
        print(f"LOST {lost}")
    lost = f", {len(counts['lost'])} unreadable stretches of WARC (listed above)" if counts["lost"] else ""
    print(
        f"turan-crawler reindex: {counts['records']} records, {counts['articles']} articles, "
        f"{counts['versions']} versions into {args.into or paths.db} in {seconds:.1f} s "
        f"({counts['articles'] / max(seconds, 0.001):.0f} articles/s){lost}",
        file=sys.stderr,
    )
    return EXIT_FAILURE if counts["lost"] else EXIT_OK
