"""One-off captures: exactly the URLs given (and their redirects), nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import scrapy
from twisted.python.failure import Failure

from .. import siteconfig
from .base import ArchivingSpider


def rules_for(url: str, site: str) -> str:
    """``turan`` rules on turan.az hosts (or everywhere with ``--site turan``), ``generic`` elsewhere."""
    if site == "turan":
        return "turan"
    host = (urlsplit(url).hostname or "").lower()
    return "turan" if host in siteconfig.HOSTS else "generic"


class CaptureSpider(ArchivingSpider):
    """``urls``: the pages to archive. ``results`` maps each to what became of it, for the CLI's report."""

    name = "capture"

    def __init__(self, urls: list[str] | None = None, site: str = "auto", **kwargs):
        super().__init__(**kwargs)
        self.targets = list(urls or [])
        self.site = site
        self.results: dict[str, dict] = {url: {} for url in self.targets}

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
        extraction, verdict = await self.read_page(response, rules_for(response.url, self.site))
        if verdict:
            result["reason"] = verdict.error
            yield verdict
        if extraction is None:
            return
        if extraction.article is None:
            result["reason"] = f"archived; not an article ({extraction.reason})"
            return
        result["title"] = extraction.article["title"]
        for item in self.items_of(response, extraction):
            yield item

    def on_capture_error(self, failure: Failure):
        result = self.results[failure.request.meta["given_url"]]
        response = getattr(failure.value, "response", None)
        result["final_url"] = response.url if response is not None else failure.request.url
        result["reason"] = (
            f"HTTP {response.status}"
            if response is not None
            else f"{failure.type.__name__}: {failure.getErrorMessage()}"
        )
        yield from self.on_error(failure)
