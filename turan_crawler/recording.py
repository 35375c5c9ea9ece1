"""The one recording path: for an exchange and what was read from it, the ``captures`` row, its outcome
and error text, and the facts the index learns (an article, its links, a removal...).

The crawl's archive writer, ``capture`` (the same spider machinery) and ``reindex`` all call these
functions, so an archive rebuilt from its WARC files has the rows the crawl wrote. The index store
(``index/store.py``) takes plain rows; ``apply_fact`` is where facts become store calls.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from .clock import WARC_DATE, warc_date
from .extract import Extraction
from .index.store import ArchiveStore
from .items import ArticleItem
from .sites import Site

log = logging.getLogger(__name__)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2})?$")


# -- facts: what a read page (or a failed fetch) tells the index ----------------------------------------
@dataclass
class PageLinks:
    """Links found on a page, by kind (latest_news, related, translation, listing)."""

    src_url: str
    links: dict[str, list[str]] = field(default_factory=dict)
    seen_at: str | None = None


@dataclass
class OutcomeChange:
    """A verdict on a capture that only the read page could give (a challenge, an error page...)."""

    capture_id: int
    outcome: str  # blocked | error
    error: str | None = None


@dataclass
class FetchFailure:
    """A fetch that produced no response: network error, robots.txt refusal, redirect loop, timeout."""

    url: str
    outcome: str  # error | robots | refused
    error: str
    capture_id: int | None = None  # given by the archive when it takes the fact
    fetched_at: str | None = None


@dataclass
class ArticleRemoved:
    """An archived article now answers 404 or 410."""

    url: str
    when: str | None = None


@dataclass
class SeenAgain:
    """An unchanged page (a revisit record): its article, if archived, was seen again as it was."""

    url: str
    capture_id: int
    when: str


@dataclass
class SitemapRead:
    """A sitemap (``sitemap``) or sitemap index (``sitemap_index``) and its (loc, lastmod) entries."""

    url: str
    kind: str
    entries: list[tuple[str, str | None]]
    read_at: str


Fact = ArticleItem | PageLinks | OutcomeChange | FetchFailure | ArticleRemoved | SeenAgain | SitemapRead


# -- the captures row ------------------------------------------------------------------------------------
def challenge_error(status: int) -> str:
    return "challenge page" if status == 200 else f"challenge page (HTTP {status})"


def response_outcome(
    status: int, headers: list[tuple[str, str]], truncated: bool, revisit: bool
) -> tuple[str, str | None]:
    """A capture's outcome and error from what the response itself says (the read page may add more)."""
    if truncated:
        return "error", "truncated: the connection closed before the whole body arrived"
    if any(k.lower() == "cf-mitigated" and v.lower() == "challenge" for k, v in headers):
        return "blocked", challenge_error(status)
    if status >= 400:
        return "error", f"HTTP {status}"
    return ("revisit" if revisit else "ok"), None


DEFAULT_FRESHNESS = 24 * 3600  # seconds: a response that gives no lifetime is fresh for a day (RFC 9111)
MAX_FRESHNESS = 30 * 24 * 3600
_MAX_AGE = re.compile(r"(?:s-maxage|max-age)\s*=\s*\"?(\d+)")


def expires_at(headers: list[tuple[str, str]], fetched_at: str) -> str:
    """Until when a response is fresh (its Cache-Control max-age, else Expires - Date, else a day; at most
    30 days), in the WARC date form of ``fetched_at``."""
    values = {k.lower(): v for k, v in headers}
    control = values.get("cache-control", "").lower()
    if "no-store" in control or "no-cache" in control:
        seconds = 0
    elif match := _MAX_AGE.search(control):
        seconds = int(match.group(1))
    else:
        seconds = _expires_minus_date(values) or DEFAULT_FRESHNESS
    fetched = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    return (fetched + timedelta(seconds=max(0, min(seconds, MAX_FRESHNESS)))).strftime(WARC_DATE)


def _expires_minus_date(values: dict[str, str]) -> int | None:
    try:
        expires = parsedate_to_datetime(values["expires"])
        date = parsedate_to_datetime(values["date"]) if "date" in values else None
    except (KeyError, TypeError, ValueError):
        return None
    if date is None or expires.tzinfo is None or date.tzinfo is None:
        return None
    return int((expires - date).total_seconds())


@dataclass(frozen=True)
class Placement:
    """Where an exchange's records lie: the response (or revisit) record and its request record."""

    warc_file: str
    offset: int
    length: int
    record_id: str
    request_offset: int | None = None
    request_length: int | None = None


def capture_row(
    capture_id: int,
    *,
    url: str,
    fetched_at: str,
    status: int | None,
    headers: list[tuple[str, str]],
    digest: str | None,
    ip_address: str | None,
    truncated: bool,
    placement: Placement,
    revisit: bool,
    refers_to: int | None,
    run_id: int | None,
) -> dict:
    """The ``captures`` row of an archived exchange (a revisit ``refers_to`` its original's capture)."""
    outcome, error = response_outcome(status or 0, headers, truncated, revisit)
    return {
        "id": capture_id,
        "url": url,
        "fetched_at": fetched_at,
        "status": status,
        "outcome": outcome,
        "content_type": next((v for k, v in headers if k.lower() == "content-type"), None),
        "payload_digest": digest,
        "warc_file": placement.warc_file,
        "warc_offset": placement.offset,
        "warc_length": placement.length,
        "warc_record_id": placement.record_id,
        "request_offset": placement.request_offset,
        "request_length": placement.request_length,
        "refers_to_capture_id": refers_to,
        "ip_address": ip_address,
        "truncated": int(truncated),
        "run_id": run_id,
        "error": error,
        "expires_at": expires_at(headers, fetched_at),
    }


def is_read(status: int, truncated: bool) -> bool:
    """Whether a response is read at all: complete, and a page (2xx) or an error page (4xx, 5xx)."""
    return not truncated and (200 <= status < 300 or status >= 400)


# -- what a read page tells the index --------------------------------------------------------------------
def article_problem(item: ArticleItem) -> str | None:
    """Why an article would store something wrong (no title, no text, a malformed date), or None."""
    if not item.title or not item.body:
        return "no title or no text"
    if item.published_at and not _ISO.match(item.published_at):
        return f"malformed published_at {item.published_at!r}"
    if item.paywalled not in (0, 1):
        return "paywalled must be 0 or 1"
    return None


def page_facts(
    site: Site,
    url: str,
    status: int,
    extraction: Extraction | None,
    capture_id: int | None,
    fetched_at: str | None,
) -> list[Fact]:
    """The facts of one read response (``extraction`` None: not read): a verdict on its capture, a
    removal, a listing's links, or an article and its links."""
    if extraction is None:
        return []
    reason = extraction.reason
    if status >= 400:
        facts: list[Fact] = []
        if status in (404, 410) and site.article_url(url):
            facts.append(ArticleRemoved(url, fetched_at))
        if reason == "challenge":
            facts.append(OutcomeChange(capture_id, "blocked", challenge_error(status)))
        return facts
    if reason == "challenge":
        return [OutcomeChange(capture_id, "blocked", challenge_error(status))]
    if reason == "error":
        return [OutcomeChange(capture_id, "error", "error page")]
    if reason in ("parse_failed", "too_large"):
        return [OutcomeChange(capture_id, "error", extraction.error)]
    if reason == "listing":
        return [PageLinks(url, {"listing": extraction.links.get("article", [])}, fetched_at)]
    if reason in ("sitemap", "sitemap_index"):
        return [SitemapRead(url, reason, extraction.entries, fetched_at or warc_date())]
    if extraction.article is None:
        return []
    item = ArticleItem.from_extraction(url, extraction.article, capture_id, fetched_at)
    if problem := article_problem(item):
        log.warning("article not indexed: %s at %s", problem, url)
        return []
    article = extraction.article
    links = {
        "latest_news": article.get("latest_news") or [],
        "related": article.get("related") or [],
        "translation": article.get("translations") or [],
        "requisite": extraction.links.get("stylesheet", []) + extraction.links.get("image", []),
    }
    return [item, PageLinks(url, links, fetched_at)]


def apply_fact(store: ArchiveStore, fact: Fact, run_id: int | None) -> str | None:
    """Write one fact to the index; for an article, 'new', 'updated' or 'unchanged'."""
    if isinstance(fact, ArticleItem):
        return store.save_article(fact.url, fact.columns(), fact.capture_id, fact.fetched_at or warc_date())
    if isinstance(fact, PageLinks):
        rows = [(fact.src_url, dst, kind) for kind, urls in fact.links.items() for dst in urls]
        store.add_links(rows, fact.seen_at or warc_date())
    elif isinstance(fact, OutcomeChange):
        store.set_outcome(fact.capture_id, fact.outcome, fact.error)
    elif isinstance(fact, FetchFailure):
        store.add_captures(
            [
                {
                    "id": fact.capture_id,
                    "url": fact.url,
                    "fetched_at": fact.fetched_at or warc_date(),
                    "outcome": fact.outcome,
                    "error": fact.error,
                    "run_id": run_id,
                }
            ]
        )
    elif isinstance(fact, ArticleRemoved):
        store.mark_removed(fact.url, fact.when or warc_date())
    elif isinstance(fact, SeenAgain):
        store.saw_again(fact.url, fact.capture_id, fact.when)
    elif isinstance(fact, SitemapRead):
        if fact.kind == "sitemap_index":
            store.record_sitemap_index(fact.entries)
        store.record_sitemap(fact.url, fact.entries if fact.kind == "sitemap" else [], fact.read_at)
    return None
