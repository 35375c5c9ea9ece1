"""``replica``: serve the local replica of the site, or export it as static files for nginx."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import EXIT_OK


def replica(args: argparse.Namespace) -> int:
    from ..replica import ReplicaApp, ReplicaServer, Site
    from ..replica.export import export_site

    if args.export:
        site = Site(
            articles=args.articles, seed=args.seed, faults=False, layout=args.layout, skins=not args.no_skins
        )
        app = ReplicaApp(site)
        count = export_site(app, Path(args.export), port=args.port or 8080, cdn=not args.no_cdn)
        print(
            f"wrote {count} pages to {args.export}/site; serve them with: "
            f"nginx -c {Path(args.export).resolve()}/nginx.conf",
            file=sys.stderr,
        )
        return EXIT_OK
    site = Site(
        articles=args.articles,
        seed=args.seed,
        faults=not args.no_faults,
        layout=args.layout,
        skins=not args.no_skins,
    )
    app = ReplicaApp(site, slow_seconds=args.slow_seconds)
    server = ReplicaServer(app, port=args.port, cdn=not args.no_cdn, cdn_port=args.cdn_port)
    print(
        f"replica of turan.az ({args.articles} articles, seed {args.seed}, {args.layout} layout) on "
        f"{server.url}/en\n"
        + (f"its CDN (stylesheets' fonts, images) on {server.cdn_url}\n" if server.cdn_url else "")
        + f"truth: {server.url}/_replica/truth.json  (Ctrl-C stops)",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return EXIT_OK
