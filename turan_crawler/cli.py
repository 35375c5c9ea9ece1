"""The ``turan-crawler`` command: parses arguments and hands over to the crawl, the replica or a tool."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="turan-crawler",
        description="Archive turan.az: crawl into WARC files and an SQLite index, browse with Datasette.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
