"""`turan-crawler probe` shows every field an article has, as the index stores it."""

from __future__ import annotations

from dataclasses import fields

from turan_crawler.commands.probe import _text
from turan_crawler.items import ArticleItem

NOT_READ_FROM_THE_PAGE = {"url", "capture_id", "fetched_at"}


def test_the_probe_lists_every_article_field_with_the_layer_that_gave_it():
    names = [f.name for f in fields(ArticleItem) if f.name not in NOT_READ_FROM_THE_PAGE]
    article = {
        "url": "https://turan.az/en/politics/talks-resume-790001",
        "status": 200,
        "fields": {name: f"{name}-value" for name in names},
        "sources": dict.fromkeys(names, "site"),
    }
    report = {
        "site": "https://turan.az",
        "robots": None,
        "sitemaps": [],
        "front_pages": [],
        "articles": [article],
    }
    shown = _text(report, True, "read 1 of 1 sampled articles").splitlines()
    listed = [line.split()[0] for line in shown if line.startswith("    ") and line.endswith(" site")]
    assert listed == names
