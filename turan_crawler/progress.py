"""A progress line on stderr for interactive runs: pages, articles, errors, rate."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall


class ProgressExtension:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.started = time.monotonic()
        self.loop = LoopingCall(self.show)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        if not crawler.settings.getbool("TURAN_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider) -> None:
        self.loop.start(1.0, now=False)

    def closed(self, spider, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()

    def show(self) -> None:
        pages = self.stats.get_value("response_received_count", 0)
        rate = pages / max(time.monotonic() - self.started, 0.001)
        sys.stderr.write(
            f"\r\033[Kpages {pages}  articles {self.stats.get_value('turan/articles', 0)}  "
            f"errors {self.stats.get_value('turan/errors', 0)}  blocked {self.stats.get_value('turan/blocked', 0)}"
            f"  {rate:.1f} pages/s"
        )
        sys.stderr.flush()
