"""Dates as Turan prints them, in English, Azerbaijani and Russian, to ISO 8601 with an offset.

A small explicit month table rather than a general date parser: the formats are few and known, and
"dates that are not the publication date" must be told apart by their form (see ``find_article_date``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

BAKU = timezone(timedelta(hours=4))

# Month names by their first letters (4 letters where 3 are ambiguous: az İyun/İyul).
_MONTH_PREFIXES = {
    # en
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    # az
    "yan": 1,
    "fev": 2,
    "avq": 8,
    "sen": 9,
    "okt": 10,
    "noy": 11,
    "dek": 12,
    "iyun": 6,
    "iyul": 7,
    # ru (nominative and genitive share their first three letters)
    "янв": 1,
    "фев": 2,
    "мар": 3,
    "апр": 4,
    "май": 5,
    "мая": 5,
    "июн": 6,
    "июл": 7,
    "авг": 8,
    "сен": 9,
    "окт": 10,
    "ноя": 11,
    "дек": 12,
}
_WORD = r"[A-Za-zÀ-ɏА-яЁёİı]+"
# "26 August 2024, 17:13", "27 Avqust 2016 11:21", "19 марта 2026 15:32", "14 Jan 2026"
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+({_WORD})\.?,?\s+(\d{{4}})(?:\s*,?\s+(\d{{1,2}}):(\d{{2}}))?")
# "09.Jan.2026" (Latest news items)
DOTTED_SHORT = re.compile(rf"\b(\d{{1,2}})\.({_WORD})\.(\d{{4}})\b")
# Old layout: "2017 October 28 ( Saturday )  15:07:34"
OLD_LAYOUT = re.compile(
    rf"\b(\d{{4}})\s+({_WORD})\s+(\d{{1,2}})\s*\(\s*{_WORD}\s*\)\s*(\d{{1,2}}):(\d{{2}})(?::(\d{{2}}))?"
)
# "2024-12-08 13:33", "2024-12-08T13:33:00+04:00"
ISO_LIKE = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?"
)
# Body datelines: "Baku/28.06.18/Turan:", "Bakı/10.02.23/Turan:", "Баку/28.06.18/Туран:"
DATELINE = re.compile(r"^\s*[^\W\d_]+/(\d{2})\.(\d{2})\.(\d{2})/\s*(?:Turan|Туран)\s*:", re.I)
# Relative dates and "last update" lines are never publication dates.
RELATIVE = re.compile(r"(əvvəl|назад|\bago\b)", re.I)


def month_number(word: str) -> int | None:
    """1-12 for a month name or abbreviation in en, az or ru (any case, nominative or genitive)."""
    word = word.lower().replace("i̇", "i").replace("ı", "i").rstrip(".")
    for size in (4, 3):
        if len(word) >= size and word[:size] in _MONTH_PREFIXES:
            return _MONTH_PREFIXES[word[:size]]
    return None


def _iso(
    year: int, month: int, day: int, hour: int | None, minute: int | None, second: int = 0
) -> str | None:
    try:
        if hour is None:
            return date(year, month, day).isoformat()
        return datetime(year, month, day, hour, minute or 0, second, tzinfo=BAKU).isoformat()
    except ValueError:
        return None


def parse_iso(value: str) -> str | None:
    """Normalise an ISO 8601 value from metadata; a value without offset is taken as Baku time."""
    match = ISO_LIKE.search(value or "")
    if not match:
        return None
    y, mo, d, h, mi, s, tz = match.groups()
    if h is None:
        return _iso(int(y), int(mo), int(d), None, None)
    try:
        when = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    except ValueError:
        return None
    if tz in (None, ""):
        return when.replace(tzinfo=BAKU).isoformat()
    if tz == "Z":
        return when.replace(tzinfo=UTC).isoformat()
    sign = 1 if tz[0] == "+" else -1
    hours, minutes = int(tz[1:3]), int(tz[-2:])
    return when.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes))).isoformat()


def parse_printed_datetime(text: str) -> str | None:
    """A printed date *with a time of day* ("26 August 2024, 17:13", old-layout lines); else None.

    Dates without a time ("Wednesday, 21 February 2024", "14 Jan 2026", "09.Jan.2026") are the page's or a
    list item's date on this site, never an article's, so they are refused here.
    """
    if RELATIVE.search(text):
        return None
    match = OLD_LAYOUT.search(text)
    if match:
        y, word, d, h, mi, s = match.groups()
        month = month_number(word)
        return _iso(int(y), month, int(d), int(h), int(mi), int(s or 0)) if month else None
    for match in DAY_MONTH_YEAR.finditer(text):
        d, word, y, h, mi = match.groups()
        month = month_number(word)
        if month and h is not None:
            return _iso(int(y), month, int(d), int(h), int(mi))
    return None


def parse_dateline(paragraph: str) -> str | None:
    """The date of a body dateline "Baku/28.06.18/Turan:" as an ISO date (no time is printed)."""
    match = DATELINE.match(paragraph)
    if not match:
        return None
    d, mo, yy = (int(g) for g in match.groups())
    return _iso(2000 + yy, mo, d, None, None)


def looks_like_date_line(text: str) -> bool:
    """True for a line that is only a date (with or without weekday/time): a header or list date."""
    stripped = DAY_MONTH_YEAR.sub("", text)
    stripped = OLD_LAYOUT.sub("", DOTTED_SHORT.sub("", stripped))
    return bool(re.fullmatch(rf"[\s,.()/|-]*(?:{_WORD}[\s,]*)?", stripped)) and stripped != text
