"""Rebuild speed: `reindex` of an archive of N articles against a plain warcio read of the same files.

    python benchmarks/reindex.py [--articles 10000] [--archive DIR]

Crawls the replica into a fresh archive (or uses --archive), then times, in one run:
  1. a plain warcio read: every record of every WARC, payload read (no parsing, no index);
  2. `turan-crawler reindex --into` (parse every response, write the index);
  3. `turan-crawler verify` (every record's digest, every captures row against its record).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import crawl_command
from warcio.archiveiterator import ArchiveIterator

from turan_crawler.replica.process import replica_process


def warcio_read(warc_dir: Path) -> tuple[float, int]:
    started, records = time.perf_counter(), 0
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                record.content_stream().read()
                records += 1
    return time.perf_counter() - started, records


def cli(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    """(seconds, result) of ``turan-crawler ARGS``."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "turan_crawler", *args], capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--archive", help="an existing archive to reindex (skips the crawl)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(args.archive or scratch)
        if not args.archive:
            with replica_process(articles=args.articles, faults=False) as url:
                subprocess.run(crawl_command(archive, url, "--backfill-pages", "all"), check=True)
        read_seconds, records = warcio_read(archive / "warc")
        reindex_seconds, result = cli(
            "reindex", "--archive", str(archive), "--into", str(Path(scratch) / "r.db")
        )
        verify_seconds, _ = cli("verify", "--archive", str(archive), "--quiet")
        articles = int(result.stderr.split(" records, ")[1].split(" articles")[0])
    print(f"plain warcio read: {records} records in {read_seconds:.1f} s")
    print(
        f"reindex: {articles} articles in {reindex_seconds:.1f} s = {articles / reindex_seconds:.0f} articles/s"
    )
    print(f"ratio reindex/warcio-read: {reindex_seconds / read_seconds:.1f}")
    print(f"verify: {verify_seconds:.1f} s, ratio verify/warcio-read: {verify_seconds / read_seconds:.1f}")


if __name__ == "__main__":
    main()
