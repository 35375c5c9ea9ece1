"""Progress on long work, for a person at a terminal: tqdm bars on stderr.

Only when stderr is a terminal and ``--quiet`` is not given: cron and pipes keep their one summary line.
Two users:
- ``reindex``, ``verify`` and ``wacz`` pass ``bars(...)`` as the ``progress`` callback of the pure
  functions they call (``progress(stage, bytes_done, bytes_total)``, bytes of WARC read): one bar per
  stage, with rate and time left, erased when the work ends (the summary line follows).
- the crawl: ``ProgressExtension`` draws pages fetched against pages fetched plus what is still known to
  walk (the scheduler's queue, the downloads in flight and the spider's sitemap backlog), so a backfill
  gets an estimate of the time left; the figure grows as listings and sitemaps reveal more pages.
Log lines printed meanwhile go above the bars (the CLI's stderr handler writes through tqdm).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from collections.abc import Callable, Iterator

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from tqdm import tqdm
from twisted.internet.task import LoopingCall

Progress = Callable[[str, int, int], None]  # (stage, done, total): what the pure functions call


def interactive(quiet: bool = False) -> bool:
    """Whether to draw progress: stderr is a terminal and the user did not ask for quiet."""
    return not quiet and sys.stderr.isatty()


class _AboveTheBars(io.TextIOBase):
    """A stream for log handlers: each write clears the bars, prints, and draws them again. In a worker
    forked from this process (reindex's pool) the bars are the parent's: it clears the line they are on,
    and the parent draws them again below."""

    def __init__(self) -> None:
        super().__init__()
        self.pid = os.getpid()

    def write(self, text: str) -> int:
        if os.getpid() != self.pid:
            sys.stderr.write("\r\033[K" + text)
            sys.stderr.flush()
            return len(text)
        with tqdm.external_write_mode(file=sys.stderr):
            sys.stderr.write(text)
            sys.stderr.flush()
        return len(text)

    def flush(self) -> None:
        sys.stderr.flush()


@contextlib.contextmanager
def logs_above_bars() -> Iterator[None]:
    """Route the handlers that log to stderr (the CLI's, with its level and filter) above the bars."""
    handlers = [
        h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler and h.stream is sys.stderr
    ]
    for handler in handlers:
        handler.setStream(_AboveTheBars())
    try:
        yield
    finally:
        for handler in handlers:
            handler.setStream(sys.stderr)


class _Bars:
    """The ``progress`` callback: a bar per stage, in bytes."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar: tqdm | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = _bar(desc=stage, total=total, unit="B", unit_scale=True, unit_divisor=1024)
        self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _bar(**kwargs) -> tqdm:
    return tqdm(file=sys.stderr, leave=False, dynamic_ncols=True, mininterval=0.5, **kwargs)


@contextlib.contextmanager
def bars(quiet: bool = False) -> Iterator[Progress | None]:
    """The progress callback for a long command, or None when nothing is to be drawn."""
    if not interactive(quiet):
        yield None
        return
    shown = _Bars()
    try:
        with logs_above_bars():
            yield shown
    finally:
        shown.close()


class ProgressExtension:
    """The crawl's bar (``TURAN_PROGRESS``; the CLI turns it on for interactive runs), redrawn each second
    from the crawl's stats and queues."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.spider = None
        self.bar: tqdm | None = None
        self.logs = contextlib.ExitStack()
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
        self.spider = spider
        self.logs.enter_context(logs_above_bars())
        # smoothing 0: the rate (and the time left) is the run's average, steadier over days than the last
        # second's; n is set each second and drawn once
        self.bar = _bar(desc="crawl", total=None, unit=" pages", bar_format=CRAWL_BAR, smoothing=0)
        self.loop.start(1.0, now=False)

    def closed(self, spider, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.logs.close()

    def to_walk(self) -> dict[str, int]:
        """What is still to fetch, as far as the crawl knows now."""
        engine = self.crawler.engine
        scheduler = getattr(engine, "scheduler", None)  # public from Scrapy 2.19
        downloader = getattr(engine, "downloader", None)
        return {
            "queued": len(scheduler) if hasattr(scheduler, "__len__") else 0,
            "in_flight": len(getattr(downloader, "active", ())),
            "backlog": len(getattr(self.spider, "backlog", ())),
        }

    def show(self) -> None:
        get = self.stats.get_value
        pages = get("response_received_count", 0)
        walk = self.to_walk()
        self.bar.total = pages + sum(walk.values())
        self.bar.set_postfix_str(
            f"articles new {get('archive/articles_new', 0)} updated {get('archive/articles_updated', 0)}  "
            f"errors {get('turan/errors', 0)}  "
            f"blocked {get('turan/blocked', 0)}  queued {walk['queued'] + walk['in_flight']}"
            + (f"  sitemap backlog {walk['backlog']}" if walk["backlog"] else ""),
            refresh=False,
        )
        self.bar.n = pages
        self.bar.refresh()


# pages done/known, the bar, rate, elapsed < time left for what is known, then the counts
CRAWL_BAR = "{desc} {n_fmt}/{total_fmt} pages |{bar}| {rate_fmt} {elapsed}<{remaining}{postfix}"
