"""Cost of a first crawl and of an unchanged re-run (the cron case), at several archive sizes.

    python benchmarks/incremental_runs.py [--sizes 1000,10000]

For each size: a replica with that many articles (no fault pages) in its own process, a fresh archive,
a first crawl of everything (`--backfill-pages all`), then the cron command on the unchanged site.
Prints requests and seconds for both; the re-run's cost must not grow with the archive.
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
    with urllib.request.urlopen(f"{url}/_replica/requests.json") as resp:
        return len(json.load(resp))


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
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as archive, replica_process(articles=size, faults=False) as url:
            first = timed_crawl(archive, url, "--backfill-pages", "all")
            rerun = timed_crawl(archive, url)
        print(f"articles {size}: first crawl   {first[1]:6d} requests {first[0]:8.1f} s   ({first[2]})")
        print(f"articles {size}: unchanged re-run {rerun[1]:3d} requests {rerun[0]:8.1f} s   ({rerun[2]})")


if __name__ == "__main__":
    main()
