"""Keep the generic main-text extractor linear in the page size.

trafilatura weighs every element's link density, which on a page of 100,000 links took more than the
30 s a page may take (measured with tests/hostile.py). A block that holds more than ``MAX_LINKS_IN_BLOCK``
links and little text outside them is a list of links, never an article's text: it is removed in one
bottom-up pass before trafilatura sees the page.
"""

from __future__ import annotations

import re
from itertools import islice

from lxml import etree
from lxml import html as lxml_html

MAX_LINKS_IN_BLOCK = 200
LINK_LIST_TEXT_SHARE = 0.5  # at least this share of a block's text inside links makes it a link list
LARGE_PAGE = 2_000  # anchors below which a page is left as it is (the common case: no work at all)
_ANCHOR = re.compile(r"<a[\s>]", re.I)  # an anchor's start tag, however it is spaced or cased


def prune_link_lists(html: str) -> str | lxml_html.HtmlElement:
    """``html`` without its long link lists: unchanged when it has fewer than LARGE_PAGE anchors, else
    the pruned tree (lxml.html's, which trafilatura takes as it is: the page is parsed once more, not
    twice)."""
    if sum(1 for _ in islice(_ANCHOR.finditer(html), LARGE_PAGE)) < LARGE_PAGE:
        return html
    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return html
    counts: dict[etree._Element, tuple[int, int, int]] = {}  # element -> (links, text in links, all text)
    for el in reversed(list(root.iter())):  # children before their parents
        own = len((el.text or "").strip()) + sum(len((c.tail or "").strip()) for c in el)
        links = linked = 0
        text = own
        for child in el:
            child_links, child_linked, child_text = counts.pop(child, (0, 0, 0))
            links, linked, text = links + child_links, linked + child_linked, text + child_text
        if el.tag == "a":
            links, linked = links + 1, linked + own
        if links > MAX_LINKS_IN_BLOCK and linked >= LINK_LIST_TEXT_SHARE * max(text, 1) and _drop(el):
            continue
        counts[el] = (links, linked, text)
    return root


def _drop(el: etree._Element) -> bool:
    """Remove ``el`` but keep the text that follows it (its tail); False for the root."""
    parent = el.getparent()
    if parent is None:
        return False
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
    return True
