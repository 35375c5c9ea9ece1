"""Site rules for the article text: find the paragraphs, stop at the page furniture, peel off the rest.

The rules rely on what a reader sees (paragraph density, the furniture's headings in three languages, the
shape of editor codes and bylines), not on class names, so they carry over to markup we have not seen.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from lxml import etree

from ..sites import Furniture
from .dates import looks_like_date_line, parse_printed_datetime
from .page import SKIP_TAGS, heading_key, normalize, text_of

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
    "font",
}
MIN_PARAGRAPH = 25  # characters: shorter <p> do not count towards choosing the container
MIN_BODY = 120  # characters: less than this in the best container means the site rules found no text

_DASH = "-—–"
EDITOR_CODE = re.compile(rf"^[{_DASH}]+\s*(\d{{1,2}}(?:[A-Za-zА-Яа-я]\d{{0,2}})?)\s*[{_DASH}]+$")
TRAILING_EDITOR_CODE = re.compile(
    rf"^(.*\S)\s+[{_DASH}]+(\d{{1,2}}(?:[A-Za-zА-Яа-я]\d{{0,2}})?)[{_DASH}]+$", re.S
)
_NAME_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ſƏİŞÇĞÖÜА-ЯЁ][\w'’.-]*"
NAME_LINE = re.compile(rf"^(?:by\s+)?({_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}})$")
_NEVER = re.compile(r"(?!)")


class Wording:
    """A site's furniture words as the body rules use them: stop headings, paywall markers, bylines."""

    def __init__(self, furniture: Furniture):
        self.furniture = furniture
        self.stop_headings = furniture.all_stop_headings
        jobs = "|".join(map(re.escape, furniture.job_titles))
        self.byline = (
            re.compile(rf"^(?:by\s+)?(.{{3,60}}?)\s*[/|,–-]\s*(?:{jobs})\b.*$", re.I) if jobs else _NEVER
        )
        self.labels = {
            label.lower() for table in furniture.category_labels.values() for label in table.values()
        }

    def is_stop(self, text: str) -> bool:
        return heading_key(text) in self.stop_headings or self.is_paywall_marker(text)

    def is_paywall_marker(self, text: str) -> bool:
        low = text.lower()
        return len(low) < 200 and any(marker in low for marker in self.furniture.paywall_markers)

    def mentions_job(self, text: str) -> bool:
        low = text.lower()
        return any(job in low for job in self.furniture.job_titles)

    def author_name(self, text: str) -> str | None:
        """The name in a byline ("Kamran Mahmudov / Journalist") or an author line ("Alex Raufoglu")."""
        text = normalize(text)
        if not text or len(text) > 80 or any(ch.isdigit() for ch in text):
            return None
        match = self.byline.match(text)
        candidate = match.group(1).strip() if match else text
        if not NAME_LINE.match(candidate) or candidate.endswith("."):
            return None
        candidate = NAME_LINE.match(candidate).group(1)
        low = candidate.lower()
        if (
            low in self.furniture.not_authors
            or low in self.labels
            or self.is_stop(candidate)
            or looks_like_date_line(candidate)
        ):
            return None
        return candidate


@cache
def wording(furniture: Furniture) -> Wording:
    return Wording(furniture)


@dataclass
class Found:
    """What the site rules read off the page; every field may be missing."""

    byline: str | None = None
    author_line: str | None = None
    printed_date: str | None = None
    editor_code: str | None = None
    paywalled: bool = False


def _link_density(p: etree._Element, text_len: int) -> float:
    linked = sum(len(text_of(a)) for a in p.iter("a"))
    return linked / max(text_len, 1)


def find_container(root: etree._Element) -> etree._Element | None:
    """The element whose own paragraphs hold the most prose (links and short lines do not count)."""
    scores: dict[etree._Element, int] = defaultdict(int)
    for p in root.iter("p"):
        text_len = len(text_of(p))
        if text_len >= MIN_PARAGRAPH and _link_density(p, text_len) < 0.5:
            scores[p.getparent()] += text_len
    for br in root.iter("br"):  # text separated by <br> instead of <p>
        parent = br.getparent()
        if parent is not None and parent.tag != "p":
            scores[parent] += len(normalize(br.tail))
    best = max(scores, key=scores.get, default=None)
    return best if best is not None and scores[best] >= MIN_BODY else None


def _blocks(el: etree._Element, group: int, out: list[tuple[str, int]], top: bool = False) -> None:
    """Flatten ``el`` into (text, group) blocks: block elements and <br> end a block. At the top level
    each child gets its own group, so that a furniture block can be skipped whole."""
    buf: list[str] = [el.text or ""]

    def flush() -> None:
        text = normalize(" ".join(buf))
        buf.clear()
        if text:
            out.append((text, group))

    for n, child in enumerate(el):
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "br":
            flush()
        elif tag in BLOCK_TAGS:
            flush()
            _blocks(child, n if top else group, out)
        elif tag and tag not in SKIP_TAGS:
            buf.append("".join(child.itertext()))
        if top:
            group = n
        buf.append(child.tail or "")
    flush()


def container_blocks(container: etree._Element) -> list[tuple[str, int]]:
    """The container's text blocks, each tagged with the index of the top-level child it came from."""
    out: list[tuple[str, int]] = []
    _blocks(container, -1, out, top=True)
    return out


def body_paragraphs(blocks: list[tuple[str, int]], found: Found, words: Wording) -> list[str]:
    """Article paragraphs from the container's blocks, stopping at the furniture (review, latest...)."""
    paragraphs: list[str] = []
    skip_group: int | None = None
    for text, group in blocks:
        if group == skip_group:
            continue
        if words.is_stop(text):
            if words.is_paywall_marker(text):
                found.paywalled = True
            if paragraphs:
                break
            skip_group = group
            continue
        paragraphs.append(text)
    return paragraphs


def peel(paragraphs: list[str], title: str | None, found: Found, words: Wording) -> list[str]:
    """Remove what opens and closes the text but is not part of it: title, byline, date, editor code,
    author line. What is removed is recorded on ``found``."""
    title_key = normalize(title).casefold()
    while paragraphs:
        first = paragraphs[0]
        if title_key and normalize(first).casefold() == title_key:
            paragraphs.pop(0)
        elif words.byline.match(first) and words.author_name(first):
            found.byline = found.byline or words.author_name(first)
            paragraphs.pop(0)
        elif looks_like_date_line(first):
            found.printed_date = found.printed_date or parse_printed_datetime(first)
            paragraphs.pop(0)
        else:
            break
    for _ in range(3):
        if not paragraphs:
            break
        last = paragraphs[-1]
        code = EDITOR_CODE.match(last)
        trailing = TRAILING_EDITOR_CODE.match(last)
        if code and found.editor_code is None:
            found.editor_code = code.group(1)
            paragraphs.pop()
        elif trailing and found.editor_code is None:
            found.editor_code = trailing.group(2)
            paragraphs[-1] = trailing.group(1)
        elif (
            found.author_line is None
            and len(paragraphs) > 1
            and words.author_name(last)
            and not words.byline.match(last)
        ):
            found.author_line = words.author_name(last)
            paragraphs.pop()
        else:
            break
    return paragraphs
