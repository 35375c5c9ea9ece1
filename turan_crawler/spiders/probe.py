"""The probe: what the crawler sees of a site, fetched politely and archived nowhere.

robots.txt (through the robots middleware's own fetch), the sitemaps it and the site's known locations
give (an index's first sitemap is read too), each language's front page (its listings, pagination and
article links), and a few articles per language, read as the crawl reads them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.crawler import Crawler

from ..extract.metadata import read_metadata
from ..extract.page import parse_html
from ..sites import TURAN, SiteRules
from .base import ArchivingSpider


def field_sources(article: dict, body: bytes) -> dict[str, str]:
    """Which layer gave each field: the page's own metadata (JSON-LD, OpenGraph), the URL, language
    detection, or the site rules / generic extractor that read the text."""
    from ..extract.decode import decode_html

    meta = read_metadata(parse_html(decode_html(body)[0]))
    reader = article.get("extracted_by") or "site"
    declared = {
        "title": meta.title,
        "published_at": meta.published_at,
        "author": meta.author,
        "category": meta.section,
    }
    sources = {}
    for name in ("title", "author", "published_at", "category", "body", "editor_code", "paywalled"):
        value = article.get(name)
        if value in (None, ""):
            sources[name] = "-"
        elif declared.get(name) is not None and str(declared[name]).strip() == str(value).strip():
            sources[name] = "metadata"
        else:
            sources[name] = reader
    sources.update(lang="url", category_slug="url", article_id="url", text_lang="detected")
    return sources


class ProbeSpider(ArchivingSpider):
    name = "probe"
    site = TURAN

    def __init__(self, start_url: str | None = None, articles: int = 3, **kwargs):
        super().__init__(**kwargs)
        self.base = (start_url or self.site.home).rstrip("/")
        split = urlsplit(self.base)
        self.base = f"{split.scheme}://{split.netloc}"
        self.given_hosts = frozenset({(split.hostname or "").lower()})
        self.site_rules = SiteRules.for_start_urls([self.base], self.site)
        self.articles_per_lang = int(articles)
        self.report: dict = {
            "site": self.base,
            "robots": None,
            "sitemaps": [],
            "front_pages": [],
            "articles": [],
        }
        self.requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.langs = crawler.settings.getlist("TURAN_LANGS")
        spider.sitemap_paths = crawler.settings.getlist("TURAN_SITEMAPS")
        crawler.signals.connect(spider.robots_txt_received, signal=signals.response_received)
        return spider

    def _request(self, url: str, kind: str, **meta) -> scrapy.Request | None:
        """A request for ``url``, once (None when it was asked already)."""
        if url in self.requested:
            return None
        self.requested.add(url)
        return scrapy.Request(
            url, callback=self.parse_page, errback=self.failed, dont_filter=True, meta={"kind": kind, **meta}
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for lang in self.langs:
            for path in self.sitemap_paths:
                if request := self._request(
                    self.base + path.format(lang=lang), "sitemap", source="known location"
                ):
                    yield request
            if request := self._request(f"{self.base}/{lang}", "front", lang=lang):
                yield request

    # -- what came back -----------------------------------------------------------------------------
    def robots_txt_received(self, response, request, spider) -> None:
        if urlsplit(response.url).path != "/robots.txt" or self.report["robots"] is not None:
            return
        rules = Protego.parse(response.body.decode("utf-8", "replace")) if response.status == 200 else None
        agent = self.settings.get("USER_AGENT")
        important = [self.base + f"/{lang}" for lang in self.langs] + [
            self.base + path.format(lang=lang) for lang in self.langs for path in self.sitemap_paths
        ]
        self.report["robots"] = {
            "url": response.url,
            "status": response.status,
            "crawl_delay": rules.crawl_delay(agent) if rules else None,
            "disallowed": [url for url in important if rules and not rules.can_fetch(url, agent)],
            "sitemaps": list(rules.sitemaps) if rules else [],
        }
        for url in self.report["robots"]["sitemaps"]:
            if request := self._request(url, "sitemap", source="robots.txt"):
                self.crawler.engine.crawl(request)

    async def parse_page(self, response: scrapy.http.Response):
        _site, result = await self.read(response)
        kind = response.meta["kind"]
        challenge = result is not None and result.reason == "challenge"
        if challenge:
            self.report.setdefault("challenges", []).append(response.url)
        if kind == "sitemap":
            for request in self.sitemap(response, result):
                yield request
        elif kind == "front":
            for request in self.front_page(response, result, challenge):
                yield request
        elif kind == "article":
            self.article(response, result)

    def sitemap(self, response, result):
        entries = result.entries if result is not None else []
        lastmods = [lastmod for _, lastmod in entries if lastmod]
        found_in = response.meta.get("source")
        if found_in == "known location" and response.url in (self.report["robots"] or {}).get("sitemaps", ()):
            found_in = (
                "robots.txt, known location"  # asked for as a known location before robots.txt named it
            )
        self.report["sitemaps"].append(
            {
                "url": response.url,
                "status": response.status,
                "found_in": found_in,
                "kind": result.reason
                if result and result.reason in ("sitemap", "sitemap_index")
                else "not a sitemap",
                "entries": len(entries),
                "newest_lastmod": max(lastmods, default=None),
                "first": [loc for loc, _ in entries[:3]],
            }
        )
        if (
            result is not None
            and result.reason == "sitemap_index"
            and entries
            and not response.meta.get("child")
        ):
            yield self._request(entries[0][0], "sitemap", source=response.url, child=True)

    def front_page(self, response, result, challenge: bool):
        links = result.links if result is not None else {}
        articles = [url for url in links.get("article", []) if self.site.article_url(url)]
        self.report["front_pages"].append(
            {
                "url": response.url,
                "status": response.status,
                "challenge": challenge,
                "listing": result is not None and result.reason == "listing",
                "article_links": len(articles),
                "listings": links.get("listing", []),
                "next_page": links.get("next_page", []),
            }
        )
        for url in articles[: self.articles_per_lang]:
            if request := self._request(url, "article"):
                yield request

    def article(self, response, result) -> None:
        entry: dict = {"url": response.url, "status": response.status}
        if result is None or result.article is None:
            entry["not_an_article"] = result.reason if result is not None else "not read"
        else:
            fields = {
                k: v
                for k, v in result.article.items()
                if k not in ("latest_news", "related", "translations", "url")
            }
            if isinstance(fields.get("body"), str):
                fields["body"] = fields["body"][:160] + ("..." if len(fields["body"]) > 160 else "")
            entry["fields"] = fields
            entry["sources"] = field_sources(result.article, response.body)
            entry["links"] = {k: len(v) for k, v in result.links.items()}
        self.report["articles"].append(entry)

    def failed(self, failure) -> None:
        kind = failure.request.meta.get("kind")
        problem = {
            "url": failure.request.url,
            "error": f"{failure.type.__name__}: {failure.getErrorMessage()}",
        }
        self.report.setdefault("failures", []).append({**problem, "kind": kind})
