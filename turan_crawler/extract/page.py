"""One walk over a parsed page that every extraction step shares: document order, headings, anchors."""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from ..sites import Furniture

SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "svg",
    "template",
    "iframe",
    "form",
    "button",
    "select",
    "figure",
    "figcaption",
    "img",
    "video",
    "audio",
    "picture",
    "head",
    "textarea",
}
PAGE_CHROME = {"header", "nav", "footer", "aside"}
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)


def normalize(text: str | None) -> str:
    """Collapse every run of white space (NBSP included) to one space."""
    return " ".join(text.split()) if text else ""


def heading_key(text: str | None) -> str:
    """A short text as a furniture heading would be looked up: lower case, no trailing colon or dot."""
    if not text or len(text) > 80:
        return ""
    return normalize(text).lower().rstrip(":.").strip()


def text_of(el: etree._Element) -> str:
    return normalize("".join(el.itertext()))


def parse_html(text: str) -> etree._Element | None:
    """Parse a decoded page; None when nothing parseable is there."""
    return etree.fromstring(text, _PARSER) if text.strip() else None


class PageIndex:
    """Elements in document order with their positions, the site's furniture headings, <h1>s, anchors and
    its old layout's classes, gathered in a single pass."""

    def __init__(self, root: etree._Element, furniture: Furniture):
        body = root.find("body")
        self.root = root
        self.body = body if body is not None else root
        self.order: list[etree._Element] = []
        self.position: dict[etree._Element, int] = {}
        self.headings: dict[str, list[etree._Element]] = defaultdict(list)  # stop-heading key -> elements
        self.h1: list[etree._Element] = []
        self.anchors: list[etree._Element] = []
        self.by_class: dict[str, etree._Element] = {}
        self.skip_roots: list[etree._Element] = []
        self.old_classes = furniture.old_classes
        stop_headings = furniture.all_stop_headings
        wanted_classes = set(self.old_classes.values())
        for n, el in enumerate(self.body.iter()):
            tag = el.tag if isinstance(el.tag, str) else ""
            self.order.append(el)
            self.position[el] = n
            if tag in SKIP_TAGS or tag in PAGE_CHROME:
                self.skip_roots.append(el)
            elif tag == "a":
                self.anchors.append(el)
            elif tag == "h1":
                self.h1.append(el)
            if el.text and len(el.text) <= 80 and (key := heading_key(el.text)) in stop_headings:
                self.headings[key].append(el)
            classes = el.get("class")
            if classes:
                for name in classes.split():
                    if name in wanted_classes and name not in self.by_class:
                        self.by_class[name] = el

    def last_descendant(self, el: etree._Element) -> etree._Element:
        last = el
        for last in el.iter():  # noqa: B007 (the loop finds the last one)
            pass
        return last

    def span(self, el: etree._Element) -> tuple[int, int]:
        """First and last position of ``el``'s subtree."""
        return self.position[el], self.position[self.last_descendant(el)]

    def old_layout(self, role: str) -> etree._Element | None:
        """The first element with the old layout's class for ``role`` (see ``Furniture.old_classes``)."""
        name = self.old_classes.get(role)
        return self.by_class.get(name) if name else None
