"""The ``turan-crawler`` command: parses arguments and dispatches to a command (``commands/``).

Each command's work lives in its own module; a command ends early by raising ``CommandError``, which
``main`` prints as one line and turns into the exit code (``commands.EXIT_*``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from .commands import EXIT_FAILURE, EXIT_USAGE, CommandError
from .index.schema import IndexUnusable
from .sites import SITES


def _backfill(value: str) -> int:
    if value == "all":
        return -1
    if not value.isdigit():
        raise argparse.ArgumentTypeError("a number of pages, or 'all'")
    return int(value)


def _command(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """The command function ``commands.<module>.<name>``, imported only when it runs (fast --help)."""

    def run(args: argparse.Namespace) -> int:
        from importlib import import_module

        return getattr(import_module(f"turan_crawler.commands.{module}"), name)(args)

    return run


def _add_archive_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--archive", metavar="DIR", help="archive folder (default $TURAN_ARCHIVE or ./archive)")


def _add_requisites_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--requisites",
        choices=["none", "images", "all"],
        help="what else to archive with each page: none; images (stylesheets, what they import, images: "
        "what a page needs to look like itself; the default); all (scripts too)",
    )


def _add_quiet_option(
    cmd: argparse.ArgumentParser,
    help_text: str = "only errors and the summary line: no progress bars (drawn only at a terminal)",
) -> None:
    cmd.add_argument("--quiet", action="store_true", help=help_text)


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
    _add_requisites_option(cmd)
    _add_quiet_option(cmd, "print only errors and the summary line (for cron)")
    cmd.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any setting of settings.py, as `scrapy crawl -s` takes it (e.g. TURAN_START_PATHS=/{lang})",
    )


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
    crawl.set_defaults(func=_command("crawl", "crawl"))

    demo = sub.add_parser(
        "demo",
        help="start the local replica and crawl it (no network needed)",
        description="Start the bundled replica of the site and crawl all of it.",
    )
    _add_crawl_options(demo)
    demo.add_argument("--articles", type=int, default=300, help="replica size (default 300)")
    demo.set_defaults(func=_command("crawl", "demo"))

    probe = sub.add_parser(
        "probe",
        help="see what the crawler sees of a site, archiving nothing (run it first)",
        description="Fetch robots.txt, the sitemaps, each language's front page and a few articles, "
        "politely, and print what the crawler finds: rules, sitemaps, listings, pagination, and every "
        "field of the articles with the layer that gave it. Exit 0 when articles were read.",
    )
    probe.add_argument(
        "url", nargs="?", default="https://turan.az", help="the site (default https://turan.az)"
    )
    probe.add_argument(
        "--articles", type=int, default=3, metavar="N", help="articles per language (default 3)"
    )
    probe.add_argument("--lang", default="en,az,ru", help="languages, comma-separated (default en,az,ru)")
    probe.add_argument(
        "--delay", type=float, default=1.0, metavar="S", help="seconds between requests (default 1)"
    )
    probe.add_argument("--json", action="store_true", help="the whole report as JSON on stdout")
    probe.set_defaults(func=_command("probe", "probe"))

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
        choices=["auto", *SITES],
        default="auto",
        help="extraction rules: each site's own on its hosts and generic ones elsewhere (auto), "
        "or one site's rules for every URL (e.g. turan, for a mirror or the replica)",
    )
    capture.add_argument("--ignore-robots", action="store_true", help="fetch even what robots.txt disallows")
    capture.add_argument(
        "--timeout", type=float, default=60.0, metavar="S", help="seconds per fetch (default 60)"
    )
    capture.add_argument("--delay", type=float, metavar="S", help="seconds between requests to one site")
    capture.add_argument("--json", action="store_true", help="one JSON object per URL on stdout")
    _add_requisites_option(capture)
    _add_quiet_option(capture, "print only the per-URL lines and the summary")
    capture.set_defaults(func=_command("capture", "capture"))

    reindex = sub.add_parser(
        "reindex",
        help="rebuild the SQLite index from the WARC files",
        description="Parse every archived response again, with the current parser, into a "
        "new index; swap it in atomically (or write it to --into).",
    )
    _add_archive_option(reindex)
    reindex.add_argument("--into", metavar="PATH", help="write the new index here and leave turan.db alone")
    reindex.add_argument("--workers", type=int, help="parsing processes (default: one per core)")
    _add_quiet_option(reindex)
    reindex.set_defaults(func=_command("reindex", "reindex"))

    wacz = sub.add_parser(
        "wacz",
        help="package the archive as a WACZ file (for ReplayWeb.page, pywb)",
        description="Write the WARCs, a sorted CDXJ index and pages.jsonl as WACZ 1.1.1.",
    )
    wacz.add_argument("out", metavar="OUT.wacz")
    _add_archive_option(wacz)
    _add_quiet_option(wacz)
    wacz.set_defaults(func=_command("wacz", "wacz"))

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
    serve.set_defaults(func=_command("serve", "serve"))

    verify = sub.add_parser("verify", help="check that the WARC files and the index agree; exit 1 if not")
    _add_archive_option(verify)
    verify.add_argument(
        "--repair",
        action="store_true",
        help="first close WARC files left open by a killed run and drop index rows they lost",
    )
    _add_quiet_option(verify)
    verify.set_defaults(func=_command("verify", "verify"))

    status = sub.add_parser(
        "status",
        help="what the archive holds and how it is doing; exit 1 when it needs attention",
        description="Articles, captures, WARC files, the last runs and their problems, a run going on, "
        "the last verify. Exit 0 when healthy; 1 when the last run failed, the archive needs "
        "`verify --repair`, the last verify found problems, or the index is missing or damaged.",
    )
    _add_archive_option(status)
    status.add_argument("--json", action="store_true", help="everything as one JSON object on stdout")
    status.set_defaults(func=_command("status", "status"))

    rep = sub.add_parser(
        "replica",
        help="serve the local replica of the site (no network needed)",
        description="Serve a deterministic turan.az-like site on 127.0.0.1.",
    )
    rep.add_argument("--port", type=int, default=8000, help="port (0 picks a free one; default 8000)")
    rep.add_argument("--articles", type=int, default=300, help="number of generated articles (default 300)")
    rep.add_argument("--seed", type=int, default=1, help="generator seed: same seed, same site (default 1)")
    rep.add_argument("--no-faults", action="store_true", help="do not serve or link the fault pages")
    rep.add_argument(
        "--layout",
        choices=["classic", "sitemaps"],
        default="classic",
        help="classic: a paginated news line; sitemaps: no news line, path-paginated categories, "
        "month sitemaps (default classic)",
    )
    rep.add_argument("--no-skins", action="store_true", help="serve every article in the classic markup")
    rep.add_argument(
        "--cdn-port", type=int, default=0, help="port of the site's CDN host (default: a free one)"
    )
    rep.add_argument("--no-cdn", action="store_true", help="serve the CDN's files from the site's own host")
    rep.add_argument("--slow-seconds", type=float, default=2.0, help="delay of the slow article (default 2)")
    rep.add_argument("--export", metavar="DIR", help="write the site as static files + nginx.conf instead")
    rep.set_defaults(func=_command("replica", "replica"))
    return parser


def _undecodable(argv: Sequence[str]) -> str | None:
    """The first argument holding bytes that are not UTF-8 (Python keeps them as lone surrogates)."""
    return next((arg for arg in argv if any("\udc80" <= ch <= "\udcff" for ch in arg)), None)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if (bad := _undecodable(argv)) is not None:
        shown = bad.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        print(f"turan-crawler: argument {shown!r} is not valid UTF-8 text", file=sys.stderr)
        return EXIT_USAGE
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
    try:
        return args.func(args)
    except (CommandError, IndexUnusable) as exc:
        print(f"turan-crawler {args.command}: {exc}", file=sys.stderr)
        return getattr(exc, "code", EXIT_FAILURE)


if __name__ == "__main__":
    sys.exit(main())
