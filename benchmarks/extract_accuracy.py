"""Per-field accuracy of the parser against the replica's truth, and articles parsed per second.

    python benchmarks/extract_accuracy.py [--articles N] [--seed S]

Pages are rendered by the replica in-process (no HTTP), then parsed one after another on one core.
The 20 MB page counts for accuracy but not for speed.
"""

from __future__ import annotations

import argparse
import gzip
import time
from collections import Counter

from turan_crawler.extract import extract
from turan_crawler.replica import ReplicaApp, Site
from turan_crawler.replica.site import TRUTH_FIELDS
from turan_crawler.sites import TURAN

FIELDS = TRUTH_FIELDS
HOST = "replica.test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    app = ReplicaApp(Site(articles=args.articles, seed=args.seed))
    truth = app.truth()["articles"]
    pages = []
    for expected in truth:
        resp = app.respond("GET", expected["url"], HOST, "gzip")
        headers = dict(resp.headers)
        body = gzip.decompress(resp.body) if headers.get("Content-Encoding") == "gzip" else resp.body
        pages.append((expected, f"http://{HOST}{expected['url']}", body, headers))

    right: Counter[str] = Counter()
    examples: dict[str, str] = {}
    extract(pages[0][1], pages[0][2], pages[0][3], TURAN)  # warm-up: language model loading
    timed_pages, timed_bytes, elapsed = 0, 0, 0.0
    for expected, url, body, headers in pages:
        started = time.perf_counter()
        article = extract(url, body, headers, TURAN).article
        if expected["variant"] != "huge":
            elapsed += time.perf_counter() - started
            timed_pages, timed_bytes = timed_pages + 1, timed_bytes + len(body)
        for field in FIELDS:
            if article is not None and article[field] == expected[field]:
                right[field] += 1
            else:
                examples.setdefault(field, f"{expected['url']}: got {article and article[field]!r}")
    print(f"articles: {len(truth)} (seed {args.seed})")
    for field in FIELDS:
        print(
            f"accuracy {field:<14} {100 * right[field] / len(truth):6.2f}%"
            + (f"   e.g. {examples[field][:100]}" if field in examples else "")
        )
    print(
        f"speed: {timed_pages / elapsed:.0f} articles/s on one core "
        f"(avg page {timed_bytes / timed_pages / 1000:.0f} KB, {elapsed / timed_pages * 1000:.2f} ms/article)"
    )


if __name__ == "__main__":
    main()
