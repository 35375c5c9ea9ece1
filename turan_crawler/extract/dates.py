"""Dates as Turan prints them, in English, Azerbaijani and Russian, to ISO 8601 with an offset.

A small explicit month table rather than a general date parser: the formats are few and known, and which
printed date is the publication date is decided by *where* it stands (the article's header or byline area,
its dateline), not by its form (see ``article.py``). Here: what a date line says.

Shapes read: "26 August 2024, 17:13", "Çərşənbə axşamı, 10 İyun 2025", "19 марта 2026 15:32" (day first);
"May 15, 2023 16:21", "June 12, 2023 at 09:40" (month first: unambiguous with a month name); "09.Jan.2026";
"28.06.2018 15:40", "21/02/2024 - 14:05" (numeric, day first unless only month-first can be right);
"2017 October 28 ( Saturday )  15:07:34" (old layout); ISO 8601; datelines "Baku/28.06.18/Turan:", also
"Baku / 28.06.18 / Turan:". A date printed without a time stays a date (``YYYY-MM-DD``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

BAKU = timezone(timedelta(hours=4))

# Full and abbreviated month names; any prefix of three letters or more of one of them is read as that
# month ("Sept", "Avq", "янв"), unless the prefix is shared by two months (az "İyu...": June or July).
_MONTH_FORMS = {
    1: ("january", "yanvar", "январь", "января"),
    2: ("february", "fevral", "февраль", "февраля"),
    3: ("march", "mart", "март", "марта"),
    4: ("april", "aprel", "апрель", "апреля"),
    5: ("may", "май", "мая"),
    6: ("june", "iyun", "июнь", "июня"),
    7: ("july", "iyul", "июль", "июля"),
    8: ("august", "avqust", "август", "августа"),
    9: ("september", "sentyabr", "сентябрь", "сентября"),
    10: ("october", "oktyabr", "октябрь", "октября"),
    11: ("november", "noyabr", "ноябрь", "ноября"),
    12: ("december", "dekabr", "декабрь", "декабря"),
}


def _month_table() -> dict[str, int]:
    table: dict[str, int | None] = {}
    for month, forms in _MONTH_FORMS.items():
        for form in forms:
            table[form] = month
            for size in range(3, len(form)):
                prefix = form[:size]
                if prefix not in forms:
                    table[prefix] = month if table.get(prefix, month) == month else None
    return {word: month for word, month in table.items() if month is not None}


MONTHS = _month_table()
# Weekday names (a date line may open with one); az names of two words included.
WEEKDAYS = frozenset(
    {
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"),
        *("bazar ertəsi", "çərşənbə axşamı", "çərşənbə", "cümə axşamı", "cümə", "şənbə", "bazar"),
        *("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
        *("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
    }
)
_W = r"[^\W\d_]+"  # a word of letters, in any script (ə, ş, İ, Cyrillic...)
_TIME = r"(?:\s*(?:,|\bat\b|\bв\b|\bsaat\b|-|–|\|)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?(?!\d))?"
# "26 August 2024, 17:13", "27 Avqust 2016 11:21", "19 марта 2026 г. 15:32", "14 Jan 2026"
DAY_MONTH_YEAR = re.compile(rf"(?<!\d)(\d{{1,2}})\.?\s+({_W})\.?,?\s+(\d{{4}})(?!\d)(?:\s*г\.)?{_TIME}")
# "May 15, 2023 16:21", "June 12, 2023 at 09:40", "March 4, 2025"
MONTH_DAY_YEAR = re.compile(rf"(?<![^\W\d_])({_W})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})(?!\d){_TIME}")
# "09.Jan.2026" (Latest news items)
DOTTED_SHORT = re.compile(rf"(?<!\d)(\d{{1,2}})[.-]({_W})[.-](\d{{4}})(?!\d){_TIME}")
# "28.06.2018 15:40", "21/02/2024 - 14:05", "15.01.2026"
NUMERIC = re.compile(rf"(?<![\d.:/])(\d{{1,2}})([./])(\d{{1,2}})\2(\d{{4}})(?![\d.:/]){_TIME}")
# Old layout: "2017 October 28 ( Saturday )  15:07:34" (az weekdays may have two words)
OLD_LAYOUT = re.compile(
    rf"(?<!\d)(\d{{4}})\s+({_W})\s+(\d{{1,2}})(?!\d)\s*(?:\([^()]{{0,40}}\))?\s*(\d{{1,2}}):(\d{{2}})(?::(\d{{2}}))?"
)
# "2024-12-08 13:33", "2024-12-08T13:33:00+04:00"
ISO_LIKE = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?"
)
# Body datelines: "Baku/28.06.18/Turan:", "Bakı/10.02.23/Turan:", "Baku / 03.03.16 / Turan:"
DATELINE = re.compile(
    rf"^\s*{_W}(?:[ -]{_W}){{0,2}}\s*/\s*(\d{{1,2}})\.(\d{{1,2}})\.(\d{{2}}|\d{{4}})\s*/\s*{_W}(?:\.az)?\s*:",
    re.I,
)
# Relative dates and "last update" lines are never publication dates.
RELATIVE = re.compile(r"(əvvəl|назад|\bago\b)", re.I)
# Dated list items: a numeric date, or a year with a day and a month name beside it. Anchored on the year
# (a single regular expression with the month-word alternatives cost 14 µs a line).
_NUMERIC_DATE = re.compile(r"(?<!\d)\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?!\d)|(?<!\d)\d{4}-\d\d-\d\d(?!\d)")
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")
_BEFORE_YEAR = re.compile(rf"(?:(?<!\d)\d{{1,2}}[.\s-]+({_W})\.?,?[.\s-]+|({_W})\.?\s+\d{{1,2}},?\s+)$")
_AFTER_YEAR = re.compile(rf"^\s+({_W})\s+\d{{1,2}}(?!\d)")


def month_number(word: str) -> int | None:
    """1-12 for a month name or abbreviation in en, az or ru (any case, nominative or genitive)."""
    word = word.lower().replace("i̇", "i").replace("ı", "i").rstrip(".")
    return MONTHS.get(word)


def has_date(text: str) -> bool:
    """Whether ``text`` shows a calendar date (any of the shapes above), without reading it."""
    if _NUMERIC_DATE.search(text):
        return True
    for match in _YEAR.finditer(text):
        before = _BEFORE_YEAR.search(text, max(0, match.start() - 24), match.start())
        if before and month_number(before.group(1) or before.group(2)):
            return True
        after = _AFTER_YEAR.match(text, match.end(), match.end() + 24)
        if after and month_number(after.group(1)):
            return True
    return False


def _iso(
    year: int, month: int, day: int, hour: str | None, minute: str | None, second: str | None = None
) -> str | None:
    try:
        if hour is None:
            return date(year, month, day).isoformat()
        return datetime(
            year, month, day, int(hour), int(minute or 0), int(second or 0), tzinfo=BAKU
        ).isoformat()
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


def _numeric_day_month(first: int, second: int) -> tuple[int, int]:
    """(day, month) of a numeric date: day first, as the site prints it, unless only month first fits."""
    return (second, first) if first <= 12 < second else (first, second)


# Dates with a month name: the pattern and where year, month word and day are among its groups (the time
# of day, when printed, is in the three groups after them).
_NAMED_MONTH = (
    (OLD_LAYOUT, (0, 1, 2)),  # year, month, day
    (DAY_MONTH_YEAR, (2, 1, 0)),
    (MONTH_DAY_YEAR, (2, 0, 1)),
    (DOTTED_SHORT, (2, 1, 0)),
)


def _candidates(text: str):
    """(start, iso) for every date printed in ``text``."""
    for pattern, (year, word, day) in _NAMED_MONTH:
        for match in pattern.finditer(text):
            groups = match.groups()
            if month := month_number(groups[word]):
                yield match.start(), _iso(int(groups[year]), month, int(groups[day]), *groups[3:])
    for match in NUMERIC.finditer(text):
        a, _sep, b, y, h, mi, s = match.groups()
        day, month = _numeric_day_month(int(a), int(b))
        yield match.start(), _iso(int(y), month, day, h, mi, s)
    for match in ISO_LIKE.finditer(text):
        yield match.start(), parse_iso(match.group(0))


def parse_date_text(text: str) -> str | None:
    """The first date printed in ``text``: ISO 8601 with +04:00 when a time is printed, else the date
    alone. None for no date, an impossible one, or a relative one ("2 hours ago")."""
    if not text or RELATIVE.search(text) or not any(ch.isdigit() for ch in text):
        return None
    found = [(start, iso) for start, iso in _candidates(text) if iso]
    return min(found)[1] if found else None


def parse_dateline(paragraph: str) -> str | None:
    """The date of a body dateline "Baku/28.06.18/Turan:" as an ISO date (no time is printed)."""
    match = DATELINE.match(paragraph)
    if not match:
        return None
    d, mo, y = match.groups()
    year = int(y) if len(y) == 4 else 2000 + int(y)
    return _iso(year, int(mo), int(d), None, None)


_STRIP_DATES = (DAY_MONTH_YEAR, MONTH_DAY_YEAR, DOTTED_SHORT, NUMERIC, OLD_LAYOUT)
_LEFTOVER = re.compile(r"(?:[\s,.()/|·•–—-]|\bat\b|\bв\b|\bsaat\b|\bг\b)*")


def looks_like_date_line(text: str) -> bool:
    """True for a line that is only a date (with or without weekday and time): a header or list date.
    An ISO stamp ("2024-12-08 13:33") is not one: live updates open their blocks with it."""
    if len(text) > 80 or not any(ch.isdigit() for ch in text):
        return False
    stripped = text
    for pattern in _STRIP_DATES:
        stripped = pattern.sub(" ", stripped)
    if stripped == text:
        return False
    low = stripped.lower()
    for weekday in sorted(WEEKDAYS, key=len, reverse=True):
        if weekday in low:
            low = low.replace(weekday, " ")
    return bool(_LEFTOVER.fullmatch(low))
