"""Assemble an article's fields from the layers: metadata, then site rules, then the generic fallback.

Where each field may come from, most trustworthy first:

- title: JSON-LD/OpenGraph headline, unless it is a cut prefix ("..."/"…") of the visible one; the visible
  headline (``h1``, or the headline line above the text); ``<title>`` without the site's name.
- published_at: JSON-LD, OpenGraph (``property=`` or ``name=``), a ``<time datetime>`` in the article's
  header; then a date printed in the article's header or byline area; then the body's dateline. Never a
  date after the article's end (related, latest, "printed on"), in the page header ("today"), or in a
  list of links. The article's header area is what lies between the start of the element holding both the
  headline and the text, and the first paragraph (only after the headline when that element is the page).
- author: a person named in metadata, then the byline in the header area ("By X, Washington", "X / Journalist",
  "Müəllif: X", "X, Baku"), then the author line after the text. The agency is never an author.
- category: metadata, then the link to the article's category page inside the article, then a label
  printed in its header (a breadcrumb's last step).
- image_url: the lead image the metadata declares, then the image whose alt text is the headline, then the
  first image of the header area (``requisites.lead_image``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree

from ..sites import Site
from . import body as rules
from .dates import parse_date_text, parse_dateline, parse_iso
from .generic import main_text_paragraphs
from .language import detect_language
from .metadata import Metadata
from .page import HtmlSource, PageIndex, normalize, text_of
from .requisites import lead_image
from .structure import PageStructure

log = logging.getLogger(__name__)
_SEPARATOR = r"(?:\||–|—|-|::|»|/|·)"
_BREADCRUMB = re.compile(r"\s*[»›>/]\s*")
HEADLINE_MAX = 250


@dataclass
class Reading:
    """What the site rules read of a page: the article (or why none), and where its parts are."""

    article: dict | None = None
    reason: str | None = None
    prose: int = 0  # characters of running text found
    container: etree._Element | None = None
    meta: Metadata = field(default_factory=Metadata)


@lru_cache(maxsize=16)
def _site_name_patterns(names: frozenset[str]) -> tuple[re.Pattern, re.Pattern] | None:
    """(suffix, prefix) patterns of a site's names in a title."""
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return (
        re.compile(rf"\s*{_SEPARATOR}\s*(?:{alternatives})\s*$", re.I),
        re.compile(rf"^(?:{alternatives})\s*{_SEPARATOR}+\s*", re.I),
    )


_TITLE_SEPARATOR = re.compile(r"\s+(?:::|\||-|–|—|·|»)\s+")


def clean_title(title: str | None, site: Site) -> str | None:
    """``<title>`` or a metadata title without the site's name: "X | Turan", "X - Turan.az", "Turan :: X"."""
    title = normalize(title)
    patterns = _site_name_patterns(site.furniture.not_authors)
    if not title or patterns is None:
        return title or None
    suffix, prefix = patterns
    title = prefix.sub("", suffix.sub("", title))
    if title.lower() in site.furniture.not_authors:
        return None
    return title or None


def _is_site_name(text: str, site: Site) -> bool:
    return normalize(text).lower() in site.furniture.not_authors


def _title_element(page: PageIndex, structure: PageStructure, container, site: Site):
    """The ``h1`` nearest before the text that is not the site's logo, or the old layout's caption."""
    for role in ("title", "urgent_title"):
        old = page.old_layout(role)
        if old is not None:
            return old
    heads = [h for h in page.h1 if not _is_site_name(text_of(h), site)]
    if container is not None:
        start = page.position[container]
        before = [h for h in heads if page.position[h] < start or page.contains(start, page.position[h])]
        if before:
            return before[-1]
    outside = [h for h in heads if not structure.chrome.covers(page.position[h])]
    return (outside or heads or [None])[0]


def _element_with_text(page: PageIndex, container, title: str) -> etree._Element | None:
    """The element nearest before the text whose text is the title (a headline that is no ``h1``)."""
    if container is None:
        return None
    want = title.casefold()
    start = page.position[container]
    for pos in range(start - 1, max(-1, start - 200), -1):
        el = page.order[pos]
        if page.tags[pos] in ("a",) or page.end[pos] >= start:
            continue
        if page.text_length(pos) < len(title) * 3 and text_of(el).casefold() == want:
            return el
    return None


def _title_part_shown(page: PageIndex, container, page_title: str) -> str | None:
    """The part of a ``<title>`` such as "Site :: Headline" that the page shows nearest to the start of
    its text: how a page names its headline when it has no ``h1`` and its site's name is not known."""
    parts = _TITLE_SEPARATOR.split(page_title)
    if len(parts) < 2:
        return None
    shown = [(pos, part) for part in parts if (pos := _shown_near(page, container, part)) is not None]
    return max(shown)[1] if shown else None  # the site's name is further up (a logo, a page header)


def _shown_near(page: PageIndex, container, text: str) -> int | None:
    """The position of the last element (not a link) reading ``text``, among the 200 elements on either
    side of where ``container`` starts."""
    want, start, found = text.casefold(), page.position[container], None
    for pos in range(max(0, start - 200), min(len(page.order), start + 200)):
        if page.tags[pos] == "a" or page.text_length(pos) >= len(text) * 3:
            continue
        if text_of(page.order[pos]).casefold() == want:
            found = pos
    return found


def _headline_before(page: PageIndex, structure: PageStructure, container, words) -> etree._Element | None:
    """The line above the text that reads as its headline, when the page names no title: not a date, a
    byline, a category label, a link or page furniture."""
    if container is None:
        return None
    start = page.position[container]
    for pos in reversed([p for p in page.units if p < start]):
        if structure.chrome.covers(pos) or structure.lists.covers(pos) or structure.not_text.covers(pos):
            continue
        el = page.order[pos]
        text = text_of(el)
        if not text or len(text) > HEADLINE_MAX:
            continue
        if (
            rules.looks_like_date_line(text)
            or parse_date_text(text)
            or words.byline_in(text)[0]
            or words.is_stop(text)
            or text.lower() in words.labels
            or rules._linked(el) > len(text) / 2
        ):
            continue
        return el
    return None


def _common_ancestor(page: PageIndex, a: etree._Element, b: etree._Element) -> etree._Element:
    ancestors = {a, *a.iterancestors()}
    for el in (b, *b.iterancestors()):
        if el in ancestors:
            return el
    return page.body


def _category_label(
    page: PageIndex, structure: PageStructure, meta: Metadata, span, lang: str | None, slug: str | None
) -> str | None:
    if meta.section:
        return meta.section
    if not (lang and slug) or span is None:
        return None
    wanted = f"/{lang}/{slug}"
    start, stop = span
    for link in structure.links:
        if (
            start <= link.pos <= stop
            and urlsplit(link.url).path.rstrip("/") == wanted
            and (label := text_of(page.order[link.pos]))
        ):
            return label
    return None


def _kicker(title_el, words) -> str | None:
    """A category label printed just above the headline."""
    if title_el is None:
        return None
    for n, el in enumerate(title_el.itersiblings(preceding=True)):
        if n >= 2:
            break
        text = text_of(el)
        last = _BREADCRUMB.split(text)[-1] if text else ""
        if last.lower() in words.labels:
            return last
    return None


@dataclass
class Header:
    """What the article's header and byline area says: a ``<time datetime>``, a date, a byline, a label."""

    time: str | None = None
    date: str | None = None
    author: str | None = None
    label: str | None = None


def header_span(page: PageIndex, area: etree._Element, title_el, first: int) -> tuple[int, int] | None:
    """The positions of the article's header area: from the start of ``area`` (from the headline when
    ``area`` is the whole page) to the one before ``first`` (the first paragraph); None when empty."""
    lo = page.position.get(area, 0)
    if area is page.body or area.tag in ("body", "html"):
        lo = page.position[title_el] if title_el is not None else first
    return (lo, first - 1) if lo < first else None


def read_header(
    page: PageIndex, structure: PageStructure, words, area, span: tuple[int, int] | None, title: str
) -> Header:
    """Read the header area (``span``, inside ``area``), outside furniture, link lists and chrome."""
    header = Header()
    if span is None:
        return header
    lo, hi = span
    skip = structure.chrome.plus([start for start, _stop, _kind in structure.furniture])
    skip = skip.plus(structure.lists.starts)
    for pos in page.times:
        if lo <= pos <= hi and not skip.covers(pos):
            header.time = parse_iso(page.order[pos].get("datetime"))
            if header.time:
                break
    title_key = title.casefold()
    reader = rules.Reader(page, structure, words, skip=skip)
    named = False
    for block in reader.read(area, top_level=False, lo=lo, hi=hi):
        text = block.text
        if text.casefold() == title_key or words.is_stop(text):
            continue
        if header.date is None:
            header.date = parse_date_text(words.published_part(text))
        if not named:
            named, header.author = words.byline_in(text)
        if header.label is None:
            last = _BREADCRUMB.split(text)[-1]
            if last.lower() in words.labels:
                header.label = last
    return header


def read_after(page: PageIndex, structure: PageStructure, words, area, last: int) -> tuple[str | None, bool]:
    """(author line, paywall marker seen) in what follows the text inside ``area``, up to the furniture."""
    area_end = page.end[page.position[area]] if area in page.position else len(page.order) - 1
    if area is None or last >= area_end:
        return None, False
    skip = structure.chrome.plus(structure.lists.starts)
    reader = rules.Reader(page, structure, words, skip=skip)
    author, paywalled = None, False
    for n, block in enumerate(reader.read(area, top_level=False, lo=last + 1)):
        if words.is_paywall_marker(block.text):
            paywalled = True
            continue
        if words.stop_word(block.text) or structure.furniture_kind(block.pos) in ("latest", "related"):
            break
        if author is None and n < 4 and block.linked * 2 <= len(block.text):
            author = words.author_name(block.text)
    return author, paywalled


def _valid_author(name: str | None, site: Site) -> str | None:
    if not name or "://" in name or name.strip().lower() in site.furniture.not_authors:
        return None
    return normalize(name)


def _find_container(page: PageIndex, structure: PageStructure) -> etree._Element | None:
    old = page.old_layout("body")
    if old is None:
        old = page.old_layout("paywalled")
    return old if old is not None else rules.find_container(page, structure)


def _choose_title(meta: Metadata, visible: str | None, page_title: str | None, site: Site) -> str | None:
    meta_title = clean_title(meta.title, site)
    cut = meta.truncated_title
    if cut:
        cut_key = clean_title(cut, site) or cut
        for full in (visible, page_title):
            if full and full.casefold().startswith(cut_key.casefold()) and len(full) > len(cut_key):
                return full
    return meta_title or visible or page_title


def build_article(
    url: str,
    page: PageIndex,
    structure: PageStructure,
    source: HtmlSource,
    site: Site,
    meta: Metadata,
    generic: bool = False,
) -> Reading:
    """The article's fields read by the site rules (``generic``: by the generic main-text extractor when
    the site rules find no text), with what the page's ``meta`` data declares."""
    words = rules.wording(site.furniture)
    url_info = site.article_view(url)
    reading = Reading(meta=meta)
    found = rules.Found()
    container = None if generic else _find_container(page, structure)
    title_el = _title_element(page, structure, container, site)
    visible = text_of(title_el) if title_el is not None else None
    page_title = clean_title(page.root.findtext(".//title"), site)
    title = _choose_title(meta, visible, page_title, site)
    if visible is None and not meta.title and page_title and container is not None:
        title = _title_part_shown(page, container, page_title) or title
    if not title and container is not None:
        title_el = _headline_before(page, structure, container, words)
        title = text_of(title_el) if title_el is not None else None
    if title and (title_el is None or text_of(title_el).casefold() != title.casefold()):
        matching = _element_with_text(page, container, title)
        title_el = matching if matching is not None else title_el

    paragraphs: list[rules.Block] = []
    if container is not None:
        blocks = rules.container_blocks(container, page, structure, words)
        paragraphs = rules.peel(rules.body_paragraphs(blocks, found, words), title, found, words)
    elif generic:
        texts = main_text_paragraphs(source.text)
        blocks = [rules.Block(text, -1, n) for n, text in enumerate(texts)]
        paragraphs = rules.peel(rules.body_paragraphs(blocks, found, words), title, found, words)
        log.info("generic extraction of %s gave %d paragraphs", url, len(paragraphs))
    text = "\n\n".join(block.text for block in paragraphs)
    reading.prose = len(text)
    reading.container = container
    if not title or not paragraphs or len(text) < rules.MIN_TEXT:
        reading.reason = "no_title" if not title and paragraphs else "no_text"
        return reading

    area = head = None
    header, after_author, after_paywall = Header(), None, False
    if container is not None:
        area = _common_ancestor(page, title_el, container) if title_el is not None else container
        first = min(block.pos for block in paragraphs)
        last = max(page.end[block.pos] for block in paragraphs)
        head = header_span(page, area, title_el, first)
        header = read_header(page, structure, words, area, head, title)
        after_author, after_paywall = read_after(page, structure, words, area, last)
    old_date = page.old_layout("date")
    published = (
        meta.published_at
        or header.time
        or (parse_date_text(text_of(old_date)) if old_date is not None else None)
        or header.date
        or found.printed_date
        or parse_dateline(paragraphs[0].text)
    )
    author = (
        _valid_author(meta.author, site) or header.author or found.byline or found.author_line or after_author
    )
    paywalled = (
        found.paywalled
        or after_paywall
        or meta.paywalled
        or page.old_layout("paywalled") is not None
        or bool(url_info and url_info.subscribers_only)
    )
    lang = url_info.lang if url_info else structure.lang
    slug = url_info.category_slug if url_info else None
    span = None
    if area is not None:
        if area in page.position:
            span = page.span(area)
        else:  # the page itself holds headline and text (a print view, a bare page): from the headline on
            span = (page.position[title_el] if title_el is not None else 0, len(page.order) - 1)
    category = (
        _category_label(page, structure, meta, span, lang, slug) or header.label or _kicker(title_el, words)
    )
    reading.article = {
        "url": url,
        "lang": lang,
        "text_lang": detect_language(f"{title}\n{text}"),
        "category": category,
        "category_slug": slug,
        "article_id": url_info.article_id if url_info else None,
        "title": title,
        "author": author,
        "published_at": published,
        "body": text,
        "editor_code": found.editor_code,
        "paywalled": int(paywalled),
        "word_count": len(text.split()),
        "extracted_by": "site" if container is not None and site.site_rules else "generic",
        "image_url": lead_image(page, structure, meta.image, title, head),
    }
    return reading


__all__ = ["Reading", "build_article", "clean_title"]
