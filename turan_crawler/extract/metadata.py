"""The structured layer: JSON-LD (``NewsArticle``, also inside ``@graph``) and OpenGraph/``article:*`` meta."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from lxml import etree

from .dates import parse_iso

log = logging.getLogger(__name__)
ARTICLE_TYPES = {
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "BlogPosting",
    "OpinionNewsArticle",
    "LiveBlogPosting",
}


_IMAGE_KEYS = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image")


@dataclass
class Metadata:
    """Fields declared by the page about itself. Anything absent stays None."""

    title: str | None = None
    published_at: str | None = None
    author: str | None = None
    section: str | None = None
    image: str | None = None  # the lead image's URL as written (JSON-LD image, og:image, twitter:image)
    is_article: bool = False  # the page declares itself an article (JSON-LD type or og:type)
    paywalled: bool = False  # JSON-LD isAccessibleForFree: false

    @property
    def truncated_title(self) -> str | None:
        """The headline's kept part when the metadata cut it ("Central Bank Keeps ... Infl..."), else None."""
        title = (self.title or "").rstrip()
        for ellipsis in ("...", "…"):
            if title.endswith(ellipsis):
                return title[: -len(ellipsis)].rstrip()
        return None


def _iter_jsonld(doc: etree._Element):
    for script in doc.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):  # broken, or nested deeper than anyone writes JSON-LD
            log.debug("unparseable JSON-LD block skipped")
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
                yield item


def _types(item: dict) -> set[str]:
    kind = item.get("@type", [])
    return set(kind if isinstance(kind, list) else [kind])


def _person_name(author: object) -> str | None:
    """The first author that is a person; organisations (the agency itself) are not authors."""
    for entry in author if isinstance(author, list) else [author]:
        if isinstance(entry, str) and entry.strip():
            return entry.strip()
        if isinstance(entry, dict) and "Organization" not in _types(entry) and entry.get("name"):
            return str(entry["name"]).strip()
    return None


def _text(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip() or None if value else None


def _image(value: object) -> str | None:
    """The URL of a JSON-LD ``image``: a URL, an ImageObject, or a list of either (the first)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value.strip() or None if isinstance(value, str) else None


def read_metadata(doc: etree._Element) -> Metadata:
    meta = Metadata()
    for item in _iter_jsonld(doc):
        if _types(item) & ARTICLE_TYPES:
            meta.is_article = True
            meta.title = meta.title or _text(item.get("headline") or item.get("name"))
            meta.published_at = meta.published_at or parse_iso(_text(item.get("datePublished")) or "")
            meta.author = meta.author or _person_name(item.get("author"))
            meta.section = meta.section or _text(item.get("articleSection"))
            meta.image = meta.image or _image(item.get("image"))
            free = item.get("isAccessibleForFree")
            meta.paywalled = meta.paywalled or str(free).strip().lower() == "false"
    props: dict[str, str] = {}
    for tag in doc.iterfind(".//meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        if key and tag.get("content") and key not in props:
            props[key] = tag.get("content").strip()
    meta.is_article = meta.is_article or props.get("og:type") == "article"
    meta.title = meta.title or props.get("og:title")
    for key in (
        "article:published_time",
        "og:article:published_time",
        "datepublished",
        "pubdate",
        "publish-date",
        "date",
    ):
        if key in props and not meta.published_at:
            meta.published_at = parse_iso(props[key])
    meta.author = meta.author or props.get("author") or props.get("article:author")
    if meta.author and "://" in meta.author:  # article:author may be a profile URL
        meta.author = None
    meta.section = meta.section or props.get("article:section") or props.get("og:article:section")
    meta.image = meta.image or next(filter(None, map(props.get, _IMAGE_KEYS)), None)
    return meta
