"""The archive's Atom feed (RFC 4287), built with the standard library.

datasette-atom 0.9 serves ``application/xml``, gives the feed no ``atom:author`` (required unless every
entry has one) and fails on an empty result; this feed has a feed-level author (the agency), an author on
every entry (the byline, else the agency), ``atom:updated`` everywhere (RFC 3339), stable ``tag:`` ids,
and entries whose ``alternate`` link is the archive's article page (the live URL is ``related``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from . import display

NS = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
AGENCY = "Turan Information Agency"
ENTRIES = 50
SQL = f"""
select a.id, a.url, a.title, a.author, a.lang, a.text_lang, a.category, a.published_at, a.first_seen,
  a.body, coalesce(v.fetched_at, a.last_seen, a.first_seen) as changed_at
from articles a left join article_versions v on v.article = a.id and v.version = a.version
order by a.published_at desc limit {ENTRIES}
"""


def rfc3339(value: str | None) -> str | None:
    """A stored date as an RFC 3339 date-time (a date alone is read as its midnight in Baku)."""
    parsed = display.parse_date(value)
    if parsed is None:
        return None
    if not isinstance(parsed, datetime):
        return f"{parsed.isoformat()}T00:00:00+04:00"
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat(timespec="seconds")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}", {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _author(parent: ET.Element, name: str) -> None:
    _sub(_sub(parent, "author"), "name", name)


def _clean(text: str | None) -> str:
    """XML 1.0 cannot carry most control characters: scraped text may hold them."""
    return "".join(c for c in (text or "") if c in "\t\n\r" or c >= " ")


def feed(rows: list[dict], base: str, self_url: str, title: str) -> bytes:
    """The feed of ``rows`` (SQL's columns), links absolute under ``base`` (scheme://host)."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}feed")
    _sub(root, "id", self_url)
    _sub(root, "title", title)
    _sub(root, "subtitle", "Articles of the Turan news agency as archived by turan-crawler")
    _sub(root, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(root, "link", rel="alternate", href=base + "/", type="text/html")
    _author(root, AGENCY)
    _sub(root, "generator", "turan-crawler")
    entries = []
    for row in rows:
        updated = rfc3339(row["changed_at"]) or rfc3339(row["first_seen"]) or "1970-01-01T00:00:00+00:00"
        entry = ET.Element(f"{{{NS}}}entry")
        if row["text_lang"]:
            entry.set("{http://www.w3.org/XML/1998/namespace}lang", row["text_lang"])
        _sub(entry, "id", f"tag:turan-crawler,2026:article-{row['id']}")
        _sub(entry, "title", _clean(row["title"]) or row["url"])
        _sub(entry, "updated", updated)
        published = rfc3339(row["published_at"])
        if published:
            _sub(entry, "published", published)
        _author(entry, _clean(row["author"]) or AGENCY)
        _sub(entry, "link", rel="alternate", type="text/html", href=f"{base}/-/turan/article/{row['id']}")
        if display.http_url(row["url"]):
            _sub(entry, "link", rel="related", type="text/html", href=row["url"], hreflang=row["lang"])
        if row["category"]:
            _sub(entry, "category", term=_clean(row["category"]))
        summary = _clean(display.excerpt(row["body"], 400))
        if summary:
            _sub(entry, "summary", summary, type="text")
        entries.append((updated, entry))
    newest = max((u for u, _ in entries), default=None)
    _sub(root, "updated", newest or datetime.now(UTC).isoformat(timespec="seconds"))
    for _, entry in entries:
        root.append(entry)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
