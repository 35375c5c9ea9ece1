"""``turan-crawler capture``: check the URLs, archive them, then say what became of each one."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from .crawl import EXIT_FAILURE, EXIT_OK, run_crawl
from .spiders.capture import CaptureSpider

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


def describe(archive: Path, run_id: int, url: str, result: dict) -> dict:
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
    with sqlite3.connect(f"file:{archive / 'turan.db'}?mode=ro", uri=True) as conn:
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


def run_capture(
    archive: Path, urls: list[str], overrides: dict, site: str, as_json: bool, quiet: bool
) -> int:
    checked = [(url, url_problem(url)) for url in urls]
    invalid = [(url, problem) for url, problem in checked if problem]
    for url, problem in invalid:
        _emit(
            {
                "url": url,
                "final_url": None,
                "outcome": "invalid",
                "status": None,
                "title": None,
                "article": None,
                "reason": problem,
            },
            as_json,
        )
    valid = [url for url, problem in checked if not problem]
    if not valid:
        print("turan-crawler capture: no URL to capture", file=sys.stderr)
        return EXIT_FAILURE

    def report(crawler: Crawler) -> int:
        failed = bool(invalid)
        for url in valid:
            entry = describe(
                Path(crawler.settings.get("ARCHIVE_DIR")),
                crawler.archive.run_id,
                url,
                crawler.spider.results.get(url, {}),
            )
            failed = failed or entry["outcome"] not in SUCCESS
            _emit(entry, as_json)
        return EXIT_FAILURE if failed else EXIT_OK

    return run_crawl(
        archive,
        overrides,
        {"urls": valid, "site": site},
        "capture",
        " ".join(urls),
        quiet,
        CaptureSpider,
        report,
    )
