"""Datasette latency on a big index: table page, search, article page, archived-page view.

    python benchmarks/browse.py [--articles 1000000] [--archive DIR]

Builds a synthetic index of N articles (replica sentences, ~350 words each, three languages) with the
project's schema, both FTS tables (as written and folded), author groups and one version each, plus one
real WARC record for the archived-page view; then times each page through `turan-crawler serve` (a real
HTTP server): median and worst of 10 requests after one warm-up. With ``--archive DIR`` the archive is
built there once and reused by later runs with the same ``--articles`` (1,000,000 articles take ~30 min
and ~9 GB to build).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from turan_crawler.index import ArchiveStore, open_index
from turan_crawler.replica import texts
from turan_crawler.warc.records import Exchange, build_records
from turan_crawler.warc.writer import RotatingWarcWriter

CHUNK = 20_000


def build(archive: Path, count: int) -> None:
    writer = RotatingWarcWriter(archive / "warc", "turan", 10**9, {"software": "benchmark"})
    body = b"<html><head><title>Archived</title></head><body><h1>An archived page</h1></body></html>"
    exchange = Exchange(
        "http://turan.az/en/politics/x-1",
        "GET",
        [],
        200,
        [("Content-Type", "text/html")],
        body,
        fetched_at="2026-01-01T00:00:00.000000Z",
    )
    (name, offset, length), _ = writer.write(build_records(writer.builder, exchange))
    writer.close()
    db = open_index(archive / "turan.db")
    db["captures"].insert(
        {
            "id": 1,
            "url": exchange.url,
            "fetched_at": exchange.fetched_at,
            "status": 200,
            "outcome": "ok",
            "payload_digest": exchange.digest,
            "warc_file": name,
            "warc_offset": offset,
            "warc_length": length,
        }
    )
    rng = random.Random(1)
    store = ArchiveStore(db)
    with db.atomic():
        author_ids = {name: store.author_id(name) for lang in texts.LANGS for name in texts.AUTHORS[lang]}

    def rows():
        for n in range(count):
            lang = texts.LANGS[n % 3]
            slug, label = rng.choice(texts.CATEGORIES[lang])
            body = "\n\n".join(" ".join(rng.sample(texts.SENTENCES[lang], 4)) for _ in range(7))
            author = rng.choice(texts.AUTHORS[lang] + [None] * 5)
            yield {
                "id": n + 1,
                "url": f"http://turan.az/{lang}/{slug}/article-{n}",
                "lang": lang,
                "text_lang": lang,
                "category": label,
                "category_slug": slug,
                "article_id": 700000 + n,
                "title": f"{rng.choice(texts.OBJECTS[lang])} {n}",
                "author": author,
                "author_id": author_ids.get(author),
                "published_at": f"{2016 + n * 10 // count}-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+04:00",
                "body": body,
                "paywalled": int(n % 9 == 0),
                "word_count": len(body.split()),
                "first_seen": "2026-01-01T00:00:00Z",
                "last_seen": "2026-01-01T00:00:00Z",
                "capture_id": 1,
                "version": 1,
            }

    db.execute("PRAGMA cache_size = -1000000")  # 1 GB: FTS segments merge in memory, not on disk
    generated = rows()
    for start in range(0, count, CHUNK):  # one transaction per chunk, so the WAL is checkpointed as it goes
        with db.atomic():
            db["articles"].insert_all(itertools.islice(generated, CHUNK), batch_size=500)
            # what ArchiveStore.save_article writes beside each article, in bulk
            db.execute(
                "insert into article_versions (article, version, capture_id, fetched_at, title, word_count) "
                "select id, 1, capture_id, first_seen, title, word_count from articles where id > ?",
                [start],
            )
            db.execute(
                "insert into articles_folded (id, title, body, author) "
                "select id, turan_fold(title), turan_fold(body), turan_fold(author) from articles where id > ?",
                [start],
            )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()


def fetch(url: str) -> tuple[float, int]:
    """(milliseconds, HTTP status) of one GET."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:  # e.g. 400 "SQL query took too long": say so, keep timing
        status = exc.code
    return (time.perf_counter() - started) * 1000, status


def timed(url: str, repeat: int = 10) -> tuple[float, float, float, list[int]]:
    """(first request, median and worst of ``repeat`` more, in ms; statuses that were not 200)."""
    first, status = fetch(url)
    samples, failed = [], [status] if status != 200 else []
    for _ in range(repeat):
        took, status = fetch(url)
        samples.append(took)
        failed += [status] if status != 200 else []
    return first, statistics.median(samples), max(samples), failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100000)
    parser.add_argument("--archive", type=Path, help="build the archive here once, reuse it after")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        archive = args.archive or Path(scratch)
        built = archive / f"built-{args.articles}"
        if not built.exists():
            shutil.rmtree(archive / "warc", ignore_errors=True)
            for stale in archive.glob("turan.db*"):
                stale.unlink()
            archive.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            build(archive, args.articles)
            built.touch()
            print(f"built an index of {args.articles} articles in {time.perf_counter() - started:.0f} s")
        print(f"index: {args.articles} articles, {(archive / 'turan.db').stat().st_size / 1e6:.0f} MB")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        serve = subprocess.Popen(
            [sys.executable, "-m", "turan_crawler", "serve", "--archive", str(archive), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        middle = args.articles // 2
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/turan")
                    break
                except OSError:
                    time.sleep(0.3)
            pages = {
                "articles table (sorted by published_at, 6 facets incl. date and author groups)": "/turan/articles",
                "articles table, page 2 (keyset pagination)": second_page(base),
                "search, folded, ranked, with snippets: a rare word": "/turan/search?q=Aliyev&lang=",
                "search, folded, ranked, with snippets: a word in most articles": "/turan/search?q=manat&lang=",
                "table search (?_search=)": "/turan/articles?_search=corridor",
                "article page": f"/-/turan/article/{middle}",
                "archived-page view (WARC record by offset)": "/-/turan/capture/1/raw",
                "archived-page frame": "/-/turan/capture/1",
            }
            for label, path in pages.items():
                first, median, worst, failed = timed(base + path)
                problems = f" (answers not 200: {failed})" if failed else ""
                print(
                    f"{label}: first {first:.0f} ms, median {median:.0f} ms, worst {worst:.0f} ms{problems}"
                )
        finally:
            serve.terminate()
            serve.wait()


def second_page(base: str) -> str:
    """The articles table's second page, as its "Next page" link gives it (keyset pagination)."""
    with urllib.request.urlopen(base + "/turan/articles.json") as resp:
        next_url = urllib.parse.urlsplit(json.load(resp)["next_url"])
    return next_url.path.replace(".json", "") + "?" + next_url.query


if __name__ == "__main__":
    main()
