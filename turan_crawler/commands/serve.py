"""``serve``: become Datasette over the archive's index (exec: signals reach it, no orphan is left)."""

from __future__ import annotations

import argparse
import os
import sys

from ..archiving.paths import ArchivePaths
from ..datasette.serve import datasette_command
from ..index import check_index
from . import CommandError


def serve(args: argparse.Namespace) -> int:
    paths = ArchivePaths.at(args.archive)
    if not paths.db.exists() and not paths.warc_dir.is_dir():
        raise CommandError(f"no archive at {paths.root} (run a crawl first: turan-crawler demo)")
    check_index(paths.db)
    cmd = datasette_command(paths, args.host, args.port)
    print(
        f"turan-crawler serve: http://{args.host}:{args.port}/{paths.database_name} (Ctrl-C stops)",
        file=sys.stderr,
        flush=True,
    )
    os.execv(sys.executable, cmd)
    raise AssertionError("not reached")
