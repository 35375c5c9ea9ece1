"""``wacz OUT``: package the archive as WACZ."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..archiving.paths import ArchivePaths
from ..progress import bars
from ..wacz import write_wacz
from . import EXIT_OK, CommandError


def wacz(args: argparse.Namespace) -> int:
    paths = ArchivePaths.at(args.archive)
    if not paths.db.exists():
        raise CommandError(f"no archive in {paths.root}")
    with bars(args.quiet) as progress:
        counts = write_wacz(paths, Path(args.out), progress)
    print(
        f"turan-crawler wacz: {args.out}: {counts['warcs']} WARC files, {counts['pages']} pages",
        file=sys.stderr,
    )
    return EXIT_OK
