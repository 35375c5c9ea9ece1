"""What a page needs to look like itself: its stylesheets (and what they import: fonts, background
images), its images (``src``, ``srcset``, ``<picture>`` sources, lazy-load attributes), optionally its
scripts; and the article's lead image.

Stylesheets are read with tinycss2 (a CSS tokenizer: ``url()`` inside comments or strings is not a URL);
CSS inside the page (``<style>`` blocks, ``style`` attributes) with two regular expressions, because a
page's inline CSS can be 100 KB and tinycss2, pure Python, took 0.3 s a page on it (measured on the
replica's pages: extraction fell from ~500 to ~3 pages/s). Every list is bounded, so a hostile page
cannot make a crawl fetch without end.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator

import tinycss2
from lxml import etree

from .page import PageIndex, Resolver, normalize, text_of
from .structure import PageStructure

MAX_PER_PAGE = 150  # requisite URLs taken from one page or stylesheet
MAX_CSS_BYTES = 2 * 1024 * 1024
IMAGE_ATTRIBUTES = ("src", "data-src", "data-lazy-src", "data-original")
SRCSET_ATTRIBUTES = ("srcset", "data-srcset")
KINDS = ("stylesheet", "image", "script")
# Each alternative stops at its own delimiter, so a hostile "url(url(url(..." is read in linear time.
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^'"()\s]+))\s*\)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)


def css_reference(match: re.Match) -> str:
    """The URL a ``CSS_URL`` or ``CSS_IMPORT`` match names."""
    return next(group for group in match.groups() if group is not None)


def inline_css_urls(css: str) -> list[str]:
    """The url()s and @imports of CSS written in a page (a fast scan, see the module's docstring)."""
    # One-character searches run in C at memory speed; the expression crawls through 100 KB of CSS.
    if not (("(" in css and "url(" in css.lower()) or ("@" in css and "@import" in css.lower())):
        return []
    return [css_reference(match) for pattern in (CSS_IMPORT, CSS_URL) for match in pattern.finditer(css)]


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` ("a.jpg 640w, b.jpg 2x"): the first word of each candidate."""
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


def _css_urls(tokens) -> list[str]:
    found = []
    for token in tokens or ():
        if token.type == "url":
            found.append(token.value)
        elif token.type == "function" and token.lower_name == "url":
            found += [arg.value for arg in token.arguments if arg.type == "string"]
        elif token.type == "function":
            found += _css_urls(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            found += _css_urls(token.content)
    return found


def stylesheet_urls(css: bytes | str, base: str) -> list[str]:
    """Absolute URLs a stylesheet needs: ``@import``s, fonts, images, in order, at most MAX_PER_PAGE."""
    if isinstance(css, bytes):
        rules, _encoding = tinycss2.parse_stylesheet_bytes(css[:MAX_CSS_BYTES], skip_comments=True)
    else:
        rules = tinycss2.parse_stylesheet(css[:MAX_CSS_BYTES], skip_comments=True)
    found: list[str] = []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            found += [t.value for t in rule.prelude if t.type == "string"][:1]
        found += _css_urls(getattr(rule, "prelude", None)) + _css_urls(getattr(rule, "content", None))
    return _absolute(found, Resolver(base))


class _Urls:
    """Absolute URLs in the order first named, each once, at most MAX_PER_PAGE: what comes after that is
    not even resolved (a page with a million images named a million URLs to join)."""

    def __init__(self, resolve: Resolver):
        self.resolve = resolve
        self.found: dict[str, None] = {}

    @property
    def full(self) -> bool:
        return len(self.found) >= MAX_PER_PAGE

    def add(self, refs: Iterable[str | None]) -> None:
        for ref in refs:
            if self.full:
                return
            if url := self.resolve(ref):
                self.found[url] = None


def _absolute(refs: Iterable[str | None], resolve: Resolver) -> list[str]:
    urls = _Urls(resolve)
    urls.add(refs)
    return list(urls.found)


def _image_refs(el: etree._Element) -> Iterator[str]:
    """The URLs an image element names: ``src`` and lazy-load attributes, then its ``srcset``s."""
    for attribute in IMAGE_ATTRIBUTES:
        if value := el.get(attribute):
            yield value
    for attribute in SRCSET_ATTRIBUTES:
        if value := el.get(attribute):
            yield from _srcset_urls(value)


_REQUISITE_TAGS = ("link", "script", "style", "img", "source", "input", "amp-img")
_STYLED = etree.XPath("//@style[contains(., 'url(')]/..")


def page_requisites(root: etree._Element, resolve: Resolver) -> dict[str, list[str]]:
    """{'stylesheet': [...], 'image': [...], 'script': [...]}: absolute URLs in page order, deduplicated,
    at most MAX_PER_PAGE of each kind. Only the elements that can name one are visited (lxml picks them in
    C: a full walk in Python took a sixth of the extraction's time)."""
    found = {kind: _Urls(resolve) for kind in KINDS}
    stylesheets, images, scripts = found["stylesheet"], found["image"], found["script"]
    for el in root.iter(_REQUISITE_TAGS):
        tag = el.tag
        if tag == "link" and "stylesheet" in (el.get("rel") or "").lower().split():
            stylesheets.add([el.get("href")])
        elif tag == "script":
            scripts.add([el.get("src")])
        elif tag == "style" and el.text and not stylesheets.full:
            stylesheets.add(inline_css_urls(el.text))
        elif tag in ("img", "source", "input", "amp-img") and not images.full:
            images.add(_image_refs(el))
    if not images.full:
        for el in _STYLED(root):
            images.add(inline_css_urls(el.get("style")))
    return {kind: list(urls.found) for kind, urls in found.items()}


def lead_image(
    page: PageIndex,
    structure: PageStructure,
    declared: str | None,
    title: str,
    header: tuple[int, int] | None,
) -> str | None:
    """The article's lead image: the one its metadata declares (``declared``); else the image whose alt
    text is the headline (the site's habit, SITE.md); else the first image of the article's ``header`` area
    (positions above the headline or between it and the text) outside menus and lists of links; else the
    first image of a figure above the text."""
    resolve = structure.resolve
    if declared and (url := resolve(declared)):
        return url
    headlines = {title.casefold(), *(text_of(h).casefold() for h in page.h1)}
    for pos in page.images:
        alt = normalize(page.order[pos].get("alt")).casefold()
        if len(alt) >= 10 and alt in headlines and (url := _image_url(page.order[pos], resolve)):
            return url
    if header is not None:
        lo, hi = header
        for pos in page.images[bisect_left(page.images, lo) : bisect_right(page.images, hi)]:
            if structure.chrome.covers(pos) or structure.lists.covers(pos) or structure.furniture_kind(pos):
                continue
            if url := _image_url(page.order[pos], resolve):
                return url
    for el in page.body.iter("figure", "p"):  # a figure above the text: an image inside the text is no lead
        if el.tag == "p" and len("".join(el.itertext()).strip()) >= 100:
            break
        if el.tag == "figure":
            for img in el.iter("img", "amp-img"):
                if url := _image_url(img, resolve):
                    return url
    return None


def _image_url(el: etree._Element, resolve: Resolver) -> str | None:
    """The first URL an image element names that resolves."""
    return next(filter(None, map(resolve, _image_refs(el))), None)
