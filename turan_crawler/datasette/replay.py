"""Archived pages shown with their archived requisites, never the live site's.

An archived page's stylesheets, images and links are rewritten to ``/-/turan/at/TIMESTAMP/URL``, which
answers with the capture of URL nearest to the page's own capture time (as pywb's replay does); a
stylesheet is rewritten the same way (its @imports, fonts and images). What was not archived answers
404, so the sandboxed frame shows a gap instead of reaching out to the live site.
"""

from __future__ import annotations

import re
from contextlib import suppress
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from ..extract.requisites import CSS_IMPORT, CSS_URL, IMAGE_ATTRIBUTES, SRCSET_ATTRIBUTES, css_reference

ROUTE = "/-/turan/at"


def stamp(warc_date: str) -> str:
    """A WARC date as the 14 digits of a replay URL."""
    return re.sub(r"\D", "", warc_date)[:14]


def archived_url(url: str, base: str, timestamp: str) -> str:
    """``url`` (relative to ``base``) as its archived copy's address; unchanged when it is not http(s)
    or not a URL at all (``http://[::1`` raises in urljoin: a page may hold anything)."""
    try:
        absolute = urljoin(base, url.strip())
        scheme = urlsplit(absolute).scheme
    except ValueError:
        return url
    if scheme not in ("http", "https"):
        return url
    return f"{ROUTE}/{timestamp}/{absolute}"


def _srcset(value: str, base: str, timestamp: str) -> str:
    candidates = []
    for candidate in value.split(","):
        words = candidate.split()
        if words:
            candidates.append(" ".join([archived_url(words[0], base, timestamp), *words[1:]]))
    return ", ".join(candidates)


def rewrite_css(css: str, base: str, timestamp: str) -> str:
    css = CSS_IMPORT.sub(lambda m: f'@import "{archived_url(css_reference(m), base, timestamp)}"', css)
    return CSS_URL.sub(lambda m: f'url("{archived_url(css_reference(m), base, timestamp)}")', css)


def rewrite_html(page: str, base: str, timestamp: str) -> str:
    """The page with every stylesheet, image, frame and link pointing into the archive (UTF-8 out)."""
    doc = lxml_html.document_fromstring(page)
    base_el = doc.find(".//base[@href]")
    if base_el is not None:
        with suppress(ValueError):  # not a URL: links stay relative to the page's own address
            base = urljoin(base, base_el.get("href"))
        base_el.drop_tree()
    for meta in doc.iterfind(".//meta[@charset]"):
        meta.set("charset", "utf-8")
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attribute in ("href", *IMAGE_ATTRIBUTES, "poster"):
            if el.get(attribute) and not el.get(attribute).startswith(
                ("#", "data:", "javascript:", "mailto:")
            ):
                el.set(attribute, archived_url(el.get(attribute), base, timestamp))
        for attribute in SRCSET_ATTRIBUTES:
            if el.get(attribute):
                el.set(attribute, _srcset(el.get(attribute), base, timestamp))
        if el.get("style") and "url(" in el.get("style"):
            el.set("style", rewrite_css(el.get("style"), base, timestamp))
        if el.tag == "style" and el.text:
            el.text = rewrite_css(el.text, base, timestamp)
    return etree.tostring(doc, encoding="unicode", method="html", doctype="<!DOCTYPE html>")
