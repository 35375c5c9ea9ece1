"""Extraction over every article the replica serves, as served (charsets, gzip, malformed, huge...),
compared field by field with the replica's truth."""

from __future__ import annotations

import gzip

import pytest

from turan_crawler.extract import extract
from turan_crawler.replica import ReplicaApp, Site
from turan_crawler.replica.site import TRUTH_FIELDS
from turan_crawler.sites import TURAN

FIELDS = TRUTH_FIELDS
HOST = "replica.test"
ARTICLES = 300


@pytest.fixture(scope="module")
def app() -> ReplicaApp:
    return ReplicaApp(Site(articles=ARTICLES, seed=11))


def served(app: ReplicaApp, path: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers as a client that accepts gzip receives them, decompressed as Scrapy would."""
    resp = app.respond("GET", path, HOST, "gzip, deflate")
    headers = dict(resp.headers)
    body = gzip.decompress(resp.body) if headers.get("Content-Encoding") == "gzip" else resp.body
    return body, headers


def test_every_replica_article_matches_the_truth(app):
    mismatches = []
    truth = app.truth()["articles"]
    for expected in truth:
        body, headers = served(app, expected["url"])
        article = extract(f"http://{HOST}{expected['url']}", body, headers, TURAN).article
        assert article is not None, expected["url"]
        mismatches += [
            (expected["url"], f, article[f], expected[f]) for f in FIELDS if article[f] != expected[f]
        ]
    assert mismatches == []
    assert len(truth) == ARTICLES + 1  # the generated articles and the seed article


def test_every_kind_of_article_is_covered(app):
    truth = app.truth()["articles"]
    assert {a["variant"] for a in truth} >= {
        "cp1251",
        "wrong_charset",
        "latin1_header",
        "malformed",
        "gzip",
        "huge",
    }
    assert sum(a["paywalled"] for a in truth) > 10 and sum("* * *" in a["body"] for a in truth) > 3


def test_article_links_name_latest_news_related_and_translations(app):
    expected = next(a for a in app.truth()["articles"] if a["translations"])
    body, headers = served(app, expected["url"])
    article = extract(f"http://{HOST}{expected['url']}", body, headers, TURAN).article
    assert len(article["latest_news"]) == 10
    assert all(url.startswith(f"http://{HOST}/{expected['lang']}/") for url in article["latest_news"])
    assert 1 <= len(article["related"]) <= 4
    assert article["translations"] == [f"http://{HOST}{u}" for u in expected["translations"]]


@pytest.mark.parametrize("path", ["/en", "/az/news-line", "/ru/politika?page=2"])
def test_listing_pages_are_not_articles_and_offer_links(app, path):
    body, headers = served(app, path)
    result = extract(f"http://{HOST}{path}", body, headers, TURAN)
    assert result.article is None and result.reason == "listing"
    assert result.links["article"] and len(result.links["latest_news"]) == 10
