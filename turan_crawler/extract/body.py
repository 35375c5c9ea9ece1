"""Site rules for the article text: find the paragraphs, read them as a reader does, stop at the page
furniture, peel off the rest.

The rules rely on what a reader sees (paragraph density, the furniture's words in three languages, the
shape of editor codes, bylines and credits, images and the lines under them, forms, links to social
networks), not on class names, so they carry over to markup we have not seen:

- Text is read as rendered: inline tags add nothing ("-<b>06</b>D-" reads "-06D-", "Əliyev</a>in" reads
  "Əliyevin"); block elements and ``<br>`` end a paragraph.
- Never text: figures and their captions, an ``em``/``small``/``span`` line right after an image, photo
  credits ("Foto: Turan"), embedded posts (tweets, Instagram, Facebook, Telegram, YouTube: blockquotes
  linking a social network, iframes, AMP components), share bars (a block of links to social networks),
  boxes with a form (newsletter sign-up, comments), lines that are mostly a link ("Read also: ...").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from lxml import etree

from ..sites import Furniture
from .dates import looks_like_date_line, parse_date_text
from .page import BLOCK_TAGS, IMAGES, PRUNED, PageIndex, furniture_word, is_social, normalize, text_of
from .structure import MIN_PARAGRAPH, PageStructure

MIN_BODY = 120  # characters: less than this in the best container means the site rules found no text
MIN_TEXT = 140  # characters: an article has at least this much running text (a two-line notice has not)
SENTENCE_END = re.compile(r"[.!?…][»\"”]?(?:\s|$)")  # a caption is not a sentence
CAPTION_MAX = 300  # characters: a line under an image longer than this is text, not a caption
BOX_MAX = 400  # characters: a block with a form and at most this much text is a box (newsletter, comments)
SHARE_MAX = 120  # characters: a block of social links with at most this much text is a share bar
LINKED_MAX = 0.5  # share of a block's text in links above which it is a link, not text

_DASH = "-—–"
EDITOR_CODE = re.compile(rf"^[{_DASH}]+\s*(\d{{1,2}}(?:[A-Za-zА-Яа-я]\d{{0,2}})?)\s*[{_DASH}]+$")
TRAILING_EDITOR_CODE = re.compile(
    rf"^(.*\S)\s+[{_DASH}]+(\d{{1,2}}(?:[A-Za-zА-Яа-я]\d{{0,2}})?)[{_DASH}]+$", re.S
)
_NAME_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ſƏİŞÇĞÖÜА-ЯЁ][\w'’.-]*"
NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}"
NAME_LINE = re.compile(rf"^({NAME})$")
_NEVER = re.compile(r"(?!)")
_EMPHASIS = {"em", "i", "small", "span", "font", "cite", "sub", "sup"}
_PIECES = re.compile(r"\s*[·•|]\s*")


class Wording:
    """A site's furniture words as the body rules use them: stop headings, paywall markers, bylines,
    credits."""

    def __init__(self, furniture: Furniture):
        self.furniture = furniture
        self.stop_headings = furniture.all_stop_headings
        jobs = "|".join(map(re.escape, furniture.job_titles))
        self.byline = (
            re.compile(rf"^(?:by\s+)?(.{{3,60}}?)\s*[/|,–-]\s*(?:{jobs})\b.*$", re.I) if jobs else _NEVER
        )
        labels = "|".join(map(re.escape, sorted(furniture.byline_labels, key=len, reverse=True)))
        # "By Jane Doe", "Müəllif: X", "Автор: X": the label in any case, the name capitalised (a single
        # word is read too, to tell "By Turan" from a name)
        one_to_four = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
        self.labelled = (
            re.compile(rf"(?<![^\W\d_])(?i:{labels})\b\s*:?\s*({one_to_four})") if labels else _NEVER
        )
        self.name_place = re.compile(rf"^({NAME}),\s*{_NAME_WORD}$")
        credits = "|".join(map(re.escape, furniture.credit_labels))
        self.credit = re.compile(rf"^(?:{credits})\s*:", re.I) if credits else _NEVER
        self.labels = {label.lower() for label in furniture.category_labels}
        self.not_published = tuple(furniture.not_published_labels)

    def stop_word(self, text: str) -> str | None:
        return furniture_word(text, self.stop_headings)

    def is_stop(self, text: str) -> bool:
        return self.stop_word(text) is not None or self.is_paywall_marker(text)

    def is_paywall_marker(self, text: str) -> bool:
        """The paywall's line: one of the site's marker lines, whole, or followed by a login button's label
        of a word or two ("... to read more Login")."""
        if len(text) > 200:
            return False
        line = " ".join(text.lower().split())
        for marker in self.furniture.paywall_markers:
            if line.startswith(marker):
                rest = line[len(marker) :]
                if not rest[:1].isalnum() and len(rest.strip(" .…!:").split()) <= 2:
                    return True
        return False

    def is_credit(self, text: str) -> bool:
        return len(text) <= 120 and bool(self.credit.match(text))

    def _person(self, name: str | None) -> str | None:
        if not name:
            return None
        name = normalize(name).rstrip(".,")
        low = name.lower()
        if (
            low in self.furniture.not_authors
            or low in self.labels
            or self.is_stop(name)
            or looks_like_date_line(name)
            or not NAME_LINE.match(name)
            or name.isupper()  # "AZ RU": language links, initials, acronyms
        ):
            return None
        return name

    def author_name(self, text: str) -> str | None:
        """The person in a byline or an author line: "Kamran Mahmudov / Journalist", "By Jane Doe,
        Washington", "Müəllif: X", "X, Baku", "Alex Raufoglu". None for anything else (a sentence, a
        date, a category label, the agency)."""
        text = normalize(text)
        if not text or len(text) > 80 or any(ch.isdigit() for ch in text):
            return None
        if match := self.labelled.match(text):
            return self._person(match.group(1))
        if match := self.byline.match(text):
            return self._person(NAME_LINE.match(match.group(1).strip()) and match.group(1).strip())
        if match := self.name_place.match(text):
            return self._person(match.group(1))
        return self._person(text) if NAME_LINE.match(text) else None

    def byline_in(self, text: str) -> tuple[bool, str | None]:
        """Whether a header line is a byline, and the person it names (None for the agency): a labelled
        byline opening it or after a date ("26 August 2024By Jane Doe", not "Photos by Reuters"), or one of
        its pieces (split at · • |) that is a byline by itself."""
        for match in self.labelled.finditer(text):
            before = text[: match.start()].rstrip()
            if not before or not before[-1].isalpha():
                return True, self._person(match.group(1))
        for piece in _PIECES.split(text):
            if match := self.byline.match(piece):
                return True, self._person(match.group(1).strip())
            if not piece or any(ch.isdigit() for ch in piece):
                continue
            if self.name_place.match(piece) or NAME_LINE.match(piece):
                name = self.author_name(piece)
                low = piece.lower()
                if name or low in self.furniture.not_authors:
                    return True, name
        return False, None

    def published_part(self, text: str) -> str:
        """A header line up to a word saying that what follows is not the publication date ("Updated: ...",
        "Printed from turan.az on ...")."""
        low = text.lower()
        cut = min((i for label in self.not_published if (i := low.find(label)) >= 0), default=len(text))
        return text[:cut]


@cache
def wording(furniture: Furniture) -> Wording:
    return Wording(furniture)


@dataclass
class Block:
    """A paragraph as a reader sees it, with where it comes from."""

    text: str
    pos: int  # position of the element that holds it
    group: int  # index of the container's top-level child it comes from
    linked: int = 0  # characters of it inside links


@dataclass
class Found:
    """What the site rules read off the page; every field may be missing."""

    byline: str | None = None
    author_line: str | None = None
    printed_date: str | None = None
    editor_code: str | None = None
    paywalled: bool = False


# -- choosing the container --------------------------------------------------------------------------
def find_container(page: PageIndex, structure: PageStructure) -> etree._Element | None:
    """The element whose paragraphs hold the most prose (half of it counted for their grandparent, for
    text whose paragraphs each sit in a wrapper). Paragraphs in page chrome, in lists of links, in what is
    never text, and those that are mostly links do not count."""
    scores: dict[int, int] = defaultdict(int)
    chrome, lists, not_text = structure.chrome, structure.lists, structure.not_text
    order, position = page.order, page.position
    for pos in page.units:
        if chrome.covers(pos) or lists.covers(pos) or not_text.covers(pos):
            continue
        length = page.text_length(pos)
        if length < MIN_PARAGRAPH:
            continue
        el = order[pos]
        if page.any_between(structure.link_pos, pos, page.end[pos]):
            length = len(text_of(el))
            if length < MIN_PARAGRAPH or _linked(el) > length * LINKED_MAX:
                continue
        parent = el.getparent()
        if parent is None or parent not in position:
            continue
        scores[position[parent]] += 2 * length
        grand = parent.getparent()
        if grand is not None and grand in position:
            scores[position[grand]] += length
    best = max(scores, key=scores.get, default=None)
    return order[best] if best is not None and scores[best] >= 2 * MIN_BODY else None


def _linked(el: etree._Element) -> int:
    return sum(len(normalize("".join(a.itertext()))) for a in el.iter("a"))


# -- reading the container ---------------------------------------------------------------------------
class Reader:
    """Flattens an element into paragraphs as a reader sees them (see the module's rules)."""

    def __init__(self, page: PageIndex, structure: PageStructure, words: Wording, skip=None):
        self.page = page
        self.structure = structure
        self.words = words
        self.skip = skip  # Spans never read (the body, when reading around it)
        self.out: list[Block] = []
        self._buf: list[str] = []
        self._owner = 0
        self._group = -1
        self._linked = 0
        self._top: object = None  # the one inline element all the text so far sits in (False: none)
        self._image = False  # an image precedes the text being read
        self._image_owner = -1
        self._link_depth = 0

    def read(
        self, el: etree._Element, top_level: bool = True, lo: int = 0, hi: int | None = None
    ) -> list[Block]:
        self._lo, self._hi = lo, hi if hi is not None else len(self.page.order)
        self._block(el, top_level)
        self._flush()
        return self.out

    # blocks
    def _block(self, el: etree._Element, top_level: bool = False) -> None:
        self._flush()
        outer = self._owner
        self._owner = self.page.position.get(el, self._owner)
        self._add(el.text, None)
        for n, child in enumerate(el):
            if top_level:
                self._flush()
                self._group = n
            self._node(child)
            self._add(child.tail, None)
        self._flush()
        self._owner = outer

    def _node(self, el: etree._Element, nested: bool = False) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in PRUNED:
            return
        pos = self.page.position.get(el)
        if pos is None:
            return
        if pos > self._hi or self.page.end[pos] < self._lo:
            return
        if tag in IMAGES:
            self._image, self._image_owner = True, self._owner
            return
        if tag == "br":
            self._flush()
            return
        structure = self.structure
        if structure.not_text.covers(pos) or (self.skip is not None and self.skip.covers(pos)):
            if tag in BLOCK_TAGS:
                self._flush()
            return
        if tag in BLOCK_TAGS or pos in self.page.holds_blocks:
            if self._is_box(pos) or self._is_share_bar(pos):
                self._flush()
                return
            self._block(el)
            return
        # inline: its text joins the paragraph as is
        if not nested:
            self._top = el if tag in _EMPHASIS and self._top is None and not self._buf_text() else False
        link = tag == "a"
        self._link_depth += link
        self._add(el.text, el)
        for child in el:
            self._node(child, True)
            self._add(child.tail, el)
        self._link_depth -= link

    def _is_box(self, pos: int) -> bool:
        """A block with a form in it and little text: a newsletter sign-up, a comment box, a search."""
        page = self.page
        return page.any_between(page.forms, pos, page.end[pos]) and page.text_length(pos) <= BOX_MAX

    def _is_share_bar(self, pos: int) -> bool:
        """A block of links to social networks with little else: a share or follow bar."""
        page = self.page
        if page.text_length(pos) > SHARE_MAX:
            return False
        links = self.structure.links_in(pos)
        shares = page.count_between(page.shares, pos, page.end[pos])  # AMP share buttons have no links
        return len(links) + shares >= 2 and all(is_social(link.url) for link in links)

    # text
    def _buf_text(self) -> bool:
        return any(piece.strip() for piece in self._buf)

    def _add(self, text: str | None, inline: etree._Element | None) -> None:
        if not text:
            return
        if inline is None and text.strip():
            self._top = False
        self._buf.append(text)
        if self._link_depth:
            self._linked += len(text.strip())

    def _caption(self, text: str, emphasized: bool) -> bool:
        """Whether the line right under an image is its caption: in the image's own block, emphasized or not
        a sentence; in the next block, emphasized and not a person's name (that is a byline under a lead
        image)."""
        if self._image_owner == self._owner:
            return emphasized or not SENTENCE_END.search(text)
        return emphasized and self.words.author_name(text) is None

    def _flush(self) -> None:
        text = normalize("".join(self._buf))
        top, linked = self._top, self._linked
        self._buf, self._top, self._linked = [], None, 0
        if not text:
            return
        if self.words.is_credit(text):
            return
        emphasized = isinstance(top, etree._Element)
        after_image, self._image = self._image, False  # only the one line right under an image
        if after_image and len(text) <= CAPTION_MAX and self._caption(text, emphasized):
            return  # a caption: the line under an image
        self.out.append(Block(text, self._owner, self._group, linked))


def container_blocks(
    container: etree._Element, page: PageIndex, structure: PageStructure, words: Wording
) -> list[Block]:
    """The container's paragraphs, each tagged with the index of the top-level child it came from."""
    return Reader(page, structure, words).read(container)


def body_paragraphs(blocks: list[Block], found: Found, words: Wording) -> list[Block]:
    """Article paragraphs from the container's blocks, stopping at the furniture (review, latest...);
    furniture before the text is skipped whole, lines that are mostly a link are dropped."""
    paragraphs: list[Block] = []
    skip_group: int | None = None
    for block in blocks:
        if block.group == skip_group:
            continue
        if words.is_stop(block.text):
            if words.is_paywall_marker(block.text):
                found.paywalled = True
            if paragraphs:
                break
            skip_group = block.group
            continue
        if block.linked > len(block.text) * LINKED_MAX:
            continue
        paragraphs.append(block)
    return paragraphs


def peel(paragraphs: list[Block], title: str | None, found: Found, words: Wording) -> list[Block]:
    """Remove what opens and closes the text but is not part of it: title, byline, date, editor code,
    author line. What is removed is recorded on ``found``."""
    title_key = normalize(title).casefold()
    while paragraphs:
        first = paragraphs[0].text
        if title_key and first.casefold() == title_key:
            paragraphs.pop(0)
        elif (name := words.author_name(first)) and (
            words.byline.match(first) or words.labelled.match(first)
        ):
            found.byline = found.byline or name
            paragraphs.pop(0)
        elif looks_like_date_line(first):
            found.printed_date = found.printed_date or parse_date_text(first)
            paragraphs.pop(0)
        else:
            break
    for _ in range(3):
        if not paragraphs:
            break
        last = paragraphs[-1]
        code = EDITOR_CODE.match(last.text)
        trailing = TRAILING_EDITOR_CODE.match(last.text)
        if code and found.editor_code is None:
            found.editor_code = code.group(1)
            paragraphs.pop()
        elif trailing and found.editor_code is None:
            found.editor_code = trailing.group(2)
            paragraphs[-1] = Block(trailing.group(1), last.pos, last.group, last.linked)
        elif (
            found.author_line is None
            and len(paragraphs) > 1
            and (name := words.author_name(last.text))
            and not words.byline.match(last.text)
        ):
            found.author_line = name
            paragraphs.pop()
        else:
            break
    return paragraphs
