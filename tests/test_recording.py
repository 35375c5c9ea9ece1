"""The one recording path: what an exchange and its reading become in the index, the same for the
crawl, capture and reindex."""

from __future__ import annotations

import pytest

from turan_crawler.extract import Extraction
from turan_crawler.index import ArchiveStore, open_index
from turan_crawler.index.schema import TABLES
from turan_crawler.items import ArticleItem
from turan_crawler.recording import (
    ArticleRemoved,
    FetchFailure,
    OutcomeChange,
    PageLinks,
    Placement,
    SeenAgain,
    apply_fact,
    capture_row,
    expires_at,
    is_read,
    page_facts,
    response_outcome,
)
from turan_crawler.sites import GENERIC, TURAN

ARTICLE_URL = "https://turan.az/en/politics/talks-resume-790001"
ARTICLE = {
    "lang": "en",
    "text_lang": "en",
    "category": "Politics",
    "category_slug": "politics",
    "article_id": 790001,
    "title": "Talks resume",
    "author": None,
    "published_at": "2024-08-26T17:13:00+04:00",
    "body": "The talks resumed.",
    "editor_code": None,
    "paywalled": 0,
    "word_count": 3,
    "extracted_by": "site",
    "latest_news": ["https://turan.az/en/politics/other-790002"],
    "related": [],
    "translations": ["https://turan.az/az/siyaset/danisiqlar-790003"],
}


@pytest.mark.parametrize(
    "status,headers,truncated,revisit,expected",
    [
        (200, [], False, False, ("ok", None)),
        (200, [], False, True, ("revisit", None)),
        (200, [], True, False, ("error", "truncated: the connection closed before the whole body arrived")),
        (404, [], False, False, ("error", "HTTP 404")),
        (403, [("cf-mitigated", "challenge")], False, False, ("blocked", "challenge page (HTTP 403)")),
        (301, [], False, False, ("ok", None)),
    ],
)
def test_what_the_response_alone_says_of_a_capture(status, headers, truncated, revisit, expected):
    assert response_outcome(status, headers, truncated, revisit) == expected


def test_the_captures_row_has_every_column_once():
    row = capture_row(
        7,
        url=ARTICLE_URL,
        fetched_at="2026-01-14T10:00:00.000000Z",
        status=200,
        headers=[("Content-Type", "text/html"), ("Set-Cookie", "a=1")],
        digest="sha1:ABC",
        ip_address="127.0.0.1",
        truncated=False,
        placement=Placement("x.warc.gz", 100, 50, "<urn:uuid:1>", 150, 20),
        revisit=False,
        refers_to=None,
        run_id=3,
    )
    assert row["id"] == 7 and row["outcome"] == "ok" and row["error"] is None
    assert row["content_type"] == "text/html" and (row["warc_offset"], row["request_offset"]) == (100, 150)
    assert set(row) == set(TABLES["captures"]["columns"])  # every column of the table, each once
    assert row["expires_at"] == "2026-01-15T10:00:00.000000Z"  # no lifetime given: fresh for a day


@pytest.mark.parametrize(
    "headers,expires",
    [
        ([("Cache-Control", "public, max-age=3600")], "2026-01-14T11:00:00.000000Z"),
        ([("Cache-Control", "no-cache")], "2026-01-14T10:00:00.000000Z"),
        ([("Date", "Wed, 14 Jan 2026 10:00:00 GMT"), ("Expires", "Wed, 14 Jan 2026 10:30:00 GMT")],
         "2026-01-14T10:30:00.000000Z"),
        ([("Cache-Control", "max-age=999999999")], "2026-02-13T10:00:00.000000Z"),  # at most 30 days
    ],
)  # fmt: skip
def test_a_capture_is_fresh_for_the_lifetime_its_response_gives(headers, expires):
    assert expires_at(headers, "2026-01-14T10:00:00.000000Z") == expires


@pytest.mark.parametrize(
    "status,truncated,read", [(200, False, True), (204, False, True), (301, False, False), (404, False, True),
                              (503, False, True), (200, True, False)],
)  # fmt: skip
def test_which_responses_are_read(status, truncated, read):
    assert is_read(status, truncated) is read


def test_an_article_page_gives_the_article_and_its_links():
    facts = page_facts(TURAN, ARTICLE_URL, 200, Extraction(dict(ARTICLE), None), 5, "T")
    item, links = facts
    assert isinstance(item, ArticleItem) and item.title == "Talks resume" and item.capture_id == 5
    assert isinstance(links, PageLinks) and links.links["latest_news"] == ARTICLE["latest_news"]


def test_a_listing_gives_its_article_links_only():
    links = {"article": ["https://turan.az/en/politics/a-790001"]}
    assert page_facts(TURAN, "https://turan.az/en", 200, Extraction(None, "listing", links), 5, "T") == [
        PageLinks("https://turan.az/en", {"listing": links["article"]}, "T")
    ]


@pytest.mark.parametrize(
    "extraction,outcome",
    [
        (Extraction(None, "challenge"), OutcomeChange(5, "blocked", "challenge page")),
        (Extraction(None, "error"), OutcomeChange(5, "error", "error page")),
        (
            Extraction(None, "parse_failed", error="parse failed: boom"),
            OutcomeChange(5, "error", "parse failed: boom"),
        ),
    ],
)
def test_a_page_that_is_a_challenge_an_error_or_unreadable_changes_its_captures_outcome(extraction, outcome):
    assert page_facts(TURAN, ARTICLE_URL, 200, extraction, 5, "T") == [outcome]


def test_an_archived_article_answering_410_is_removed_and_a_403_challenge_is_blocked():
    assert page_facts(TURAN, ARTICLE_URL, 410, Extraction(None, "http_error"), 5, "T") == [
        ArticleRemoved(ARTICLE_URL, "T")
    ]
    assert page_facts(TURAN, "https://turan.az/en", 403, Extraction(None, "challenge"), 5, "T") == [
        OutcomeChange(5, "blocked", "challenge page (HTTP 403)")
    ]


def test_a_404_is_a_removal_only_where_the_site_says_the_url_is_an_article():
    assert page_facts(TURAN, "https://turan.az/en/search", 404, Extraction(None, "http_error"), 5, "T") == []
    assert (
        page_facts(GENERIC, "https://blog.example/en/a-post", 404, Extraction(None, "http_error"), 5, "T")
        == []
    )


def test_a_response_that_was_not_read_says_nothing():
    assert page_facts(TURAN, ARTICLE_URL, 301, None, 5, "T") == []


def test_an_article_without_text_is_not_indexed():
    assert page_facts(TURAN, ARTICLE_URL, 200, Extraction({**ARTICLE, "body": ""}, None), 5, "T") == []


@pytest.fixture
def store(tmp_path) -> ArchiveStore:
    return ArchiveStore(open_index(tmp_path / "index.db"))


def test_facts_become_rows(store):
    store.add_captures([{"id": 5, "url": ARTICLE_URL, "outcome": "ok"}])
    item, links = page_facts(TURAN, ARTICLE_URL, 200, Extraction(dict(ARTICLE), None), 5, "T1")
    assert apply_fact(store, item, 1) == "new"
    assert apply_fact(store, item, 1) == "unchanged"
    edited = ArticleItem(**{**vars(item), "body": "The talks resumed at noon."})
    assert apply_fact(store, edited, 1) == "updated"
    apply_fact(store, links, 1)
    apply_fact(store, OutcomeChange(5, "blocked", "challenge page"), 1)
    apply_fact(store, FetchFailure("https://turan.az/x", "robots", "forbidden by robots.txt", 6, "T2"), 1)
    apply_fact(store, ArticleRemoved(ARTICLE_URL, "T3"), 1)
    db = store.db
    assert db.execute("select version, removed_at from articles").fetchone() == (2, "T3")
    assert db.execute("select count(*) from article_versions").fetchone()[0] == 2
    assert set(db.execute("select kind from links").fetchall()) == {("latest_news",), ("translation",)}
    assert db.execute("select outcome from captures where id = 5").fetchone()[0] == "blocked"
    assert db.execute("select outcome, run_id from captures where id = 6").fetchone() == ("robots", 1)
    apply_fact(store, SeenAgain(ARTICLE_URL, 5, "T4"), 1)
    assert db.execute("select last_seen, removed_at from articles").fetchone() == ("T4", None)
