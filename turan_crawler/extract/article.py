"""Assemble an article's fields from the layers: metadata, then site rules, then the generic fallback."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from lxml import etree

from ..sites import Site
from . import body as rules
from .dates import parse_dateline, parse_printed_datetime
from .generic import main_text_paragraphs
from .language import detect_language
from .metadata import Metadata, read_metadata
from .page import PageIndex, normalize, text_of

log = logging.getLogger(__name__)
_TITLE_SUFFIX = re.compile(r"\s*[|–—-]\s*(turan(\.az)?|turan information agency|иа туран)\s*$", re.I)


class PageScan:
    """One pass over the page in document order, outside menus and furniture blocks, collecting the printed
    date, a byline before the text, the author line after it and the paywall marker."""

    def __init__(self, page: PageIndex, container: etree._Element | None, words: rules.Wording):
        self.date: str | None = None
        self.byline: str | None = None
        self.author_line: str | None = None
        self.paywalled = False
        ancestors = {container, *container.iterancestors()} if container is not None else set()
        start, end = page.span(container) if container is not None else (len(page.order), -1)
        waiting_for_author = container is not None
        skipped = iter(self._skipped_ranges(page, ancestors))
        current = next(skipped, None)
        for n, el in enumerate(page.order):
            while current and n > current[1]:
                current = next(skipped, None)
            if current and current[0] <= n:
                continue
            for raw, owner in ((el.text, el), (el.tail, el.getparent())):
                if not raw or raw.isspace() or owner is None:
                    continue
                text = normalize(raw)
                if words.is_paywall_marker(text):
                    self.paywalled = True
                if n > start and words.is_stop(text):
                    return
                if waiting_for_author and n > end:
                    waiting_for_author = False
                    self.author_line = words.author_name(text)
                if self.date is None:
                    self.date = parse_printed_datetime(text)
                if n < start and self.byline is None and words.mentions_job(text):
                    line = text_of(owner)
                    if words.byline.match(line):
                        self.byline = words.author_name(line)

    @staticmethod
    def _skipped_ranges(page: PageIndex, ancestors: set) -> list[tuple[int, int]]:
        """Position ranges to ignore: scripts, menus and furniture blocks that do not hold the article."""
        roots = [el for el in page.skip_roots if el not in ancestors]
        for elements in page.headings.values():
            for heading in elements:
                parent = heading.getparent()
                if parent is not None and parent not in ancestors:
                    roots.append(parent)
        return sorted(page.span(el) for el in roots)


def _clean_title(title: str | None) -> str | None:
    return _TITLE_SUFFIX.sub("", normalize(title)) or None


def _title_element(page: PageIndex, container: etree._Element | None) -> etree._Element | None:
    """The <h1> nearest before the text (a logo may be an <h1> too), or the old layout's caption."""
    for role in ("title", "urgent_title"):
        old = page.old_layout(role)
        if old is not None:
            return old
    if container is not None:
        before = [h for h in page.h1 if page.position[h] < page.position[container]]
        if before:
            return before[-1]
    return page.h1[0] if page.h1 else None


def _category_label(
    page: PageIndex, meta: Metadata, site: Site, lang: str | None, slug: str | None
) -> str | None:
    if meta.section:
        return meta.section
    if not (lang and slug):
        return None
    wanted = f"/{lang}/{slug}"
    for anchor in page.anchors:
        if urlsplit(anchor.get("href") or "").path.rstrip("/") == wanted and (label := text_of(anchor)):
            return label
    return site.furniture.category_labels.get(lang, {}).get(slug)


def _valid_author(name: str | None, site: Site) -> str | None:
    if not name or "://" in name or name.strip().lower() in site.furniture.not_authors:
        return None
    return normalize(name)


def _find_container(page: PageIndex) -> etree._Element | None:
    old = page.old_layout("body")
    if old is None:
        old = page.old_layout("paywalled")
    return old if old is not None else rules.find_container(page.body)


def build_article(url: str, page: PageIndex, page_html: str, site: Site) -> tuple[dict | None, str | None]:
    """(fields, None) for an article page; (None, reason) when no article can be read from it."""
    words = rules.wording(site.furniture)
    url_info = site.article_url(url)
    meta = read_metadata(page.root)
    found = rules.Found()
    container = _find_container(page)
    title_el = _title_element(page, container)
    title = (
        _clean_title(meta.title)
        or (text_of(title_el) if title_el is not None else None)
        or _clean_title(page.root.findtext(".//title"))
    )

    paragraphs: list[str] = []
    if container is not None:
        paragraphs = rules.peel(
            rules.body_paragraphs(rules.container_blocks(container), found, words), title, found, words
        )
    if sum(map(len, paragraphs)) < rules.MIN_BODY:
        generic = main_text_paragraphs(page_html)
        paragraphs = rules.peel(
            rules.body_paragraphs([(p, n) for n, p in enumerate(generic)], found, words), title, found, words
        )
        container = None
        log.info(
            "site rules found no text in %s; generic extraction gave %d paragraphs", url, len(paragraphs)
        )
    if not title or not paragraphs:
        return None, "no_title" if not title else "no_text"

    scan = PageScan(page, container, words)
    old_date = page.old_layout("date")
    published = (
        meta.published_at
        or (parse_printed_datetime(text_of(old_date)) if old_date is not None else None)
        or found.printed_date
        or scan.date
        or parse_dateline(paragraphs[0])
    )
    author = (
        _valid_author(meta.author, site)
        or found.byline
        or scan.byline
        or found.author_line
        or scan.author_line
    )
    paywalled = (
        found.paywalled
        or scan.paywalled
        or page.old_layout("paywalled") is not None
        or bool(url_info and url_info.subscribers_only)
    )
    text = "\n\n".join(paragraphs)
    lang = url_info.lang if url_info else site.lang_of(url)
    slug = url_info.category_slug if url_info else None
    return {
        "url": url,
        "lang": lang,
        "text_lang": detect_language(f"{title}\n{text}"),
        "category": _category_label(page, meta, site, lang, slug),
        "category_slug": slug,
        "article_id": url_info.article_id if url_info else None,
        "title": title,
        "author": author,
        "published_at": published,
        "body": text,
        "editor_code": found.editor_code,
        "paywalled": int(paywalled),
        "word_count": len(text.split()),
        "extracted_by": "generic" if container is None else "site",
    }, None
