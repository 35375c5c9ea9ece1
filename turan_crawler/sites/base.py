"""What a site plug-in declares: the hosts it owns, its URL grammar, the words of its page furniture and
which extraction layers read its pages.

A site is data plus a few URL functions; it imports nothing of the crawler. The extractor, the spiders,
``capture`` and ``reindex`` ask the registry (``sites.SiteRules``) which site owns a URL and read
everything site-specific from it, the way web-poet's rules pick a page object per URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# A listing's page in path style: /en/politics/page/2, /en/politics/2 (the listing's path, the number).
PAGE_SUFFIX = re.compile(r"^(.*?)(?:/page)?/(\d+)$")


@dataclass(frozen=True)
class ArticleUrl:
    """What an article's URL says: language prefix, category slug, numeric id (or None)."""

    lang: str | None
    category_slug: str | None
    article_id: int | None
    subscribers_only: bool = False


@dataclass(frozen=True, eq=False)  # hashed by identity: extraction caches per site
class Furniture:
    """Words a site prints around its articles, lower case, in every language it publishes in.

    ``latest_news`` and ``related`` name link blocks (their wording only orders what the crawl follows:
    such blocks are also recognised by their structure); ``stop`` names blocks after which no article text
    follows; ``paywall_markers`` are the whole lines under a paywalled teaser; ``category_labels`` are the
    category names printed on articles (in their own case: a line that is one is a label, never a headline
    or an author); ``byline_labels`` open a byline ("By", "Müəllif:"); ``credit_labels`` open a photo
    credit ("Foto:"); ``not_published_labels`` mark a printed date that is not the publication date
    ("Updated", "Printed"); ``page_words`` name pagination anchors ("Next", "Növbəti"); ``error_phrases``
    are the headings of a "not found" page; ``old_classes`` maps roles (title, body, paywalled, date...) to
    class names of an older layout that is still linked.
    """

    latest_news: frozenset[str] = frozenset()
    related: frozenset[str] = frozenset()
    stop: frozenset[str] = frozenset()
    paywall_markers: tuple[str, ...] = ()
    job_titles: tuple[str, ...] = ()
    not_authors: frozenset[str] = frozenset()
    category_labels: frozenset[str] = frozenset()
    byline_labels: tuple[str, ...] = ()
    credit_labels: tuple[str, ...] = ()
    not_published_labels: tuple[str, ...] = ()
    page_words: frozenset[str] = frozenset()
    error_phrases: tuple[str, ...] = ()
    old_classes: dict[str, str] = field(default_factory=dict)

    @property
    def all_stop_headings(self) -> frozenset[str]:
        return self.stop | self.latest_news | self.related


@dataclass(frozen=True, eq=False)
class Site:
    """A site plug-in. Subclass it for URL grammar; instantiate it with the site's data.

    ``site_rules``: True when the site's own rules (furniture, URL grammar, older layouts) read its
    articles before the generic fallback; False reads metadata and the generic main-text extractor only.
    """

    name: str
    hosts: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    home: str | None = None  # the site's root URL, where a crawl starts by default
    start_paths: tuple[str, ...] = ()  # per language ({lang} is filled in); configuration may replace them
    sitemap_paths: tuple[str, ...] = ()  # known sitemap (index) locations per language, beside robots.txt
    furniture: Furniture = Furniture()
    site_rules: bool = False
    page_param: str = "page"  # the query parameter of a listing's page number, when the site uses one

    def owns(self, host: str) -> bool:
        """True for the site's hosts (and their subdomains)."""
        host = host.lower().rstrip(".")
        return any(host == own or host.endswith("." + own) for own in self.hosts)

    def article_url(self, url: str) -> ArticleUrl | None:
        """The URL-borne fields of an article URL of this site; None when the URL is not one."""
        return None

    def article_view(self, url: str) -> ArticleUrl | None:
        """The URL-borne fields of the article a URL shows: its own URL or another view of it (a print
        view). Extraction reads fields with this; the crawl follows ``article_url`` only."""
        return self.article_url(url)

    def listing_kind(self, url: str) -> str | None:
        """What the URL alone says of a listing ('front', 'news_line', 'category'); None otherwise. A hint:
        extraction decides whether a page is a listing by its structure."""
        return None

    def is_listing_candidate(self, url: str) -> bool:
        """Whether a same-site, non-article link may lead to a listing (not a file, login or about page)."""
        return True

    def lang_of(self, url: str) -> str | None:
        """The language a URL is in, when its path says it."""
        parsed = self.article_url(url)
        if parsed and parsed.lang:
            return parsed.lang
        parts = [p for p in urlsplit(url).path.split("/") if p]
        return parts[0] if parts and parts[0] in self.langs else None
