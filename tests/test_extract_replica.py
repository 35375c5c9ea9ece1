"""Extraction over every article the replica serves, as served (charsets, gzip, malformed, huge...), in
both layouts and all three article skins, compared field by field with the replica's truth; and what its
listing pages offer the crawler."""

from __future__ import annotations

import gzip
from collections import Counter

import pytest

from turan_crawler.extract import extract
from turan_crawler.replica import ReplicaApp, Site
from turan_crawler.replica.site import TRUTH_FIELDS
from turan_crawler.sites import TURAN

FIELDS = TRUTH_FIELDS
HOST = "replica.test"
ARTICLES = 300


@pytest.fixture(scope="module", params=["classic", "sitemaps"])
def app(request) -> ReplicaApp:
    return ReplicaApp(Site(articles=ARTICLES, seed=11, layout=request.param))


@pytest.fixture(scope="module")
def sitemaps_app() -> ReplicaApp:
    return ReplicaApp(Site(articles=ARTICLES, seed=11, layout="sitemaps"))


def served(app: ReplicaApp, path: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers as a client that accepts gzip receives them, decompressed as Scrapy would."""
    resp = app.respond("GET", path, HOST, "gzip, deflate")
    headers = dict(resp.headers)
    body = gzip.decompress(resp.body) if headers.get("Content-Encoding") == "gzip" else resp.body
    return body, headers


def read(app: ReplicaApp, path: str):
    body, headers = served(app, path)
    return extract(f"http://{HOST}{path}", body, headers, TURAN)


def local(urls: list[str]) -> list[str]:
    return [url.removeprefix(f"http://{HOST}") for url in urls]


def test_every_replica_article_matches_the_truth(app):
    mismatches = []
    truth = app.truth()["articles"]
    for expected in truth:
        article = read(app, expected["url"]).article
        assert article is not None, expected["url"]
        mismatches += [
            (expected["url"], expected["skin"], f, article[f], expected[f])
            for f in FIELDS
            if article[f] != expected[f]
        ]
    assert mismatches == []
    assert len(truth) == ARTICLES + 1  # the generated articles and the seed article
    assert set(Counter(a["skin"] for a in truth)) == {"classic", "magazine", "legacy"}


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


def test_article_links_name_latest_news_related_and_translations_in_every_skin(app):
    """In the sitemaps layout the blocks' headings are not the site's words: they are found by structure."""
    truth = app.truth()["articles"]
    for skin in ("classic", "magazine", "legacy"):
        expected = next(a for a in truth if a["translations"] and a["skin"] == skin)
        article = read(app, expected["url"]).article
        assert len(article["latest_news"]) == 10, skin
        assert all(url.startswith(f"/{expected['lang']}/") for url in local(article["latest_news"]))
        assert 1 <= len(article["related"]) <= 4, skin
        assert all(f"/{expected['category_slug']}/" in url for url in local(article["related"]))
        assert local(article["translations"]) == expected["translations"]


@pytest.mark.parametrize("path", ["/en", "/az/news-line", "/ru/politika?page=2"])
def test_listing_pages_are_not_articles_and_offer_links(path):
    app = ReplicaApp(Site(articles=ARTICLES, seed=11))
    result = read(app, path)
    assert result.article is None and result.reason == "listing"
    assert result.links["article"] and len(result.links["latest_news"]) == 10


def test_path_paginated_category_pages_are_listings_and_lead_to_each_other(sitemaps_app):
    served_pages = sitemaps_app.listing_paths()
    for base in sitemaps_app.truth()["pagination"]["deep_categories"] + ["/en/politics", "/az/siyaset"]:
        pages = {path for path in served_pages if path == base or path.startswith(base + "/page/")}
        reached, todo = set(), [base]
        while todo:
            path = todo.pop()
            result = read(sitemaps_app, path)
            assert result.article is None and result.reason == "listing", path
            reached.add(path)
            todo += [url for url in local(result.links["next_page"]) if url not in reached]
        assert reached == pages and len(pages) >= 2, base


def test_front_pages_offer_every_category_as_a_listing_link(sitemaps_app):
    for lang in ("en", "az", "ru"):
        categories = {
            path
            for path in sitemaps_app.listing_paths()
            if path.startswith(f"/{lang}/") and "/page/" not in path
        }
        result = read(sitemaps_app, f"/{lang}")
        assert result.reason == "listing"
        assert categories <= set(local(result.links["listing"]))
        assert not any(TURAN.article_url(url) for url in result.links["listing"])
