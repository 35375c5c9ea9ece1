"""What a page is made of, read from its structure rather than from class names or its URL: the links it
offers, the lists of dated article links (a listing's items, a "Latest news" block), the blocks the site's
furniture words head, the embedded posts, and whether the page is a listing or an error page.

A *link item* is the largest element around an article link that holds no other article and little text
(a list entry with its title, date and teaser); it is *dated* when it shows a date. Items under one parent
(or under sibling parents: table rows) form a *group*. A listing is a page whose main content is such a
group of dated items, whatever its URL; a "Latest news" or "Related" block is such a group beside an
article, whatever its heading says.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree

from ..sites import ArticleUrl, Site
from .dates import has_date
from .page import PageIndex, Resolver, Spans, is_social, normalize, text_of

# A page's links are read up to this many anchors: a news page has a few hundred; a page with 500,000 must
# not take minutes to read.
MAX_ANCHORS = 20_000
ITEM_MAX_TEXT = 600  # characters: a list item (title, date, teaser) is smaller; an article is larger
LISTING_MIN = 4  # dated article items in a page's main list make it a listing
LIST_MIN = 2  # dated items in a group make it a list of links, whose text is never an article's
MIN_PARAGRAPH = 25  # characters: a shorter block is a label or a date, not a paragraph
_ERROR_CODE = re.compile(r"(?<!\d)40[14](?!\d)")
_EMBED_CLASSES = ("twitter-tweet", "instagram-media", "telegram-post", "tiktok-embed", "fb-xfbml", "fb-post")


@lru_cache(maxsize=8192)
def _dated(text: str) -> bool:
    """Whether a list item's text shows a date (memoised: "Latest news" items recur on every page)."""
    return has_date(text)


@dataclass
class Link:
    pos: int
    url: str
    article: ArticleUrl | None


@dataclass
class Item:
    pos: int  # the item's root
    link: Link
    dated: bool


@dataclass
class Group:
    items: list[Item] = field(default_factory=list)
    kind: str | None = None  # the furniture word heading it: "latest", "related" or "stop"
    chrome: bool = False  # in a menu, page header or footer, or a sidebar

    @property
    def start(self) -> int:
        return self.items[0].pos

    @property
    def dated(self) -> int:
        return sum(item.dated for item in self.items)

    def urls(self) -> list[str]:
        """The dated items' links."""
        return [item.link.url for item in self.items if item.dated]


def _next_other_url(links: list[Link]) -> list[int]:
    """For each link, the index of the first link after it to another URL (``len(links)`` when none): a
    run of links holds two URLs exactly when its first link's next other URL lies inside it."""
    found = [len(links)] * len(links)
    for i in range(len(links) - 2, -1, -1):
        found[i] = i + 1 if links[i + 1].url != links[i].url else found[i + 1]
    return found


def _same_row(previous: etree._Element, parent: etree._Element) -> bool:
    return (
        previous.getnext() is parent
        and previous.tag == parent.tag
        and previous.get("class") == parent.get("class")
    )


class PageStructure:
    """Links, link items and groups, furniture blocks and embeds of one page."""

    def __init__(self, page: PageIndex, url: str, site: Site):
        self.page = page
        self.url = url
        self.site = site
        self.resolve = resolve = Resolver.for_page(page.root, url)
        self.links: list[Link] = []
        for anchor in page.anchors[:MAX_ANCHORS]:
            target = resolve(anchor.get("href"))
            if target:
                self.links.append(Link(page.position[anchor], target, site.article_url(target)))
        self.link_pos = [link.pos for link in self.links]
        self.article_links = [link for link in self.links if link.article]
        self._all_article_pos = [link.pos for link in self.article_links]
        split = urlsplit(url)
        own, origin = split.path.rstrip("/"), f"{split.scheme}://{split.netloc}/"
        # Teasers link to the site's articles; a site read without rules of its own has no URL grammar to
        # tell them, so there any page of the page's own host may be one.
        teased = self.article_links
        if not site.site_rules:
            teased = [link for link in self.links if link.url.startswith(origin)]
        self._others = [link for link in teased if urlsplit(link.url).path.rstrip("/") != own]
        # the page's language: its URL's, else the one it declares
        self.lang = site.lang_of(url) or (page.root.get("lang") or "").split("-")[0] or None
        self._article_pos = [link.pos for link in self._others]
        self.chrome = Spans(page, page.chrome)
        self.furniture = self._furniture_blocks()
        self._furniture_starts = [start for start, _stop, _kind in self.furniture]
        self.embeds = [pos for pos in page.blockquotes if self._is_embed(pos)]
        self.not_text = Spans(page, page.skipped + self.embeds)
        self.items = self._items()
        self.groups = self._groups()
        self.lists = Spans(
            page, [item.pos for group in self.groups if group.dated >= LIST_MIN for item in group.items]
        )

    # -- furniture ------------------------------------------------------------------------------------
    def _furniture_blocks(self) -> list[tuple[int, int, str]]:
        """(first, last position, kind) of each block a furniture word heads: from the heading to the end
        of the element that holds the heading and what follows it."""
        furniture = self.page.furniture
        blocks = []
        for key, elements in self.page.headings.items():
            kind = (
                "latest"
                if key in furniture.latest_news
                else "related"
                if key in furniture.related
                else "stop"
            )
            for heading in elements:
                top = heading
                if self._is_menu_link(heading):
                    continue
                parent = top.getparent()
                while parent is not None and len(parent) == 1 and not (parent.text or "").strip():
                    if parent is self.page.body:
                        break
                    top, parent = parent, parent.getparent()
                if parent is None or top not in self.page.position:
                    continue
                position = self.page.position
                stop = self.page.end[position[parent]] if parent in position else len(self.page.order) - 1
                blocks.append((position[top], stop, kind))
        return sorted(blocks)

    def _is_menu_link(self, el: etree._Element) -> bool:
        """A furniture word that is a link in a menu ("News Line" in the navigation), not a heading."""
        for _ in range(3):
            if el is None:
                return False
            if el.tag == "a":
                return self.chrome.covers(self.page.position[el])
            el = el.getparent()
        return False

    def furniture_kind(self, pos: int) -> str | None:
        """The kind of the innermost furniture block holding ``pos``: the last to start before it that
        has not ended."""
        for i in range(bisect_right(self._furniture_starts, pos) - 1, -1, -1):
            _start, stop, kind = self.furniture[i]
            if pos <= stop:
                return kind
        return None

    def links_in(self, pos: int) -> list[Link]:
        """The links inside the subtree at ``pos``."""
        last = self.page.end[pos]
        return self.links[bisect_left(self.link_pos, pos) : bisect_right(self.link_pos, last)]

    def article_links_between(self, start: int, stop: int) -> list[Link]:
        """The article links at positions ``start`` to ``stop``."""
        return self.article_links[
            bisect_left(self._all_article_pos, start) : bisect_right(self._all_article_pos, stop)
        ]

    # -- embeds ---------------------------------------------------------------------------------------
    def _is_embed(self, pos: int) -> bool:
        """An embedded post (tweet, Instagram, Facebook, Telegram): a blockquote citing or linking a
        social network's post, or marked with its provider's embed class."""
        el = self.page.order[pos]
        classes = el.get("class") or ""
        if any(name in classes for name in _EMBED_CLASSES) or el.get("data-telegram-post"):
            return True
        if el.get("cite") and is_social(el.get("cite")):
            return True
        return any(is_social(link.url) for link in self.links_in(pos))

    # -- link items and groups ------------------------------------------------------------------------
    def _items(self) -> list[Item]:
        """Each link to another article: its item, the largest ancestor with no other article, little text, no ``h1``
        and at most one paragraph (a teaser)."""
        page, positions, links = self.page, self._article_pos, self._others
        body = page.body
        h1 = sorted(page.position[el] for el in page.h1)
        long_units = [pos for pos in page.units if page.text_length(pos) >= MIN_PARAGRAPH]
        other_url = _next_other_url(links)
        items: dict[int, Item] = {}
        for link in links:
            cur = link.pos
            while True:
                parent = page.order[cur].getparent()
                if parent is None or parent is body or parent not in page.position:
                    break
                ppos = page.position[parent]
                lo, hi = bisect_left(positions, ppos), bisect_right(positions, page.end[ppos])
                if other_url[lo] < hi:  # the parent links to two articles: this one and another
                    break
                last = page.end[ppos]
                if page.text_length(ppos) > ITEM_MAX_TEXT or page.any_between(h1, ppos, last):
                    break
                if page.count_between(long_units, ppos, last) > 1:
                    break
                cur = ppos
            if cur not in items:
                el = page.order[cur]
                dated = page.any_between(page.times, cur, page.end[cur]) or _dated(text_of(el))
                items[cur] = Item(cur, link, dated)
        return sorted(items.values(), key=lambda item: item.pos)

    def _groups(self) -> list[Group]:
        """Items under one parent form a group; so do items under sibling rows of one grid (adjacent
        parents of the same tag and class: table rows of a calendar)."""
        page = self.page
        groups: list[Group] = []
        parents: list[etree._Element] = []
        for item in self.items:
            parent = page.order[item.pos].getparent()
            if groups and (parent is parents[-1] or _same_row(parents[-1], parent)):
                groups[-1].items.append(item)
                parents[-1] = parent
                continue
            groups.append(Group([item]))
            parents.append(parent)
        for group in groups:
            group.kind = self.furniture_kind(group.start)
            group.chrome = self.chrome.covers(group.start)
        return groups

    def in_dated_item(self, pos: int) -> bool:
        """Whether ``pos`` lies in a dated link item (a teaser of another article)."""
        end = self.page.end
        return any(item.dated and item.pos <= pos <= end[item.pos] for item in self.items)

    def main_list(self) -> Group | None:
        """The group of dated items that is the page's own content (not a sidebar or furniture block)."""
        candidates = [g for g in self.groups if g.kind is None and not g.chrome and g.dated]
        return max(candidates, key=lambda g: g.dated, default=None)

    def is_listing(self) -> bool:
        """A list of many dated article items is the page's main content."""
        main = self.main_list()
        return main is not None and main.dated >= LISTING_MIN

    # -- error pages ----------------------------------------------------------------------------------
    def error_heading(self) -> bool:
        """The page's title or main heading says it is a "not found" page (in any of the site's
        languages, or by its status code)."""
        phrases = self.page.furniture.error_phrases
        texts = [normalize(self.page.root.findtext(".//title"))]
        texts += [text_of(h) for h in (*self.page.h1[:2], *self.page.h2[:2])]
        for text in texts:
            low = text.lower()
            if low and (any(phrase in low for phrase in phrases) or _ERROR_CODE.search(low)):
                return True
        return False
