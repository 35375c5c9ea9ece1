"""``probe [URL]``: the first command to run against the real site, and the first diagnostic after a
layout change. It fetches politely (robots.txt obeyed, the crawl's delay), archives nothing, and says
what the crawler sees: robots rules that matter, sitemaps, listings and pagination, article links, and
every field of a few articles with the layer that gave it."""

from __future__ import annotations

import argparse
import json

from scrapy.crawler import CrawlerProcess

from ..config import project_settings
from ..items import ARTICLE_FIELDS
from ..spiders.probe import ProbeSpider
from . import EXIT_FAILURE, EXIT_OK


def verdict(report: dict) -> tuple[bool, str]:
    """(articles were found and read, the sentence that says so or says what is missing)."""
    read = [a for a in report["articles"] if "fields" in a]
    fronts = report["front_pages"]
    if read:
        return True, f"read {len(read)} of {len(report['articles'])} sampled articles"
    if report.get("challenges") and len(report["challenges"]) >= len(fronts):
        return False, "every page answered with a challenge page (bot protection): nothing can be crawled"
    if not any(f["status"] == 200 for f in fronts):
        return False, "no front page could be fetched (see the statuses above)"
    if not any(f["article_links"] for f in fronts):
        return False, "the front pages link no article the crawler recognises (the URL grammar changed?)"
    return False, "articles were linked but none could be read (the page layout changed?)"


def _text(report: dict, ok: bool, sentence: str) -> str:
    lines = [f"turan-crawler probe {report['site']}"]
    robots = report["robots"]
    if robots is None:
        lines.append("robots.txt: not fetched")
    else:
        blocked = ", ".join(robots["disallowed"]) or "none of the front pages and sitemaps"
        lines.append(
            f"robots.txt: HTTP {robots['status']}; crawl-delay {robots['crawl_delay'] or 'none'}; "
            f"disallowed: {blocked}; Sitemap: lines {len(robots['sitemaps'])}"
        )
    lines.append(f"sitemaps: {sum(s['kind'] != 'not a sitemap' for s in report['sitemaps'])} read")
    for s in report["sitemaps"]:
        lines.append(
            f"  {s['url']}  HTTP {s['status']}  {s['kind']}, {s['entries']} entries, newest lastmod "
            f"{s['newest_lastmod'] or '-'} (from {s['found_in']})"
        )
    lines.append("front pages:")
    for f in report["front_pages"]:
        state = "CHALLENGE" if f["challenge"] else ("listing" if f["listing"] else "not a listing")
        lines.append(
            f"  {f['url']}  HTTP {f['status']}  {state}: {f['article_links']} article links, "
            f"{len(f['listings'])} listings in its navigation, pagination {f['next_page'][:2] or 'none found'}"
        )
        if f["listings"]:
            lines.append(
                f"    listings: {', '.join(f['listings'][:8])}{' ...' if len(f['listings']) > 8 else ''}"
            )
    lines.append("articles:")
    for a in report["articles"]:
        lines.append(f"  {a['url']}  HTTP {a['status']}")
        if "fields" not in a:
            lines.append(f"    not an article ({a['not_an_article']})")
            continue
        for name in ARTICLE_FIELDS:
            value = a["fields"].get(name)
            lines.append(f"    {name:<13} {value!r:<70.70} {a['sources'].get(name, '')}")
    for failure in report.get("failures", []):
        lines.append(f"failed: {failure['url']}: {failure['error']}")
    lines.append(f"{'OK' if ok else 'PROBLEM'}: {sentence}")
    return "\n".join(lines)


def probe(args: argparse.Namespace) -> int:
    settings = project_settings(
        {
            "EXTENSIONS": {"turan_crawler.archiving.extension.ArchiveExtension": None},
            "ARCHIVE_DIR": "",
            "LOG_LEVEL": "ERROR",
            "LOG_INSTALL_ROOT_HANDLER": False,  # cli.py's handler prints this project's warnings
            "DOWNLOAD_DELAY": args.delay,
            "AUTOTHROTTLE_ENABLED": args.delay > 0,
            "TURAN_LANGS": args.lang.split(","),
            "TURAN_REQUISITES": "none",
        }
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ProbeSpider)
    process.crawl(crawler, start_url=args.url, articles=args.articles)
    process.start()
    report = crawler.spider.report
    ok, sentence = verdict(report)
    report["ok"], report["verdict"] = ok, sentence
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else _text(report, ok, sentence))
    return EXIT_OK if ok else EXIT_FAILURE
