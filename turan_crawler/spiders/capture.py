"""One-off captures: exactly the URLs given (and their redirects), nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import scrapy
from twisted.python.failure import Failure

from ..extract import Extraction
from ..recording import challenge_error
from ..sites import SiteRules
from .base import ArchivingSpider


def why_not_indexed(status: int, extraction: Extraction) -> str:
    """What the report says of a read page that gave no article."""
    if extraction.reason == "challenge":
        return challenge_error(status)
    if status >= 400:
        return f"HTTP {status}"
    if extraction.reason == "error":
        return "error page"
    if extraction.reason in ("parse_failed", "too_large"):
        return extraction.error or extraction.reason
    return f"archived; not an article ({extraction.reason})"


class CaptureSpider(ArchivingSpider):
    """``urls``: the pages to archive; ``site_rules``: which rules read each (default: by host).
    ``results`` maps each given URL to what became of it, for the command's report."""

    name = "capture"

    def __init__(self, urls: list[str] | None = None, site_rules: SiteRules | None = None, **kwargs):
        super().__init__(**kwargs)
        self.targets = list(urls or [])
        self.site_rules = site_rules or SiteRules()
        self.results: dict[str, dict] = {url: {} for url in self.targets}
        self.given_hosts = frozenset((urlsplit(url).hostname or "").lower() for url in self.targets)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.targets:
            yield scrapy.Request(
                url,
                callback=self.parse_page,
                errback=self.on_capture_error,
                dont_filter=True,
                meta={"given_url": url},
            )

    async def parse_page(self, response: scrapy.http.Response):
        result = self.results[response.meta["given_url"]]
        result["final_url"] = response.url
        site, extraction = await self.read(response)
        articles = self.record(response, site, extraction)
        if articles:
            result["title"] = articles[0].title
        elif extraction is not None and extraction.article and response.url in self.articles_yielded:
            result["title"] = extraction.article["title"]  # reached before in this run (a redirect led here)
        elif extraction is not None:
            result["reason"] = why_not_indexed(response.status, extraction)
        for item in articles:
            yield item
        for request in self.requisites_of(response, extraction):
            yield request

    def on_capture_error(self, failure: Failure) -> None:
        result = self.results[failure.request.meta["given_url"]]
        result["final_url"] = failure.request.url
        message = failure.getErrorMessage()
        refused = message.startswith("refused: ")
        result["reason"] = message if refused else f"{failure.type.__name__}: {message}"
        self.on_error(failure)
