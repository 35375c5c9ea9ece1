"""Datasette latency on a big index: table page, relevance search, archived-page view.

    python benchmarks/browse.py [--articles 100000]

Builds a synthetic index of N articles (replica sentences, ~350 words each) with the project's schema and
FTS, one real WARC record for the archived-page view, then times each page through `turan-crawler serve`
(a real HTTP server): median and worst of 10 requests after one warm-up.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from turan_crawler.index import open_index
from turan_crawler.replica import texts
from turan_crawler.warc.records import Exchange, build_records
from turan_crawler.warc.writer import RotatingWarcWriter


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

    def rows():
        for n in range(count):
            lang = texts.LANGS[n % 3]
            slug, label = rng.choice(texts.CATEGORIES[lang])
            body = "\n\n".join(" ".join(rng.sample(texts.SENTENCES[lang], 4)) for _ in range(7))
            yield {
                "url": f"http://turan.az/{lang}/{slug}/article-{n}",
                "lang": lang,
                "text_lang": lang,
                "category": label,
                "category_slug": slug,
                "article_id": 700000 + n,
                "title": f"{rng.choice(texts.OBJECTS[lang])} {n}",
                "author": rng.choice(texts.AUTHORS[lang] + [None] * 5),
                "published_at": f"{2016 + n * 10 // count}-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+04:00",
                "body": body,
                "paywalled": int(n % 9 == 0),
                "word_count": len(body.split()),
                "first_seen": "2026-01-01",
                "last_seen": "2026-01-01",
                "capture_id": 1,
                "version": 1,
            }

    with db.atomic():
        db["articles"].insert_all(rows(), batch_size=500)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def timed(url: str, repeat: int = 10) -> tuple[float, float]:
    urllib.request.urlopen(url).read()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        with urllib.request.urlopen(url) as resp:
            resp.read()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch)
        started = time.perf_counter()
        build(archive, args.articles)
        print(
            f"built an index of {args.articles} articles in {time.perf_counter() - started:.0f} s "
            f"({(archive / 'turan.db').stat().st_size / 1e6:.0f} MB)"
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        serve = subprocess.Popen(
            [sys.executable, "-m", "turan_crawler", "serve", "--archive", str(archive), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/turan")
                    break
                except OSError:
                    time.sleep(0.3)
            pages = {
                "table page (articles, sorted by published_at, facets)": "/turan/articles",
                "relevance search with snippets": "/turan/search?q=manat&lang=",
                "table search (?_search=)": "/turan/articles?_search=corridor",
                "archived-page view (WARC record by offset)": "/-/turan/capture/1/raw",
                "archived-page frame": "/-/turan/capture/1",
            }
            for label, path in pages.items():
                median, worst = timed(base + path)
                print(f"{label}: median {median:.0f} ms, worst {worst:.0f} ms")
        finally:
            serve.terminate()
            serve.wait()


if __name__ == "__main__":
    main()
