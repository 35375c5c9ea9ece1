"""Item pipelines: validate articles, then hand every item to the archive worker."""

from __future__ import annotations

import re

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from .items import ArticleItem

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2})?$")


class ValidateArticlePipeline:
    """Refuse an article that would store something wrong: no title, no text, a malformed date."""

    def process_item(self, item: object) -> object:
        if isinstance(item, ArticleItem):
            fields = item.fields
            if not fields.get("title") or not fields.get("body"):
                raise DropItem(f"article without title or text: {fields.get('url')}")
            if fields.get("published_at") and not _ISO.match(fields["published_at"]):
                raise DropItem(f"malformed published_at {fields['published_at']!r} at {fields.get('url')}")
            if fields.get("paywalled") not in (0, 1):
                raise DropItem(f"paywalled must be 0 or 1 at {fields.get('url')}")
        return item


class IndexPipeline:
    """Queue items for the archive worker, which writes them to the index in order."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IndexPipeline:
        return cls(crawler)

    def process_item(self, item: object) -> object:
        self.crawler.archive.submit(item)
        return item
