"""``wacz OUT``: package the archive as WACZ."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..archiving.paths import ArchivePaths
from ..index import check_index
from ..progress import bars
from ..wacz import write_wacz
from ..warc.writer import OPEN_SUFFIX
from . import EXIT_OK, CommandError


def wacz(args: argparse.Namespace) -> int:
    paths = ArchivePaths.at(args.archive)
    check_index(paths.db)
    unfinished = sorted(p.name for p in paths.warc_dir.glob(f"*{OPEN_SUFFIX}"))
    if unfinished:
        raise CommandError(
            f"{', '.join(unfinished)} still open: a crawl is running, or was killed (then run "
            f"`turan-crawler verify --repair --archive {paths.root}` first)"
        )
    with bars(args.quiet) as progress:
        counts = write_wacz(paths, Path(args.out), progress)
    print(
        f"turan-crawler wacz: {args.out}: {counts['warcs']} WARC files, {counts['pages']} pages",
        file=sys.stderr,
    )
    return EXIT_OK
