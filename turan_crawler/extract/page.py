"""One walk over a parsed page that every extraction step shares: document order and subtree spans, the
page's chrome (menus, page header and footer, sidebars), what is never text (scripts, embeds, forms,
figures), anchors, headings, ``<time>`` elements and the candidate paragraphs.

The walk never descends into scripts, styles and SVG (a replica page is ~370 elements, 240 of them an SVG
sprite), so a page costs one Python visit per element that can matter.
"""

from __future__ import annotations

import codecs
import re
import threading
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Mapping
from functools import lru_cache
from itertools import accumulate
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ..sites import Furniture
from .decode import decode_html

# Never walked: no text or link of a reader's in them.
PRUNED = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "video",
    "audio",
    "canvas",
    "select",
    "textarea",
    "head",
    "title",
    "frameset",
}
# Walked for their links, never read as text: forms, figures (captions, embedded posts), AMP components.
TEXT_SKIP = {"form", "button", "input", "label", "figure", "figcaption", "picture", "img", "map", "dialog"}
IMAGES = {"img", "picture", "amp-img", "figure"}
FORM_TAGS = {"form", "input", "button", "textarea", "select"}
# Page chrome: navigation and sidebars anywhere; a header or footer unless it belongs to an article or
# section (an <article>'s own <header> holds its title, date and byline).
CHROME = {"nav", "aside"}
SCOPED_CHROME = {"header", "footer"}
SECTIONING = {"article", "section", "main"}
CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
BLOCK_TAGS = {
    "p",
    "div",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "section",
    "article",
    "ul",
    "ol",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "td",
    "th",
    "pre",
    "header",
    "footer",
    "aside",
    "nav",
    "main",
    "dl",
    "dd",
    "dt",
    "center",
    "address",
    "figure",
    "figcaption",
    "form",
    "fieldset",
    "details",
    "summary",
    "hr",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Leaf blocks that can hold a paragraph of text (lists and tables hold them, they are not one).
_NOT_UNITS = HEADINGS | {"ul", "ol", "table", "tbody", "thead", "tfoot", "tr", "dl", "hr", "form", "figure"}
MAX_DEPTH = 250  # elements deeper than this are not read (the readers recurse: 2 frames a level)
MAX_HEADINGS = 200  # furniture headings read from one page (a page has a dozen; each heads a block)
_COUNT = re.compile(r"\s*\(\d+\)$")
# Hosts whose links are shares, follows or embedded posts, never an article's own text.
SOCIAL_HOSTS = frozenset(
    {
        "twitter.com",
        "x.com",
        "t.co",
        "instagram.com",
        "facebook.com",
        "fb.com",
        "fb.watch",
        "t.me",
        "telegram.me",
        "telegram.org",
        "youtube.com",
        "youtu.be",
        "tiktok.com",
        "vk.com",
        "ok.ru",
        "wa.me",
        "whatsapp.com",
        "api.whatsapp.com",
        "linkedin.com",
        "pinterest.com",
        "reddit.com",
        "threads.net",
    }
)


def normalize(text: str | None) -> str:
    """Collapse every run of white space (NBSP included) to one space."""
    return " ".join(text.split()) if text else ""


def heading_key(text: str | None) -> str:
    """A short text as a furniture heading would be looked up: lower case, without a trailing colon or
    dot and without a trailing count ("Leave a review (2)")."""
    if not text or len(text) > 80:
        return ""
    key = " ".join(text.lower().split())
    if key.endswith(")"):
        key = _COUNT.sub("", key)
    return key.rstrip(":.").strip()


@lru_cache(maxsize=16384)
def furniture_word(text: str | None, words: frozenset[str]) -> str | None:
    """The furniture word ``text`` reads as, also with a short inflection ("Rəy yazın" for "rəy yaz").
    Memoised: menus and block headings recur on every page of a site."""
    key = heading_key(text)
    if not key:
        return None
    if key in words:
        return key
    for cut in (1, 2, 3):
        if len(key) > cut + 2 and key[-cut - 1 :].isalpha() and key[:-cut] in words:
            return key[:-cut]
    return None


def text_of(el: etree._Element) -> str:
    """The element's text as one line (``tostring(method="text")``: 4x faster than joining itertext)."""
    return normalize(etree.tostring(el, method="text", encoding=str, with_tail=False))


_PARSERS = threading.local()  # each thread its own parser: the error log read after a parse is its own


def _utf8_parser() -> etree.HTMLParser:
    if not hasattr(_PARSERS, "utf8"):
        _PARSERS.utf8 = etree.HTMLParser(
            remove_comments=True, remove_pis=True, no_network=True, recover=True, encoding="utf-8"
        )
    return _PARSERS.utf8


def parse_html(text: str, body: bytes | None = None) -> etree._Element | None:
    """Parse a decoded page; None when nothing parseable is there. ``body``: the same page as UTF-8 bytes.
    Always parsed as UTF-8 bytes: lxml parses bytes ~20% faster than a str, and refuses a str that
    declares an encoding (``<?xml version="1.0" encoding="utf-8"?>``)."""
    if not text or text.isspace():  # (strip() would copy the whole page)
        return None
    if body is None:
        body = text.encode("utf-8")
    return etree.fromstring(body[3:] if body.startswith(codecs.BOM_UTF8) else body, _utf8_parser())


class HtmlSource:
    """A fetched page's element tree (None when nothing parseable is there) and its text, decoded only
    when asked: only the generic extractor reads the text, and decoding a 150 KB page in Python cost a
    tenth of the extraction."""

    def __init__(self, root: etree._Element | None, body: bytes, text: str | None = None):
        self.root = root
        self._body = body
        self._text = text

    @property
    def text(self) -> str:
        if self._text is None:
            body = self._body[3:] if self._body.startswith(codecs.BOM_UTF8) else self._body
            self._text = body.decode("utf-8", "replace")
        return self._text


def read_html(body: bytes, headers: Mapping[str, str] | None = None) -> HtmlSource:
    """Parse a page's bytes. Bytes libxml2 reads as UTF-8 without an encoding error are UTF-8 whatever the
    headers say (see ``decode_html``) and are parsed as they are; any other bytes (and any with NUL bytes,
    as UTF-16 has) are decoded by ``decode_html`` first. Raises lxml's ParserError on what is no page."""
    if not body or body.isspace():
        return HtmlSource(None, body, "")
    if b"\x00" not in body:
        root = parse_html("-", body)
        if not _utf8_parser().error_log.filter_types([etree.ErrorTypes.ERR_INVALID_ENCODING]):
            return HtmlSource(root, body)
    text, codec = decode_html(body, headers)
    return HtmlSource(parse_html(text, body if codec == "utf-8" else None), body, text)


def is_social(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host.startswith(("www.", "m.", "mobile.")):
        host = host.split(".", 1)[1]
    return host in SOCIAL_HOSTS


class Resolver:
    """Absolute http(s) URLs for a page's hrefs, without their fragment; None for anything else
    (``javascript:``, ``data:``, ``mailto:``, any other scheme in any case, what is no URL). The common
    shapes ("/path", "https://...") are resolved without urljoin, which costs ~20 µs a link."""

    def __init__(self, base: str):
        split = urlsplit(base)
        self.base = base
        self.origin = f"{split.scheme}://{split.netloc}" if split.scheme in ("http", "https") else None

    @classmethod
    def for_page(cls, root: etree._Element, url: str) -> Resolver:
        """The resolver of the page at ``url``: against its ``<base href>`` when that names a URL."""
        base = root.find(".//base[@href]")
        href = cls(url)(base.get("href")) if base is not None else None
        return cls(href or url)

    def __call__(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if not href or href[0] == "#":
            return None
        if href[0] == "/" and not href.startswith("//") and self.origin:
            url = self.origin + href
        elif href.startswith(("http://", "https://")):
            url = href
        else:
            try:
                url = _web_url(urljoin(self.base, href))
            except ValueError:  # "http://[::1": not a URL
                return None
            if url is None:
                return None
        if "[" in url:
            try:
                urlsplit(url)
            except ValueError:
                return None
        return url.split("#", 1)[0]


def _web_url(url: str) -> str | None:
    """``url`` with its scheme in lower case when it is http or https; None for any other scheme."""
    scheme = url[:8].lower()
    if scheme.startswith("https://"):
        return "https://" + url[8:]
    if scheme.startswith("http://"):
        return "http://" + url[7:]
    return None


class PageIndex:
    """Elements in document order with their subtree spans, and what the extraction steps look up."""

    def __init__(self, root: etree._Element, furniture: Furniture):
        body = root.find("body")
        self.root = root
        self.body = body if body is not None else root
        self.furniture = furniture
        self.order: list[etree._Element] = []
        self.tags: list[str] = []
        self.end: list[int] = []  # position of the last element in each element's subtree
        self.position: dict[etree._Element, int] = {}
        self._text: list[int] = []  # characters of each element's own text
        self._tail: list[int] = []
        self.headings: dict[str, list[etree._Element]] = defaultdict(list)  # furniture heading -> elements
        self._heading_count = 0
        self.h1: list[etree._Element] = []
        self.h2: list[etree._Element] = []
        self.anchors: list[etree._Element] = []
        self.times: list[int] = []
        self.forms: list[int] = []
        self.blockquotes: list[int] = []
        self.images: list[int] = []  # img and amp-img
        self.shares: list[int] = []  # AMP share buttons (no <a> in them)
        self.units: list[int] = []  # p and other leaf blocks: where paragraphs may be
        self.holds_blocks: set[int] = set()  # elements with a block element inside
        self.chrome: list[int] = []  # roots of page chrome
        self.skipped: list[int] = []  # roots of what is never text (forms, figures, AMP components)
        self.by_class: dict[str, etree._Element] = {}
        self.old_classes = furniture.old_classes
        self._wanted_classes = set(self.old_classes.values())
        self._stop_headings = furniture.all_stop_headings
        self._cum: tuple[list[int], list[int]] | None = None
        self._links: list[etree._Element] | None = None
        self._walk(self.body, 0, False)

    def _walk(self, el: etree._Element, depth: int, sectioned: bool) -> bool:
        """Visit ``el``'s subtree in document order; True when it holds a block element. (Lists are bound
        to local names: this loop runs once per element of every page.)"""
        order, tags, end, position = self.order, self.tags, self.end, self.position
        texts, tails, stop_headings, wanted = (
            self._text,
            self._tail,
            self._stop_headings,
            self._wanted_classes,
        )
        has_block = False
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            pos = len(order)
            order.append(child)
            tags.append(tag)
            end.append(pos)
            position[child] = pos
            tail = child.tail
            tails.append(len(tail) if tail else 0)
            if tag in PRUNED:
                texts.append(0)
                if tag in FORM_TAGS:
                    self.forms.append(pos)
                continue
            text = child.text
            texts.append(len(text) if text else 0)
            if (
                text
                and len(text) <= 80
                and (key := furniture_word(text, stop_headings))
                and self._heading_count < MAX_HEADINGS
            ):
                self.headings[key].append(child)
                self._heading_count += 1
            if tag == "a":
                if child.get("href"):
                    self.anchors.append(child)
            elif tag in CHROME or (tag in SCOPED_CHROME and not sectioned):
                self.chrome.append(pos)
            elif tag in TEXT_SKIP or tag.startswith("amp-"):
                self.skipped.append(pos)
                if tag in ("img", "amp-img"):
                    self.images.append(pos)
                elif tag in FORM_TAGS:
                    self.forms.append(pos)
                elif tag == "amp-social-share":
                    self.shares.append(pos)
            elif tag == "h1":
                self.h1.append(child)
            elif tag == "h2":
                self.h2.append(child)
            elif tag == "time":
                if child.get("datetime"):
                    self.times.append(pos)
            elif tag == "blockquote":
                self.blockquotes.append(pos)
            role = child.get("role")
            if role and role in CHROME_ROLES and tag not in CHROME:
                self.chrome.append(pos)
            if wanted and (classes := child.get("class")):
                for name in classes.split():
                    if name in wanted and name not in self.by_class:
                        self.by_class[name] = child
            inner = (
                self._walk(child, depth + 1, sectioned or tag in SECTIONING)
                if len(child) and depth < MAX_DEPTH
                else False
            )
            end[pos] = len(order) - 1
            block = tag in BLOCK_TAGS
            if inner:
                self.holds_blocks.add(pos)
            elif block and tag not in _NOT_UNITS:
                self.units.append(pos)
            has_block = has_block or block or inner
        return has_block

    # -- spans ---------------------------------------------------------------------------------------
    def span(self, el: etree._Element) -> tuple[int, int]:
        """First and last position of ``el``'s subtree."""
        pos = self.position[el]
        return pos, self.end[pos]

    def contains(self, outer: int, pos: int) -> bool:
        return outer <= pos <= self.end[outer]

    def text_length(self, pos: int) -> int:
        """Characters of text in the subtree at ``pos`` (white space included; scripts excluded)."""
        if self._cum is None:
            self._cum = (list(accumulate(self._text, initial=0)), list(accumulate(self._tail, initial=0)))
        text, tail = self._cum
        last = self.end[pos]
        return text[last + 1] - text[pos] + tail[last + 1] - tail[pos + 1]

    def any_between(self, positions: list[int], start: int, stop: int) -> bool:
        """Whether a sorted list of positions has one in [start, stop]."""
        i = bisect_left(positions, start)
        return i < len(positions) and positions[i] <= stop

    def count_between(self, positions: list[int], start: int, stop: int) -> int:
        return bisect_right(positions, stop) - bisect_left(positions, start)

    def old_layout(self, role: str) -> etree._Element | None:
        """The first element with the old layout's class for ``role`` (see ``Furniture.old_classes``)."""
        name = self.old_classes.get(role)
        return self.by_class.get(name) if name else None

    def head_links(self) -> list[etree._Element]:
        """``<link>`` elements (rel=next, alternate...), in the head or misplaced in the body."""
        if self._links is None:
            head = self.root.find("head")
            self._links = list(head.iter("link")) if head is not None else []
            self._links += [self.order[pos] for pos, tag in enumerate(self.tags) if tag == "link"]
        return self._links


class Spans:
    """A set of subtrees (given by their root positions) that answers "is this position inside one?"."""

    def __init__(self, page: PageIndex, roots: list[int] | tuple[int, ...] = ()):
        self.page = page
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, stop in sorted((pos, page.end[pos]) for pos in roots):
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], stop)
            else:
                self.starts.append(start)
                self.ends.append(stop)

    def covers(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and pos <= self.ends[i]

    def plus(self, roots: list[int]) -> Spans:
        """These subtrees and those rooted at ``roots`` (a merged root is the outermost of its subtrees)."""
        return Spans(self.page, [*self.starts, *roots])
