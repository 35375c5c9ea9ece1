"""Timestamps as the archive writes them."""

from __future__ import annotations

from datetime import UTC, datetime

WARC_DATE = "%Y-%m-%dT%H:%M:%S.%fZ"  # WARC 1.1 dates, microseconds and all


def utc_now() -> str:
    """Now, to the second, for ``runs`` (ISO 8601 with offset)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def warc_date() -> str:
    """Now, as WARC 1.1 dates are written (and as ``captures.fetched_at`` stores them)."""
    return datetime.now(UTC).strftime(WARC_DATE)
