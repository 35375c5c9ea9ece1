"""Per-field accuracy of the parser against the replica's truth (per article skin) and the corpus, and
articles parsed per second.

    python benchmarks/extract_accuracy.py [--articles N] [--seed S] [--layout classic|sitemaps]
                                          [--site turan|generic]

Pages are rendered by the replica in-process (no HTTP), then parsed one after another on one core. The
20 MB page counts for accuracy but not for speed. Speed is CPU time of this process (``process_time``),
so that other work on the machine slows it less; the best of ``--rounds`` rounds is reported. The corpus
(tests/fixtures/corpus: hand-written pages in markups the parser was not tuned on) gets one line per
field and one for the pages that are not articles. ``--site generic`` reads the replica's pages with the
rules of a site nobody described (as a capture of another site with such markup is read): the fields only
Turan's rules give (category slug, article id, editor code) are then not expected to match.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter
from pathlib import Path

from turan_crawler.extract import extract
from turan_crawler.replica import ReplicaApp, Site
from turan_crawler.replica.site import SKINS, TRUTH_FIELDS
from turan_crawler.sites import TURAN, site_named
from turan_crawler.sites import Site as Rules

FIELDS = TRUTH_FIELDS
HOST = "replica.test"
CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "corpus"


def replica_pages(articles: int, seed: int, layout: str) -> list[tuple[dict, str, bytes, dict]]:
    app = ReplicaApp(Site(articles=articles, seed=seed, layout=layout))
    pages = []
    for expected in app.truth()["articles"]:
        resp = app.respond("GET", expected["url"], HOST, "gzip")
        headers = dict(resp.headers)
        body = gzip.decompress(resp.body) if headers.get("Content-Encoding") == "gzip" else resp.body
        pages.append((expected, f"http://{HOST}{expected['url']}", body, headers))
    return pages


def accuracy_table(pages: list[tuple[dict, str, bytes, dict]], rules: Rules) -> None:
    right: Counter[tuple[str, str]] = Counter()
    count: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for expected, url, body, headers in pages:
        article = extract(url, body, headers, rules).article
        for skin in ("all", expected["skin"]):
            count[skin] += 1
            for field in FIELDS:
                if article is not None and article[field] == expected[field]:
                    right[skin, field] += 1
                elif skin == "all":
                    examples.setdefault(field, f"{expected['url']}: got {article and article[field]!r}")
    skins = ["all", *(skin for skin in SKINS if count[skin])]
    print(f"{'accuracy':<23}" + "".join(f"{f'{skin} ({count[skin]})':>17}" for skin in skins))
    for field in FIELDS:
        cells = "".join(f"{100 * right[skin, field] / count[skin]:16.2f}%" for skin in skins)
        print(f"  {field:<21}{cells}" + (f"   e.g. {examples[field][:90]}" if field in examples else ""))


def corpus_line() -> None:
    entries = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    right: Counter[str] = Counter()
    articles = reasons = 0
    for entry in entries:
        result = extract(entry["url"], (CORPUS / entry["file"]).read_bytes(), entry["headers"], TURAN)
        if "not_article" in entry:
            reasons += 1
            right["not_article"] += result.article is None and result.reason == entry["not_article"]
            continue
        articles += 1
        for field in FIELDS:
            right[field] += result.article is not None and result.article[field] == entry["article"][field]
    fields = " ".join(f"{field} {100 * right[field] / articles:.0f}%" for field in FIELDS)
    print(f"corpus: {len(entries)} pages; {articles} articles: {fields}")
    print(
        f"corpus: {reasons} pages that are not articles: {right['not_article']} told apart with the right reason"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--layout", choices=("classic", "sitemaps"), default="classic")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--site", choices=("turan", "generic"), default="turan", help="the rules to read with"
    )
    args = parser.parse_args()
    rules = site_named(args.site)
    pages = replica_pages(args.articles, args.seed, args.layout)
    print(f"articles: {len(pages)} (seed {args.seed}, layout {args.layout}, read with the {args.site} rules)")
    accuracy_table(pages, rules)
    corpus_line()
    timed = [page for page in pages if page[0]["variant"] != "huge"]
    extract(timed[0][1], timed[0][2], timed[0][3], rules)  # warm-up
    best = float("inf")
    for _ in range(args.rounds):
        started = time.process_time()
        for _expected, url, body, headers in timed:
            extract(url, body, headers, rules)
        best = min(best, time.process_time() - started)
    size = sum(len(page[2]) for page in timed) / len(timed)
    print(
        f"speed: {len(timed) / best:.0f} articles/s on one core "
        f"(avg page {size / 1000:.0f} KB, {best / len(timed) * 1000:.2f} ms/article, best of {args.rounds})"
    )


if __name__ == "__main__":
    main()
