"""Cost of a first crawl and of an unchanged re-run (the cron case), at several archive sizes.

    python benchmarks/incremental_runs.py [--sizes 1000,10000] [--layouts classic,sitemaps]

For each layout and size: a replica with that many articles (no fault pages) in its own process, a fresh
archive, a first crawl of everything (`--backfill-pages all`), then the cron command on the unchanged
site. Prints requests (both of the replica's hosts: the site and its CDN) and seconds for both, and the
first crawl's requests per archived article; the re-run's cost must not grow with the archive.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
import urllib.request

from common import crawl_command

from turan_crawler.replica.process import replica_process


def requests_served(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_replica/requests_timed.json") as resp:
        return len(json.load(resp))


def pages_served(url: str) -> tuple[int, int]:
    """(pages, requisites) the site answered so far: its own host's requests that are not files."""
    with urllib.request.urlopen(f"{url}/_replica/requests_timed.json") as resp:
        log = json.load(resp)
    files = ("/static/", "/img/", "/uploads/", "/images/", "/fonts/", "/icons/", "/private/")
    pages = sum(r["host"] == "main" and not r["request"].split(" ", 1)[1].startswith(files) for r in log)
    return pages, len(log) - pages


def timed_crawl(archive: str, url: str, *extra: str) -> tuple[float, int, str]:
    before = requests_served(url)
    started = time.perf_counter()
    result = subprocess.run(crawl_command(archive, url, *extra), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    summary = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit {result.returncode}"
    return seconds, requests_served(url) - before, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--layouts", default="classic,sitemaps", help="replica layouts")
    args = parser.parse_args()
    for layout in args.layouts.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            with (
                tempfile.TemporaryDirectory() as archive,
                replica_process(articles=size, faults=False, layout=layout) as url,
            ):
                first = timed_crawl(archive, url, "--backfill-pages", "all")
                pages, files = pages_served(url)
                rerun = timed_crawl(archive, url)
            print(
                f"{layout} {size}: first crawl {first[1]:6d} requests ({pages} pages, {files} requisites; "
                f"{pages / size:.2f} pages per article) {first[0]:7.1f} s   ({first[2]})"
            )
            print(f"{layout} {size}: unchanged re-run {rerun[1]:3d} requests {rerun[0]:7.1f} s   ({rerun[2]})",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
