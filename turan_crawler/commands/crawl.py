"""``crawl`` and ``demo``: the site crawl into an archive (the demo first starts the bundled replica)."""

from __future__ import annotations

import argparse
import sys

from ..archiving.paths import ArchivePaths
from ..spiders.turan import TuranSpider
from . import EXIT_USAGE, CommandError
from .run import run_spider

DEMO_PORT = 8731


def crawl_overrides(args: argparse.Namespace) -> dict:
    """The settings a crawl's options set."""
    overrides: dict = {"TURAN_LANGS": args.lang.split(",")}
    for option, setting in [
        ("backfill_pages", "TURAN_BACKFILL_PAGES"),
        ("max_articles", "TURAN_MAX_ARTICLES"),
        ("refresh_days", "TURAN_REFRESH_DAYS"),
        ("warc_max_size", "ARCHIVE_WARC_MAX_SIZE"),
        ("requisites", "TURAN_REQUISITES"),
    ]:
        if getattr(args, option) is not None:
            overrides[setting] = getattr(args, option)
    if args.refresh:
        overrides["TURAN_REFRESH_ALL"] = True
    if args.delay is not None:
        overrides["DOWNLOAD_DELAY"] = args.delay
        overrides["AUTOTHROTTLE_ENABLED"] = args.delay > 0
    if args.concurrency is not None:
        overrides["CONCURRENT_REQUESTS"] = overrides["CONCURRENT_REQUESTS_PER_DOMAIN"] = args.concurrency
    for assignment in args.set:
        name, sep, value = assignment.partition("=")
        if not sep or not name:
            raise CommandError(f"--set takes NAME=VALUE, not {assignment!r}", EXIT_USAGE)
        overrides[name] = value
    return overrides


def crawl(args: argparse.Namespace) -> int:
    spider_args = {"start_url": ",".join(args.start_url)} if args.start_url else {}
    return run_spider(
        ArchivePaths.at(args.archive),
        TuranSpider,
        spider_args,
        crawl_overrides(args),
        "crawl",
        " ".join(sys.argv[2:]),
        args.quiet,
    )


def demo(args: argparse.Namespace) -> int:
    from ..replica.process import port_or_free, replica_process

    paths = ArchivePaths.at(args.archive)
    # the same port every time when it is free, so that a second demo run is incremental (same URLs)
    with replica_process(articles=args.articles, seed=1, port=port_or_free(DEMO_PORT)) as url:
        print(f"turan-crawler demo: crawling the local replica at {url} into {paths.root}/", file=sys.stderr)
        args.refresh = False
        args.backfill_pages = -1 if args.backfill_pages is None else args.backfill_pages
        args.delay = 0 if args.delay is None else args.delay
        args.concurrency = args.concurrency or 8
        code = run_spider(
            paths,
            TuranSpider,
            {"start_url": url},
            crawl_overrides(args),
            "demo",
            f"replica {url}",
            args.quiet,
        )
    print(
        f"browse it: turan-crawler serve --archive {args.archive or 'archive'}    "
        f"check it: turan-crawler verify --archive {args.archive or 'archive'}",
        file=sys.stderr,
    )
    return code
