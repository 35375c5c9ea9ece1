"""What the spider reports to the pipelines. Articles carry the ``articles`` columns (see DESIGN.md);
the other items tell the archive what happened to a fetch."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticleItem:
    """An article read from a captured page: the extractor's fields plus the capture it came from."""

    fields: dict
    capture_id: int | None
    fetched_at: str


@dataclass
class PageLinks:
    """Links found on a page, by kind (latest_news, related, translations, listing)."""

    src_url: str
    links: dict[str, list[str]] = field(default_factory=dict)
    seen_at: str | None = None  # when the page was fetched


@dataclass
class CaptureOutcome:
    """A verdict on a capture that only the parsed page could give (a challenge, a broken page...)."""

    capture_id: int
    outcome: str  # ok | blocked | error
    error: str | None = None


@dataclass
class FetchFailure:
    """A fetch that produced no response: network error, robots.txt refusal, redirect loop, timeout."""

    url: str
    outcome: str  # error | robots
    error: str
    capture_id: int | None = None  # given by the archive when it takes the item


@dataclass
class ArticleRemoved:
    """An archived article now answers 404 or 410."""

    url: str
    status: int
    when: str | None = None  # when the 404/410 was fetched
