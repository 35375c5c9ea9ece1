"""`turan-crawler status` on a big archive: is it still cheap?

    python benchmarks/status.py [--articles 1000000] [--keep DIR]

Builds a synthetic index with the project's schema: N articles (replica sentences, ~2 KB of body each,
so that a full scan of `articles` would show), 1.2 N captures spread over 2,000 hourly runs with the
replica's mix of outcomes, a last run of 20,000 captures with errors and challenge pages, and N
versions; then times `status` and `status --json` as a user runs them (a new process each, median of 5
after one warm-up) and the queries alone, in process.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from turan_crawler.index import open_index
from turan_crawler.replica import texts

RUNS = 2000
LAST_RUN = 20_000  # captures of the last run


def build(archive: Path, count: int) -> None:
    (archive / "warc").mkdir(parents=True)
    db = open_index(archive / "turan.db")
    for (name,) in db.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        db.execute(f"drop trigger {name}")  # no FTS upkeep: status never reads it, and it would take hours
    conn = db.conn
    rng = random.Random(1)
    captures = int(count * 1.2)
    per_run = (captures - LAST_RUN) // (RUNS - 1)
    conn.executemany(
        "insert into runs (id, started_at, finished_at, command, args, pages, articles_new, "
        "articles_updated, errors, blocked, finish_reason, pid) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                run,
                f"2026-{1 + run // 300:02d}-{1 + run % 28:02d}T{run % 24:02d}:17:00+00:00",
                f"2026-{1 + run // 300:02d}-{1 + run % 28:02d}T{run % 24:02d}:19:30+00:00",
                "crawl",
                "--quiet",
                per_run if run < RUNS else LAST_RUN,
                per_run // 2,
                3,
                20,
                1,
                "finished",
                4242,
            )
            for run in range(1, RUNS + 1)
        ],
    )

    def capture_rows():
        for n in range(1, captures + 1):
            last = n > captures - LAST_RUN
            run = RUNS if last else min(RUNS - 1, 1 + (n - 1) // per_run)
            roll = rng.random()
            outcome = (
                ("error" if roll < 0.05 else "blocked" if roll < 0.06 else "ok")
                if last
                else ("error" if roll < 0.01 else "revisit" if roll < 0.1 else "ok")
            )
            status = {"ok": 200, "revisit": 200, "blocked": 403}.get(
                outcome, rng.choice([404, 500, 503, None])
            )
            yield (
                n,
                f"http://turan.az/en/politics/page-{n}",
                f"2026-01-01T00:00:{n % 60:02d}.000000Z",
                status,
                outcome,
                "text/html",
                f"sha1:{n:032d}",
                f"turan-{n // 100_000:05d}.warc.gz",
                n * 1000,
                1000,
                run,
                None if outcome in ("ok", "revisit") else "HTTP error",
            )

    conn.executemany(
        "insert into captures (id, url, fetched_at, status, outcome, content_type, payload_digest, "
        "warc_file, warc_offset, warc_length, run_id, error) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        capture_rows(),
    )

    def article_rows():
        for n in range(count):
            lang = texts.LANGS[n % 3]
            slug, label = rng.choice(texts.CATEGORIES[lang])
            body = "\n\n".join(" ".join(rng.sample(texts.SENTENCES[lang], 4)) for _ in range(5))
            published = f"{2003 + n * 23 // count}-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+04:00"
            yield (
                n + 1,
                f"http://turan.az/{lang}/{slug}/article-{n}",
                lang,
                lang,
                label,
                slug,
                700000 + n,
                f"{rng.choice(texts.OBJECTS[lang])} {n}",
                published,
                body,
                len(body.split()),
                n + 1,
                1,
            )

    conn.executemany(
        "insert into articles (id, url, lang, text_lang, category, category_slug, article_id, title, "
        "published_at, body, word_count, capture_id, version) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        article_rows(),
    )
    conn.executemany(
        "insert into article_versions (article, version, capture_id, fetched_at, title, word_count) "
        "values (?, 1, ?, '2026-01-01T00:00:00Z', 't', 300)",
        ((n, n) for n in range(1, count + 1)),
    )
    conn.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


QUERIES = """
import statistics, sys, time
from turan_crawler.archiving.paths import ArchivePaths
from turan_crawler.status import archive_status
paths, times = ArchivePaths.at(sys.argv[1]), []
for _ in range(6):
    started = time.perf_counter()
    archive_status(paths)
    times.append(time.perf_counter() - started)
print(f"median {statistics.median(times[1:]):.3f} s, worst {max(times[1:]):.3f} s, first {times[0]:.3f} s")
"""


def timed(command: list[str]) -> tuple[float, float]:
    subprocess.run(command, capture_output=True, check=False)  # warm-up
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), max(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="DIR", help="build here (or reuse what is there) and keep it")
    args = parser.parse_args()
    scratch = None if args.keep else tempfile.TemporaryDirectory()
    archive = Path(args.keep or scratch.name) / "archive"
    if not (archive / "turan.db").exists():
        started = time.perf_counter()
        build(archive, args.articles)
        size = (archive / "turan.db").stat().st_size
        print(
            f"built {args.articles:,} articles ({size / 2**30:.1f} GiB) in {time.perf_counter() - started:.0f} s"
        )
    # the queries alone, in a process of their own (this folder's incremental.py shadows a package
    # Twisted imports, so turan_crawler.status is not imported here)
    queries = subprocess.run(
        [sys.executable, "-c", QUERIES, str(archive)], capture_output=True, text=True, check=True
    ).stdout
    print(f"queries in process:  {queries.strip()}")
    base = [sys.executable, "-m", "turan_crawler", "status", "--archive", str(archive)]
    for label, command in (("status", base), ("status --json", [*base, "--json"])):
        median, worst = timed(command)
        print(f"{label + ':':<20} median {median:.3f} s, worst {worst:.3f} s (a new process each)")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import turan_crawler.commands.status"], check=True)
    print(f"(of which starting Python and importing the command: {time.perf_counter() - started:.3f} s)")
    if scratch:
        scratch.cleanup()


if __name__ == "__main__":
    main()
