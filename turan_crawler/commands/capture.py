"""``capture``: check the URLs, archive exactly them (and their redirects), say what became of each."""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from ..archiving.paths import ArchivePaths
from ..archiving.runs import RunSummary
from ..sites import EVERY_HOST, SiteRules
from ..spiders.capture import CaptureSpider
from . import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CommandError
from .run import run_spider

SUCCESS = ("ok", "revisit")


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be fetched, or None."""
    try:
        split = urlsplit(url)
    except ValueError as exc:
        return f"malformed URL ({exc})"
    if split.scheme not in ("http", "https"):
        return (
            f"unsupported scheme {split.scheme!r}"
            if split.scheme
            else "malformed URL (no http:// or https://)"
        )
    if not split.hostname:
        return "malformed URL (no host)"
    return None


def _line(entry: dict) -> str:
    status = entry["status"] if entry["status"] is not None else "-"
    what = repr(entry["title"]) if entry["title"] else entry["reason"] or ""
    article = f"  (article {entry['article']})" if entry["article"] else ""
    return f"{entry['outcome']:<8} {status!s:>3}  {entry['url']}  {what}{article}"


def _emit(entry: dict, as_json: bool) -> None:
    print(json.dumps(entry, ensure_ascii=False) if as_json else _line(entry), flush=True)


def describe(db: Path, run_id: int, url: str, result: dict) -> dict:
    """What the index says of one given URL after this run: last capture's outcome, the article read."""
    final = result.get("final_url", url)
    entry = {
        "url": url,
        "final_url": final,
        "outcome": "error",
        "status": None,
        "title": result.get("title"),
        "article": None,
        "reason": result.get("reason") or "not fetched",
    }
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        capture = conn.execute(
            "select id, outcome, status, error from captures where url = ? and run_id = ? "
            "order by id desc limit 1",
            [final, run_id],
        ).fetchone()
        if capture:
            entry.update(outcome=capture[1], status=capture[2])
            entry["reason"] = result.get("reason") or capture[3]
            row = conn.execute(
                "select id from articles where url = ? and capture_id = ?", [final, capture[0]]
            ).fetchone()
            entry["article"] = row[0] if row else None
    return entry


def given_urls(args: argparse.Namespace) -> list[str]:
    urls = list(args.urls)
    if args.from_file:
        try:
            text = Path(args.from_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {args.from_file}: {exc}", EXIT_USAGE) from None
        urls += [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not urls:
        raise CommandError("give at least one URL (or --from-file)", EXIT_USAGE)
    return urls


def capture(args: argparse.Namespace) -> int:
    urls = given_urls(args)
    checked = [(url, url_problem(url)) for url in urls]
    invalid = [(url, problem) for url, problem in checked if problem]
    for url, problem in invalid:
        entry = {"url": url, "final_url": None, "outcome": "invalid", "status": None, "title": None}
        _emit({**entry, "article": None, "reason": problem}, args.json)
    valid = [url for url, problem in checked if not problem]
    if not valid:
        raise CommandError("no URL to capture")
    paths = ArchivePaths.at(args.archive)

    def report(crawler: Crawler, summary: RunSummary) -> int:
        failed = bool(invalid)
        for url in valid:
            entry = describe(paths.db, summary.run_id, url, crawler.spider.results.get(url, {}))
            failed = failed or entry["outcome"] not in SUCCESS
            _emit(entry, args.json)
        return EXIT_FAILURE if failed else EXIT_OK

    overrides: dict = {
        "ROBOTSTXT_OBEY": not args.ignore_robots,
        "DOWNLOAD_TIMEOUT": args.timeout,
        "RETRY_TIMES": 1,
    }
    if args.delay is not None:
        overrides.update(DOWNLOAD_DELAY=args.delay, AUTOTHROTTLE_ENABLED=args.delay > 0)
    if args.requisites is not None:
        overrides["TURAN_REQUISITES"] = args.requisites
    rules = SiteRules({EVERY_HOST: args.site} if args.site != "auto" else {})
    return run_spider(
        paths,
        CaptureSpider,
        {"urls": valid, "site_rules": rules},
        overrides,
        "capture",
        " ".join(urls),
        args.quiet,
        report,
    )
