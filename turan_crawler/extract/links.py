"""Links a page offers the crawler, by kind, each list in page order:

- ``article``: every article-shaped link (the site's URL grammar);
- ``latest_news`` / ``related``: the article links of latest-news-like and related-like blocks. A block
  headed by one of the site's furniture words comes first; blocks are also recognised by their structure
  (a group of several dated article links outside the article's text, or beside a listing's own list):
  related when all its items are in the page's category, latest otherwise;
- ``translation``: hreflang alternates in the page's other languages;
- ``next_page``: pagination of the same listing (``rel=next/prev``, numbered page links, next/previous
  anchors in words or arrows), in query style (``?page=3``) or path style (``/politics/page/3``,
  ``/politics/3``, ``/archive/2024-02-20``);
- ``listing``: links to other listing pages the page offers (menus, category links, archive, news line):
  same site, not article-shaped, not a file or service page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from ..sites import Site
from ..sites.base import PAGE_SUFFIX
from .page import normalize, text_of
from .structure import Group, PageStructure

# Each kind keeps at most this many links: a page with half a million must not make the crawl follow, or
# the index store, half a million links.
MAX_LINKS = 1_000
_PAGE_PARAMS = {"page", "p", "pg", "paged", "start", "offset"}
_DIGITS = re.compile(r"\d+")
_ARROWS = "«»‹›←→<>…⟨⟩➔➜►◄"
_NUMBER = re.compile(r"^\d{1,4}$")


def _dedup(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def listing_key(url: str, param: str = "page") -> tuple:
    """A listing page's URL without its page number (query or path style)."""
    split = urlsplit(url)
    path = split.path.rstrip("/")
    if match := PAGE_SUFFIX.match(path):
        path = match.group(1)
    query = sorted((k, v) for k, v in parse_qsl(split.query) if k not in _PAGE_PARAMS and k != param)
    return split.netloc, path, tuple(query)


def _shape(url: str) -> tuple:
    """A URL with its numbers blanked: the pages of a dated archive or calendar share it."""
    split = urlsplit(url)
    query = sorted((k, _DIGITS.sub("#", v)) for k, v in parse_qsl(split.query))
    return split.netloc, _DIGITS.sub("#", split.path.rstrip("/")), tuple(query)


def _is_page_anchor(text: str, words: frozenset[str]) -> bool:
    """Text of a pagination anchor: a page number, an arrow, or a next/previous word with or without one."""
    text = normalize(text)
    if _NUMBER.match(text):
        return True
    bare = text.strip(_ARROWS + " ").lower().rstrip(":.")
    if not bare:
        return bool(text)
    return bare in words or (any(ch in _ARROWS for ch in text) and len(bare) <= 25)


def next_pages(structure: PageStructure, site: Site) -> list[str]:
    page, url = structure.page, structure.url
    own_key, own_shape = listing_key(url, site.page_param), _shape(url)
    resolve = structure.resolve
    here = url.split("#")[0].rstrip("/")
    found: list[str] = []

    def same_listing(target: str) -> bool:
        return target.rstrip("/") != here and (
            listing_key(target, site.page_param) == own_key or _shape(target) == own_shape
        )

    for el in page.head_links():
        rel = (el.get("rel") or "").lower().split()
        paged = "next" in rel or "prev" in rel or "previous" in rel
        if paged and (target := resolve(el.get("href"))) and same_listing(target):
            found.append(target)
    words = site.furniture.page_words
    for link in structure.links:
        if link.article:
            continue
        anchor = page.order[link.pos]
        rel = (anchor.get("rel") or "").lower().split()
        label = text_of(anchor) if len(anchor) else anchor.text or ""
        paged = "next" in rel or "prev" in rel or (len(label) <= 40 and _is_page_anchor(label, words))
        if paged and same_listing(link.url):
            found.append(link.url)
    return _dedup(found)


def translations(structure: PageStructure, site: Site) -> list[str]:
    """hreflang alternates in the site's other languages (not the page itself, not links that merely
    state their own language)."""
    page, url = structure.page, structure.url
    own_path = urlsplit(url).path.rstrip("/")
    own_lang = structure.lang
    resolve = structure.resolve
    found = []
    nodes = [el for el in page.head_links() if el.get("hreflang")]
    nodes += [page.order[link.pos] for link in structure.links if page.order[link.pos].get("hreflang")]
    for node in nodes:
        lang = node.get("hreflang")
        if lang == "x-default" or (site.langs and lang not in site.langs):
            continue
        if node.tag == "a" and lang == own_lang:
            continue
        target = resolve(node.get("href"))
        if target and urlsplit(target).path.rstrip("/") != own_path:
            found.append(target)
    return _dedup(found)


def _page_slug(url: str, site: Site) -> str | None:
    """The category a page belongs to: an article's, or a category listing's."""
    info = site.article_view(url)
    if info:
        return info.category_slug
    if site.listing_kind(url) == "category":
        parts = [p for p in urlsplit(url).path.split("/") if p]
        return parts[1] if len(parts) > 1 else None
    return None


def _block_kind(group: Group, slug: str | None) -> str | None:
    """related: several dated article links all in the page's category; latest: several in several."""
    dated = [item for item in group.items if item.dated]
    if len(dated) < 2:
        return None
    if slug and all(item.link.article and item.link.article.category_slug == slug for item in dated):
        return "related"
    return "latest" if len(dated) >= 3 else None


def link_blocks(structure: PageStructure, site: Site, reading=None) -> dict[str, list[str]]:
    """latest_news and related: worded blocks first, then blocks recognised by structure."""
    page = structure.page
    worded: dict[str, list[str]] = {"latest": [], "related": []}
    for start, stop, kind in structure.furniture:
        if kind in worded:
            worded[kind] += [link.url for link in structure.article_links_between(start, stop)]
    built: dict[str, list[str]] = {"latest": [], "related": []}
    container = reading.container if reading is not None else None
    text_span = page.span(container) if container is not None and container in page.position else None
    main = structure.main_list() if reading is None or reading.article is None else None
    slug = _page_slug(structure.url, site)
    for group in structure.groups:
        if group is main or group.kind is not None:
            continue
        if text_span and text_span[0] <= group.start <= text_span[1]:
            continue
        if kind := _block_kind(group, slug):
            built[kind] += group.urls()
    return {
        "latest_news": _dedup(worded["latest"] + built["latest"]),
        "related": _dedup(worded["related"] + built["related"]),
    }


def listing_links(structure: PageStructure, site: Site, exclude: set[str], reading=None) -> list[str]:
    page, url = structure.page, structure.url
    split = urlsplit(url)
    host = (split.hostname or "").lower()
    origin = f"{split.scheme}://{split.netloc}/"
    here = url.rstrip("/")
    container = reading.container if reading is not None else None
    text_span = page.span(container) if container is not None and container in page.position else None
    found = []
    for link in structure.links:
        if link.article or link.url in exclude or link.url.rstrip("/") == here:
            continue
        if text_span and text_span[0] <= link.pos <= text_span[1]:
            continue
        if not link.url.startswith(origin):  # the page's own host and scheme: most links
            split = urlsplit(link.url)
            target = (split.hostname or "").lower()
            if split.scheme not in ("http", "https") or not (
                target == host or (site.hosts and site.owns(target) and site.owns(host))
            ):
                continue
        if site.article_view(link.url) or not site.is_listing_candidate(link.url):
            continue
        found.append(link.url)
    return _dedup(found)


def page_links(structure: PageStructure, site: Site, reading=None) -> dict[str, list[str]]:
    """Absolute URLs by kind (see the module's docstring)."""
    blocks = link_blocks(structure, site, reading)
    pages = next_pages(structure, site)
    found = {
        "latest_news": blocks["latest_news"],
        "related": blocks["related"],
        "translation": translations(structure, site),
        "article": _dedup([link.url for link in structure.article_links]),
        "next_page": pages,
        "listing": listing_links(structure, site, set(pages), reading),
    }
    return {kind: urls[:MAX_LINKS] for kind, urls in found.items()}
