"""The ``turan-crawler`` command: parses arguments and hands over to the crawl, the replica or a tool."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75
DEMO_PORT = 8731


def _cmd_replica(args: argparse.Namespace) -> int:
    from .replica import ReplicaApp, ReplicaServer, Site
    from .replica.export import export_site

    if args.export:
        app = ReplicaApp(Site(articles=args.articles, seed=args.seed, faults=False))
        count = export_site(app, Path(args.export), port=args.port or 8080)
        print(
            f"wrote {count} pages to {args.export}/site; serve them with: "
            f"nginx -c {Path(args.export).resolve()}/nginx.conf",
            file=sys.stderr,
        )
        return EXIT_OK
    app = ReplicaApp(
        Site(articles=args.articles, seed=args.seed, faults=not args.no_faults),
        slow_seconds=args.slow_seconds,
    )
    server = ReplicaServer(app, port=args.port)
    print(
        f"replica of turan.az ({args.articles} articles, seed {args.seed}) on {server.url}/en\n"
        f"truth: {server.url}/_replica/truth.json  (Ctrl-C stops)",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return EXIT_OK


def _backfill(value: str) -> int:
    if value == "all":
        return -1
    if not value.isdigit():
        raise argparse.ArgumentTypeError("a number of pages, or 'all'")
    return int(value)


def _archive(args: argparse.Namespace) -> Path:
    return Path(args.archive or os.environ.get("TURAN_ARCHIVE") or "archive")


def _crawl_overrides(args: argparse.Namespace) -> dict:
    overrides: dict = {"TURAN_LANGS": args.lang.split(",")}
    for option, setting in [
        ("backfill_pages", "TURAN_BACKFILL_PAGES"),
        ("max_articles", "TURAN_MAX_ARTICLES"),
        ("refresh_days", "TURAN_REFRESH_DAYS"),
        ("warc_max_size", "ARCHIVE_WARC_MAX_SIZE"),
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
    return overrides


def _cmd_crawl(args: argparse.Namespace) -> int:
    from .crawl import run_crawl

    spider_args = {"start_url": ",".join(args.start_url)} if args.start_url else {}
    return run_crawl(
        _archive(args), _crawl_overrides(args), spider_args, "crawl", " ".join(sys.argv[2:]), quiet=args.quiet
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    from .crawl import run_crawl
    from .replica.process import port_or_free, replica_process

    archive = _archive(args)
    # the same port every time when it is free, so that a second demo run is incremental (same URLs)
    with replica_process(articles=args.articles, seed=1, port=port_or_free(DEMO_PORT)) as url:
        print(f"turan-crawler demo: crawling the local replica at {url} into {archive}/", file=sys.stderr)
        args.start_url, args.refresh = [url], False
        args.backfill_pages = -1 if args.backfill_pages is None else args.backfill_pages
        args.delay = 0 if args.delay is None else args.delay
        args.concurrency = args.concurrency or 8
        code = run_crawl(
            archive, _crawl_overrides(args), {"start_url": url}, "demo", f"replica {url}", quiet=args.quiet
        )
    print(
        f"browse it: turan-crawler serve --archive {archive}    check it: turan-crawler verify "
        f"--archive {archive}",
        file=sys.stderr,
    )
    return code


def _cmd_capture(args: argparse.Namespace) -> int:
    from .capture import run_capture

    urls = list(args.urls)
    if args.from_file:
        try:
            text = Path(args.from_file).read_text(encoding="utf-8")
        except OSError as exc:
            print(f"turan-crawler capture: cannot read {args.from_file}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        urls += [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not urls:
        print("turan-crawler capture: give at least one URL (or --from-file)", file=sys.stderr)
        return EXIT_USAGE
    overrides: dict = {
        "ROBOTSTXT_OBEY": not args.ignore_robots,
        "DOWNLOAD_TIMEOUT": args.timeout,
        "RETRY_TIMES": 1,
    }
    if args.delay is not None:
        overrides.update(DOWNLOAD_DELAY=args.delay, AUTOTHROTTLE_ENABLED=args.delay > 0)
    return run_capture(_archive(args), urls, overrides, args.site, args.json, args.quiet)


def _cmd_reindex(args: argparse.Namespace) -> int:
    import time

    from .lock import ArchiveLock, LockHeld
    from .reindex import reindex, swap_in

    archive = _archive(args)
    if not (archive / "warc").is_dir():
        print(f"turan-crawler reindex: no WARC files in {archive}/warc", file=sys.stderr)
        return EXIT_FAILURE
    started = time.monotonic()
    try:
        with ArchiveLock(archive):
            target = Path(args.into) if args.into else archive / "turan.db.reindex"
            counts = reindex(archive, target, site=args.site, workers=args.workers)
            if not args.into:
                swap_in(target, archive / "turan.db")
    except LockHeld as held:
        print(f"turan-crawler reindex: {held}", file=sys.stderr)
        return EXIT_LOCKED
    seconds = time.monotonic() - started
    print(
        f"turan-crawler reindex: {counts['records']} records, {counts['articles']} articles, "
        f"{counts['versions']} versions into {args.into or archive / 'turan.db'} in {seconds:.1f} s "
        f"({counts['articles'] / max(seconds, 0.001):.0f} articles/s)",
        file=sys.stderr,
    )
    return EXIT_OK


def _cmd_wacz(args: argparse.Namespace) -> int:
    from .wacz import write_wacz

    archive = _archive(args)
    if not (archive / "turan.db").exists():
        print(f"turan-crawler wacz: no archive in {archive}", file=sys.stderr)
        return EXIT_FAILURE
    counts = write_wacz(archive, Path(args.out))
    print(
        f"turan-crawler wacz: {args.out}: {counts['warcs']} WARC files, {counts['pages']} pages",
        file=sys.stderr,
    )
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from importlib import resources

    db = _archive(args) / "turan.db"
    if not db.exists():
        print(
            f"turan-crawler serve: no index at {db} (run a crawl first: turan-crawler demo)", file=sys.stderr
        )
        return EXIT_FAILURE
    metadata = resources.files("turan_crawler.datasette").joinpath("metadata.yml")
    settings = {
        "suggest_facets": "off",
        "sql_time_limit_ms": "2000",
        "facet_time_limit_ms": "500",
        "default_page_size": "50",
        "num_sql_threads": "4",
        "allow_download": "off",
    }
    cmd = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db),
        "--metadata",
        str(metadata),
        "--host",
        args.host,
        "--port",
        str(args.port),
    ]
    for name, value in settings.items():
        cmd += ["--setting", name, value]
    print(
        f"turan-crawler serve: http://{args.host}:{args.port}/turan (Ctrl-C stops)",
        file=sys.stderr,
        flush=True,
    )
    os.execv(sys.executable, cmd)  # become Datasette: signals reach it, no orphan is left behind
    return EXIT_FAILURE  # not reached


def _cmd_verify(args: argparse.Namespace) -> int:
    from .verify import verify_archive

    if args.repair:
        from .index import open_index
        from .lock import ArchiveLock, LockHeld
        from .repair import repair_archive

        try:
            with ArchiveLock(_archive(args)):
                repaired = repair_archive(_archive(args), open_index(_archive(args) / "turan.db"))
        except LockHeld as held:
            print(f"turan-crawler verify: {held}", file=sys.stderr)
            return EXIT_LOCKED
        print(f"turan-crawler verify: repair: {repaired}", file=sys.stderr)
    report = verify_archive(_archive(args))
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    print(
        f"turan-crawler verify: {report.files} WARC files, {report.records} records, {report.captures} "
        f"captures, {report.articles} articles: {'OK' if report.ok else f'{len(report.problems)} problems'}",
        file=sys.stderr,
    )
    return EXIT_OK if report.ok else EXIT_FAILURE


def _add_archive_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--archive", metavar="DIR", help="archive folder (default $TURAN_ARCHIVE or ./archive)")


def _add_crawl_options(cmd: argparse.ArgumentParser) -> None:
    _add_archive_option(cmd)
    cmd.add_argument(
        "--lang", default="en,az,ru", help="languages to crawl, comma-separated (default en,az,ru)"
    )
    cmd.add_argument(
        "--backfill-pages",
        type=_backfill,
        metavar="N|all",
        help="walk the news line N pages back (default 0; 'all' for the whole archive)",
    )
    cmd.add_argument("--max-articles", type=int, metavar="N", help="stop requesting articles after N")
    cmd.add_argument(
        "--refresh-days",
        type=float,
        metavar="N",
        help="re-fetch archived articles published in the last N days, to catch edits (default 2)",
    )
    cmd.add_argument("--refresh", action="store_true", help="re-fetch every article reached")
    cmd.add_argument(
        "--delay", type=float, metavar="S", help="seconds between requests (default 1, AutoThrottle)"
    )
    cmd.add_argument("--concurrency", type=int, metavar="N", help="parallel requests to the site (default 2)")
    cmd.add_argument("--warc-max-size", type=int, metavar="BYTES", help="roll over WARC files at this size")
    cmd.add_argument("--quiet", action="store_true", help="print only errors and the summary line (for cron)")


class _OneLine(logging.Formatter):
    """``LEVEL name: message``, without the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname} {record.name}: {record.getMessage()}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="turan-crawler",
        description="Archive turan.az: crawl into WARC files and an SQLite index, browse with Datasette.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = sub.add_parser(
        "crawl",
        help="crawl the site into WARC files and the SQLite index",
        description="Crawl turan.az (or --start-url) into the archive folder.",
    )
    _add_crawl_options(crawl)
    crawl.add_argument(
        "--start-url",
        action="append",
        metavar="URL",
        help="a site root (expanded to front pages and news lines) or a page to start at",
    )
    crawl.set_defaults(func=_cmd_crawl)

    demo = sub.add_parser(
        "demo",
        help="start the local replica and crawl it (no network needed)",
        description="Start the bundled replica of the site and crawl all of it.",
    )
    _add_crawl_options(demo)
    demo.add_argument("--articles", type=int, default=300, help="replica size (default 300)")
    demo.set_defaults(func=_cmd_demo)

    capture = sub.add_parser(
        "capture",
        help="archive exactly the given URLs, now",
        description="Archive the given pages (and their redirects) and index the articles.",
    )
    capture.add_argument("urls", nargs="*", metavar="URL")
    capture.add_argument("--from-file", metavar="F", help="more URLs, one a line (# comments allowed)")
    _add_archive_option(capture)
    capture.add_argument(
        "--site",
        choices=["auto", "turan"],
        default="auto",
        help="extraction rules: Turan rules on turan.az hosts and generic ones elsewhere "
        "(auto), or Turan rules everywhere (turan)",
    )
    capture.add_argument("--ignore-robots", action="store_true", help="fetch even what robots.txt disallows")
    capture.add_argument(
        "--timeout", type=float, default=60.0, metavar="S", help="seconds per fetch (default 60)"
    )
    capture.add_argument("--delay", type=float, metavar="S", help="seconds between requests to one site")
    capture.add_argument("--json", action="store_true", help="one JSON object per URL on stdout")
    capture.add_argument("--quiet", action="store_true", help="print only the per-URL lines and the summary")
    capture.set_defaults(func=_cmd_capture)

    reindex = sub.add_parser(
        "reindex",
        help="rebuild the SQLite index from the WARC files",
        description="Parse every archived response again, with the current parser, into a "
        "new index; swap it in atomically (or write it to --into).",
    )
    _add_archive_option(reindex)
    reindex.add_argument("--into", metavar="PATH", help="write the new index here and leave turan.db alone")
    reindex.add_argument("--site", choices=["turan", "generic"], default="turan", help="extraction rules")
    reindex.add_argument("--workers", type=int, help="parsing processes (default: one per core)")
    reindex.set_defaults(func=_cmd_reindex)

    wacz = sub.add_parser(
        "wacz",
        help="package the archive as a WACZ file (for ReplayWeb.page, pywb)",
        description="Write the WARCs, a sorted CDXJ index and pages.jsonl as WACZ 1.1.1.",
    )
    wacz.add_argument("out", metavar="OUT.wacz")
    _add_archive_option(wacz)
    wacz.set_defaults(func=_cmd_wacz)

    serve = sub.add_parser(
        "serve",
        help="browse the archive with Datasette",
        description="Datasette over ARCHIVE/turan.db, read-only, with the bundled metadata.",
    )
    _add_archive_option(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)"
    )
    serve.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    serve.set_defaults(func=_cmd_serve)

    verify = sub.add_parser("verify", help="check that the WARC files and the index agree; exit 1 if not")
    _add_archive_option(verify)
    verify.add_argument(
        "--repair",
        action="store_true",
        help="first close WARC files left open by a killed run and drop index rows they lost",
    )
    verify.set_defaults(func=_cmd_verify)

    rep = sub.add_parser(
        "replica",
        help="serve the local replica of the site (no network needed)",
        description="Serve a deterministic turan.az-like site on 127.0.0.1.",
    )
    rep.add_argument("--port", type=int, default=8000, help="port (0 picks a free one; default 8000)")
    rep.add_argument("--articles", type=int, default=300, help="number of generated articles (default 300)")
    rep.add_argument("--seed", type=int, default=1, help="generator seed: same seed, same site (default 1)")
    rep.add_argument("--no-faults", action="store_true", help="do not serve or link the fault pages")
    rep.add_argument("--slow-seconds", type=float, default=2.0, help="delay of the slow article (default 2)")
    rep.add_argument("--export", metavar="DIR", help="write the site as static files + nginx.conf instead")
    rep.set_defaults(func=_cmd_replica)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.raiseExceptions = False  # a log that cannot be written (full disk) must not break the run
    to_stderr = logging.StreamHandler(sys.stderr)
    quiet = getattr(args, "quiet", False)
    if args.verbose:
        to_stderr.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    else:  # one line per problem, from this project only; tracebacks and Scrapy's own view go to the log file
        to_stderr.setFormatter(_OneLine())
        to_stderr.addFilter(
            lambda record: record.name.startswith("turan_crawler") or record.levelno >= logging.CRITICAL
        )
    to_stderr.setLevel(logging.DEBUG if args.verbose else logging.ERROR if quiet else logging.WARNING)
    logging.getLogger().addHandler(to_stderr)
    logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.INFO)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
