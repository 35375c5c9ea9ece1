"""Downloader middlewares: honour Retry-After before Scrapy's RetryMiddleware retries; keep every request
(redirects included) within what its spider may fetch."""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares import robotstxt as scrapy_robotstxt
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

log = logging.getLogger(__name__)
ROBOTS_TXT_MAX_SIZE = 512 * 1024  # bytes, raw and inflated: Google reads the first 500 KiB of a robots.txt


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class RetryAfterMiddleware:
    """On 429 or 503 with Retry-After, wait that long (up to TURAN_RETRY_AFTER_MAX) before the response
    goes on to RetryMiddleware. Only this request waits; the rest of the crawl goes on."""

    def __init__(self, max_wait: float):
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler.settings.getfloat("TURAN_RETRY_AFTER_MAX"))

    async def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if response.status in (429, 503):
            raw = response.headers.get("Retry-After")
            wait = retry_after_seconds(raw.decode("latin-1") if raw else None)
            if wait:
                from twisted.internet import reactor  # late: importing it installs the default reactor

                wait = min(wait, self.max_wait)
                log.info("%s answered %d, Retry-After: waiting %.1f s", request.url, response.status, wait)
                await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return response


def robots_txt_request(request: Request) -> bool:
    """A request Scrapy's robots.txt middleware makes for a host's rules (it marks it not to obey them)."""
    return bool(request.meta.get("dont_obey_robotstxt")) and urlparse_cached(request).path == "/robots.txt"


class ScopeMiddleware:
    """Every request, redirects included, must be one its spider may make (``spider.refusal(url)`` says
    why not), checked before any connection. It replaces Scrapy's offsite filter, which lets
    ``dont_filter`` requests and their redirects through (all of ours), and stopped only the robots.txt
    of a requisite's host (a CDN's rules were never read, so never obeyed). A host's robots.txt may be
    read wherever a requisite may come from. A refused request fails with IgnoreRequest('refused: ...'),
    which the spider records as a ``refused`` capture."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> None:
        # Scrapy 2.13+ no longer passes the spider: ask the crawler (the first test of this passed vacuously)
        refusal = getattr(self.crawler.spider, "refusal", None)
        requisite = request.meta.get("requisite", False) or robots_txt_request(request)
        reason = refusal(request.url, requisite) if refusal else None
        if reason:
            where = (
                " (redirected from " + request.meta["redirect_urls"][-1] + ")"
                if request.meta.get("redirect_urls")
                else ""
            )
            raise IgnoreRequest(f"refused: {reason}{where}")


class RobotsTxtMiddleware(scrapy_robotstxt.RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waits for a site's robots.txt given the
    parser. Scrapy 2.13+ awaits the shared Deferred through ``maybe_deferred_to_future``, whose callback
    returns None: only the first waiter gets the parser, the others get None and are let through
    unchecked (seen here: two of three start requests to disallowed sitemap paths were fetched; the
    change is scrapy/scrapy#6802, noted there as untested). Each waiter gets a Deferred of its own.

    Its own robots.txt requests are bounded by ``ROBOTS_TXT_MAX_SIZE`` (64 MiB of rules were parsed on the
    reactor); a larger one fails, and Scrapy treats a robots.txt it could not fetch as absent."""

    async def process_request(self, request: Request, spider=None) -> None:
        if robots_txt_request(request):
            request.meta.setdefault("download_maxsize", ROBOTS_TXT_MAX_SIZE)
        return await super().process_request(request)

    async def robot_parser(self, request: Request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            mine: Deferred = Deferred()

            def share(result):
                mine.callback(result)
                return result  # the next waiter gets it too

            pending.addCallback(share)
            return await maybe_deferred_to_future(mine)
        return await super().robot_parser(request)
