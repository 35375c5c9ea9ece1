"""Links a page offers the crawler: Latest news, related items, translations, articles and next pages."""

from __future__ import annotations

from itertools import islice
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import etree

from ..sites import Site
from .page import PageIndex

# A page's links are read up to this many anchors, and each kind keeps at most MAX_LINKS: a news page has
# a few hundred; a page with 500,000 (seen in the hostile tests) must neither take minutes to read nor
# make the crawl follow, or the index store, half a million links.
MAX_ANCHORS = 20_000
MAX_LINKS = 1_000


def _furniture_links(page: PageIndex, base: str, headings: set[str]) -> list[str]:
    """Links that follow a furniture heading ("Latest news", ...) inside the heading's block."""
    found: list[str] = []
    for key in headings & page.headings.keys():
        for heading in page.headings[key]:
            block = heading.getparent()
            if block is None or heading.tag == "a":  # a menu link, not a heading
                continue
            if len(block) == 1 and block.getparent() is not None:  # a heading wrapped alone: one level up
                block = block.getparent()
            after = page.position[heading]
            found += [
                urljoin(base, a.get("href"))
                for a in islice(block.iter("a"), MAX_ANCHORS)
                if a.get("href") and page.position[a] > after
            ]
    return list(dict.fromkeys(found))


def _translations(root: etree._Element, base: str, langs: tuple[str, ...]) -> list[str]:
    own = urlsplit(base).path.rstrip("/")
    found = []
    for node in root.iterfind(".//*[@hreflang]"):
        href = node.get("href")
        if href and (node.get("hreflang") in langs or not langs and node.get("hreflang") != "x-default"):
            url = urljoin(base, href)
            if urlsplit(url).path.rstrip("/") != own:
                found.append(url)
    return list(dict.fromkeys(found))


def page_links(page: PageIndex, base: str, site: Site) -> dict[str, list[str]]:
    """Absolute URLs by kind: latest_news, related, translation, article (every article-like link on the
    page) and next_page (pagination links of the same listing)."""
    articles, pages = [], []
    own_path = urlsplit(base).path.rstrip("/")
    for anchor in page.anchors[:MAX_ANCHORS]:
        href = anchor.get("href")
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(base, href).split("#")[0]
        split = urlsplit(url)
        if site.article_url(url):
            articles.append(url)
        elif split.path.rstrip("/") == own_path and site.page_param in parse_qs(split.query):
            pages.append(url)
    found = {
        "latest_news": _furniture_links(page, base, site.furniture.latest_news),
        "related": _furniture_links(page, base, site.furniture.related),
        "translation": _translations(page.root, base, site.langs),
        "article": list(dict.fromkeys(articles)),
        "next_page": list(dict.fromkeys(pages)),
    }
    return {kind: urls[:MAX_LINKS] for kind, urls in found.items()}
