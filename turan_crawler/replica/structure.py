"""How the ``sitemaps`` layout lays the site out: front pages, path-paginated category pages, month sitemaps.

The layout is deliberately unlike the classic one: no news line, category pages paginated by path
(``/{lang}/{category}/page/2``) and only ``SHALLOW_PAGES`` deep (except one category per language, served
to the end), so older articles are reachable only through the sitemaps. Everything here is a function of
the site's content, computed once per site generation and shared by the routes, the truth and the export.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from . import texts
from .site import Article, Site

FRONT_COUNT = 12  # articles on a front page
PATH_PAGE_SIZE = 6  # articles on a category page (cards, three by two)
SHALLOW_PAGES = 2  # category pages served, except in the deep categories
# One category per language is paginated to its end (the others stop after SHALLOW_PAGES).
DEEP_CATEGORIES = {"en": "want-to-say", "az": "iqtisadiyyat", "ru": "media-obozrenie"}
GZIP_BEFORE_YEAR = 2019  # month sitemaps of older years are served gzipped (and each language's oldest)
SITEMAP_DIR = "/storage/sitemap"


def index_path(lang: str) -> str:
    return f"{SITEMAP_DIR}/{lang}/sitemap_index_0.xml"


def page_path(base: str, page: int) -> str:
    return base if page == 1 else f"{base}/page/{page}"


@dataclass
class Month:
    """One month sitemap: its URL, whether it is gzipped, its entries (newest first) and its lastmod."""

    lang: str
    month: str  # "YYYY-MM"
    gzipped: bool
    articles: list[Article] = field(default_factory=list)
    touched: datetime | None = None  # the last removal of one of its articles

    @property
    def path(self) -> str:
        return f"{SITEMAP_DIR}/{self.lang}/{self.month}.xml" + (".gz" if self.gzipped else "")

    @property
    def lastmod(self) -> datetime:
        newest = max(a.lastmod for a in self.articles)
        return max(newest, self.touched) if self.touched else newest


@dataclass
class Listing:
    """A served listing page of the sitemaps layout."""

    path: str
    lang: str
    title: str
    items: list[Article]
    base: str = ""  # the category's first page ("" for a front page)
    page: int = 1
    pages: int = 1  # pages served for this category


@dataclass
class Structure:
    generation: int
    listings: dict[str, Listing]  # path -> page, in order: per language the front page, then categories
    months: dict[str, list[Month]]  # lang -> month sitemaps, oldest first
    month_by_path: dict[str, Month]
    reachable_via: dict[str, list[str]]  # article path -> ["listing", "sitemap", "translation"]


_lock = threading.Lock()


def structure(site: Site) -> Structure:
    """The layout of ``site`` as it is now (memoised on the site until its next change)."""
    cached = getattr(site, "_structure", None)
    if cached is not None and cached.generation == site.generation:
        return cached
    with _lock:
        built = _build(site)
        site._structure = built  # type: ignore[attr-defined]
        return built


def _build(site: Site) -> Structure:
    generation = site.generation
    listings: dict[str, Listing] = {}
    months: dict[str, list[Month]] = {}
    for lang in texts.LANGS:
        front = f"/{lang}"
        listings[front] = Listing(front, lang, texts.FURNITURE[lang]["front_title"], site.live_articles(lang))
        for slug, label in texts.CATEGORIES[lang]:
            items = site.live_articles(lang, slug)
            base = f"/{lang}/{slug}"
            pages = max(1, -(-len(items) // PATH_PAGE_SIZE))
            if slug != DEEP_CATEGORIES[lang]:
                pages = min(pages, SHALLOW_PAGES)
            for n in range(1, pages + 1):
                chunk = items[(n - 1) * PATH_PAGE_SIZE : n * PATH_PAGE_SIZE]
                listings[page_path(base, n)] = Listing(page_path(base, n), lang, label, chunk, base, n, pages)
        by_month: dict[str, Month] = {}
        for art in site.live_articles(lang):  # newest first
            key = f"{art.published:%Y-%m}"
            if key not in by_month:
                by_month[key] = Month(lang, key, int(key[:4]) < GZIP_BEFORE_YEAR)
            by_month[key].articles.append(art)
        ordered = [by_month[k] for k in sorted(by_month)]
        if ordered:
            ordered[0].gzipped = True  # every language has at least one gzipped month sitemap
        for month in ordered:
            month.touched = site.month_touched.get((lang, month.month))
        months[lang] = ordered
    for listing in listings.values():  # a front page shows a handful of the newest
        if not listing.base:
            listing.items = listing.items[:FRONT_COUNT]
    listed = {a.path for listing in listings.values() for a in listing.items}
    in_sitemap = {a.path for ms in months.values() for m in ms for a in m.articles}
    reach: dict[str, list[str]] = {}
    for art in site.all_articles():
        via = []
        if art.removed_status is None:
            if art.path in listed:
                via.append("listing")
            if art.path in in_sitemap:
                via.append("sitemap")
            partners = [site.articles[i] for i in art.translations]
            if any(p.path in listed for p in partners):
                via.append("translation")  # linked (hreflang) from the page of a listed translation
        reach[art.path] = via
    month_by_path = {m.path: m for ms in months.values() for m in ms}
    return Structure(generation, listings, months, month_by_path, reach)
