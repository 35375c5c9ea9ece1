"""Our crawl side by side with bare Scrapy and `wget --warc-file` on the same site, in one run.

    python benchmarks/run.py [--articles N] [--quick] [--repeat R]

The replica is exported as static files and served by nginx (installed from Debian's packages if
missing; when that fails the replica's own server is used, and the output says so). Each round runs the
contenders in turn (alternating their order), each under /usr/bin/time for wall, CPU and peak RSS:
  crawl    turan-crawler crawl --delay 0 --concurrency 16 --backfill-pages all --requisites none, into a
           fresh archive (pages only, as the other two fetch them)
  bare     a bare Scrapy spider fetching exactly the URLs the crawl fetched (no parsing, WARC or SQLite)
  wget     wget -r --warc-file over the same site (robots.txt obeyed, same start pages)
then, once: an unchanged re-run, the crawl stopped at 1,000 articles (memory must not grow with the
archive), `reindex` of the archive and a plain warcio read of its WARCs.
Prints one line per figure (medians over rounds) and the ratios crawl/bare-scrapy, crawl/wget,
reindex/warcio-read.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import crawl_command
from warcio.archiveiterator import ArchiveIterator

from turan_crawler.replica import ReplicaApp, Site
from turan_crawler.replica.export import export_site
from turan_crawler.replica.process import replica_process

HERE = Path(__file__).resolve().parent
PY = sys.executable
LANGS = ("en", "az", "ru")


def process_tree(root: int) -> dict[int, list[str]]:
    """/proc/PID/stat fields (after the command name) of a process and all its descendants."""
    stats: dict[int, list[str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            stats[int(stat.parent.name)] = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError, ValueError):
            continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, fields in stats.items() if int(fields[1]) in tree} - tree
        tree |= more
        grew = bool(more)
    return {pid: stats[pid] for pid in tree if pid in stats}


def pss_kb(pid: int) -> int:
    """Proportional set size: resident pages, each shared page divided among the processes sharing it."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)


def timed(cmd: list[str], cwd: Path | None = None) -> dict:
    """Wall seconds, CPU seconds and peak memory (MB) of a command and every process it starts (worker
    processes included), sampled every 0.2 s: ``rss`` sums each process's resident set (pages shared by
    forked workers counted in each), ``pss`` sums their proportional set sizes (shared pages counted
    once). CPU is GNU time's figure, or the tree's sampled CPU when larger (GNU time misses children
    that are not waited for)."""
    page_kb, ticks = os.sysconf("SC_PAGE_SIZE") / 1024, os.sysconf("SC_CLK_TCK")
    with tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        proc = subprocess.Popen(
            ["/usr/bin/time", "-o", report.name, "-f", "%U %S %M", *cmd],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        peak_rss, peak_pss, cpu_ticks = 0.0, 0, {}
        while proc.poll() is None:
            tree = {pid: f for pid, f in process_tree(proc.pid).items() if pid != proc.pid}  # not time
            peak_rss = max(peak_rss, sum(int(f[21]) * page_kb for f in tree.values()))
            peak_pss = max(peak_pss, sum(pss_kb(pid) for pid in tree))
            cpu_ticks.update({pid: int(f[11]) + int(f[12]) for pid, f in tree.items()})
            time.sleep(0.2)
        wall = time.perf_counter() - started
        user, system, rss_kb = report.read().split()[-3:]
    return {
        "wall": wall,
        "cpu": max(float(user) + float(system), sum(cpu_ticks.values()) / ticks),
        "rss": max(peak_rss, int(rss_kb)) / 1024,
        "pss": peak_pss / 1024,
    }


def start_nginx(site_dir: Path, port: int) -> subprocess.Popen | None:
    if not shutil.which("nginx"):
        subprocess.run(["apt-get", "install", "-y", "-q", "nginx"], capture_output=True, check=False)
    if not shutil.which("nginx"):
        return None
    proc = subprocess.Popen(
        ["nginx", "-c", str(site_dir / "nginx.conf"), "-p", str(site_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    return proc if proc.poll() is None else None


def crawled_urls(archive: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(archive / "turan.db") as conn:
        return [
            r[0] for r in conn.execute("select url from captures where warc_file is not null order by id")
        ]


def warc_pages(warc_dir: Path) -> int:
    count = 0
    for path in warc_dir.glob("*.warc.gz"):
        with open(path, "rb") as fh:
            count += sum(1 for r in ArchiveIterator(fh) if r.rec_type == "response")
    return count


def warcio_read(warc_dir: Path) -> float:
    started = time.perf_counter()
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                record.content_stream().read()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--quick", action="store_true", help="1,000 articles, one round")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    articles, rounds = (1000, 1) if args.quick else (args.articles, args.repeat)
    port = 8790
    results: dict[str, list[dict]] = {"crawl": [], "bare": [], "wget": []}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        scratch.chmod(0o755)  # nginx workers run as nobody and must read the exported site
        export_site(ReplicaApp(Site(articles=articles, faults=False)), scratch / "site", port=port)
        nginx = start_nginx(scratch / "site", port)
        server_note = "nginx" if nginx else "the replica's own server (nginx unavailable)"
        fallback = None if nginx else replica_process(articles=articles, faults=False, port=port)
        base = fallback.__enter__() if fallback else f"http://127.0.0.1:{port}"
        try:
            starts = [f"{base}/{lang}" for lang in LANGS] + [f"{base}/{lang}/news-line" for lang in LANGS]

            def crawl_cmd(archive: Path) -> list[str]:
                # pages only, as bare Scrapy and wget -r fetch them (requisites: benchmarks/requisites.py)
                return crawl_command(archive, base, "--backfill-pages", "all", "--requisites", "none")

            url_file = scratch / "urls.txt"
            last_archive = None
            for n in range(rounds):
                order = ["crawl", "bare", "wget"] if n % 2 == 0 else ["wget", "bare", "crawl"]
                for who in order:
                    work = scratch / f"{who}-{n}"
                    work.mkdir()
                    if who == "crawl":
                        results["crawl"].append({**timed(crawl_cmd(work)), "pages": 0})
                        urls = crawled_urls(work)
                        results["crawl"][-1]["pages"] = len(urls)
                        url_file.write_text("\n".join(urls))
                        last_archive = work
                    elif who == "bare":
                        if not url_file.exists():  # wget went first: take the URL list from a crawl
                            subprocess.run(crawl_cmd(scratch / "seed-crawl"), check=True)
                            url_file.write_text("\n".join(crawled_urls(scratch / "seed-crawl")))
                        results["bare"].append(
                            {
                                **timed(
                                    [
                                        PY,
                                        "-m",
                                        "scrapy",
                                        "runspider",
                                        str(HERE / "bare_spider.py"),
                                        "-a",
                                        f"urls={url_file}",
                                        "-s",
                                        "CONCURRENT_REQUESTS=16",
                                        "-s",
                                        "CONCURRENT_REQUESTS_PER_DOMAIN=16",
                                        "-s",
                                        "LOG_LEVEL=ERROR",
                                        "-s",
                                        "TELNETCONSOLE_ENABLED=0",
                                    ],
                                    cwd=scratch,  # outside the project: Scrapy's defaults, not ours
                                ),
                                "pages": len(url_file.read_text().split()),
                            }
                        )
                    else:
                        results["wget"].append(
                            {
                                **timed(
                                    [
                                        "wget",
                                        "-r",
                                        "-l",
                                        "inf",
                                        "-np",
                                        "--delete-after",
                                        "-q",
                                        "-R",
                                        "*.jpg,*.png,*.svg",  # pages only, as the crawl
                                        "--warc-file",
                                        str(work / "wget"),
                                        "-e",
                                        "robots=on",
                                        *starts,
                                    ],
                                    cwd=work,
                                )
                            }
                        )
                        results["wget"][-1]["pages"] = warc_pages(work)
            rerun = timed(crawl_command(last_archive, base))
            small = (
                timed(crawl_cmd(scratch / "crawl-1000") + ["--max-articles", "1000"])
                if articles > 1000
                else None
            )  # memory must not grow with the archive: the same crawl stopped at 1,000 articles
            reindex = timed(
                [
                    PY,
                    "-m",
                    "turan_crawler",
                    "reindex",
                    "--archive",
                    str(last_archive),
                    "--into",
                    str(scratch / "reindexed.db"),
                ]
            )
            read_seconds = warcio_read(last_archive / "warc")
        finally:
            if nginx:
                nginx.terminate()
            if fallback:
                fallback.__exit__(None, None, None)

    def median(who: str, key: str) -> float:
        return statistics.median(r[key] for r in results[who])

    print(f"site: {articles} articles served by {server_note}; {rounds} round(s), medians")
    for who in ("crawl", "bare", "wget"):
        pages = median(who, "pages")
        print(
            f"{who:6} pages {pages:7.0f}  wall {median(who, 'wall'):7.1f} s  cpu {median(who, 'cpu'):7.1f} s  "
            f"peak RSS {median(who, 'rss'):6.0f} MB (PSS {median(who, 'pss'):4.0f} MB)  "
            f"{pages / median(who, 'wall'):6.0f} pages/s"
        )
    crawl_pages = median("crawl", "pages")
    print(f"crawl  cpu per archived page {median('crawl', 'cpu') / crawl_pages * 1000:.1f} ms")
    print(f"re-run (unchanged) wall {rerun['wall']:.1f} s, peak RSS {rerun['rss']:.0f} MB")
    if small:
        print(
            f"crawl  peak RSS at 1,000 articles {small['rss']:.0f} MB (PSS {small['pss']:.0f} MB), "
            f"at {articles:,} articles {median('crawl', 'rss'):.0f} MB (PSS {median('crawl', 'pss'):.0f} MB)"
        )
    print(
        f"reindex wall {reindex['wall']:.1f} s ({articles / reindex['wall']:.0f} articles/s); "
        f"plain warcio read {read_seconds:.1f} s"
    )
    per_page = {who: median(who, "wall") / median(who, "pages") for who in results}
    print(f"ratio crawl/bare-scrapy (time per page) {per_page['crawl'] / per_page['bare']:.2f}")
    print(f"ratio crawl/wget (time per page) {per_page['crawl'] / per_page['wget']:.2f}")
    print(f"ratio reindex/warcio-read {reindex['wall'] / read_seconds:.1f}")


if __name__ == "__main__":
    main()
