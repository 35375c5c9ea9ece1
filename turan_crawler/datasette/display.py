"""How archive values read for people: dates in words (the stored value on hover), bodies as paragraphs or
a short excerpt, stored URLs as links only when they are http(s). Everything returned is escaped Markup:
stored text is scraped and may be hostile."""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlsplit

from markupsafe import Markup, escape

EXCERPT_CHARS = 120
DATE_COLUMNS = frozenset(
    {
        "published_at",
        "first_seen",
        "last_seen",
        "fetched_at",
        "removed_at",
        "started_at",
        "finished_at",
        "read_at",
        "changed_at",
    }
)
_PARAGRAPHS = re.compile(r"\n\s*\n")


def parse_date(value: object) -> datetime | date | None:
    """An ISO 8601 date or date-time (offset kept; 'Z' read as UTC), else None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def human_date(value: object, short: bool = False) -> str:
    """'14 January 2026, 10:00 (UTC+04:00)', '14 January 2026', or the value as stored if not a date;
    ``short``: '14 Jan 2026, 10:00' (the offset is in the stored value, shown on hover)."""
    parsed = parse_date(value)
    if parsed is None:
        return "" if value is None else str(value)
    day = f"{parsed.day} {parsed:%b %Y}" if short else f"{parsed.day} {parsed:%B %Y}"
    if not isinstance(parsed, datetime):
        return day
    if short:
        return f"{day}, {parsed:%H:%M}"
    offset = parsed.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
    return f"{day}, {parsed:%H:%M} ({zone})"


def date_html(value: object, short: bool = True) -> Markup:
    """A <time> element: the date in words, the stored value in ``datetime`` and on hover."""
    if parse_date(value) is None:
        return escape("" if value is None else value)
    return Markup("<time datetime='{0}' title='{0}'>{1}</time>").format(value, human_date(value, short))


def paragraphs(body: str | None) -> list[str]:
    """The body's paragraphs (separated by blank lines), without empty ones."""
    return [p.strip() for p in _PARAGRAPHS.split(body or "") if p.strip()]


def excerpt(body: str | None, chars: int = EXCERPT_CHARS) -> str:
    """The start of ``body`` on one line, cut at a word boundary (only its start is read: a body may
    be megabytes)."""
    text = " ".join((body or "")[: 4 * chars].split())
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > chars // 2 else chars] + " …"


def http_url(value: object) -> str:
    """``value`` when it is an http(s) URL, else '': a scraped href (``JAVASCRIPT:...``) never becomes a
    link on the archive's origin. The scheme is read as browsers read it (case, spaces, tabs)."""
    if not isinstance(value, str):
        return ""
    try:
        scheme = urlsplit(value).scheme
    except ValueError:
        return ""
    return value if scheme in ("http", "https") else ""
