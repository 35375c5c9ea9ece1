"""What page requisites cost: requests, bytes and time per archived article, with and without them.

    .venv/bin/python benchmarks/requisites.py [--articles 300]

The replica (with its CDN on a second port) is crawled whole (`--backfill-pages all`, no delay) into a
fresh archive once per mode; requests are counted from the replica's own log (both hosts), bytes are the
WARC files' size.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import crawl_command  # noqa: E402

from turan_crawler.replica import start_replica  # noqa: E402


def requests_so_far(url: str) -> int:
    return len(json.loads(urllib.request.urlopen(url + "/_replica/requests_timed.json").read()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    import subprocess

    print(f"{'mode':<8} {'articles':>8} {'requests':>9} {'req/article':>11} {'WARC MB':>8} {'KB/article':>10} "
          f"{'seconds':>8} {'ms/article':>10}")  # fmt: skip
    for mode in ("none", "images", "all"):
        server = start_replica(articles=args.articles, seed=1, faults=False)
        try:
            with tempfile.TemporaryDirectory() as archive:
                before = requests_so_far(server.url)
                started = time.monotonic()
                command = crawl_command(archive, server.url) + ["--requisites", mode]
                subprocess.run(command, check=True, capture_output=True)
                seconds = time.monotonic() - started
                requests = requests_so_far(server.url) - before
                size = sum(p.stat().st_size for p in Path(archive, "warc").glob("*.warc.gz"))
                import sqlite3

                articles = (
                    sqlite3.connect(Path(archive) / "turan.db")
                    .execute("select count(*) from articles")
                    .fetchone()[0]
                )
        finally:
            server.stop()
        print(f"{mode:<8} {articles:>8} {requests:>9} {requests / articles:>11.2f} {size / 1e6:>8.1f} "
              f"{size / 1024 / articles:>10.1f} {seconds:>8.1f} {1000 * seconds / articles:>10.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
