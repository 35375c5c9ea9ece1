"""Discovery on a site laid out unlike the replica's classic layout (the `sitemaps` layout: no news line,
path-paginated categories, old articles only in month sitemaps, lastmod that moves with edits): found
by structure and sitemaps, not by configured URLs."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from conftest import crawl, fetch, index, requests_since, run_cli, truth_of

from turan_crawler.replica import ReplicaServer, start_replica
from turan_crawler.sites import TURAN


@pytest.fixture
def sitemap_site() -> Iterator[ReplicaServer]:
    server = start_replica(articles=200, seed=4, faults=False, layout="sitemaps")
    yield server
    server.stop()


def crawl_pages(archive, server: ReplicaServer, *extra: str):
    """A fast crawl of the pages alone: discovery is about pages, not what they need to look like."""
    return crawl(archive, server, "--requisites", "none", *extra)


def articles_requested(server: ReplicaServer, since: int) -> set[str]:
    return {
        path
        for path in (r.split(" ", 1)[1] for r in requests_since(server, since))
        if TURAN.article_url(path)
    }


def archived(archive) -> set[str]:
    return {url for (url,) in index(archive).execute("select url from articles")}


def test_a_backfill_reaches_every_article_even_those_only_in_sitemaps(tmp_path, sitemap_site):
    truth = truth_of(sitemap_site)
    only_in_sitemaps = [a["url"] for a in truth["articles"] if a.get("reachable_via") == ["sitemap"]]
    assert only_in_sitemaps, "the layout must hide some articles from every listing"
    result = crawl_pages(tmp_path, sitemap_site, "--backfill-pages", "all")
    assert result.returncode == 0, result.stderr
    assert archived(tmp_path) == {sitemap_site.url + path for path in truth["must_reach"]}
    requests = requests_since(sitemap_site, 0)
    assert not [r for r in requests if "news-line" in r], "no invented start path is needed"


def test_a_cron_run_after_publishing_fetches_the_new_articles_and_nothing_else(tmp_path, sitemap_site):
    assert crawl_pages(tmp_path, sitemap_site, "--backfill-pages", "all").returncode == 0
    unchanged_start = len(requests_since(sitemap_site, 0))
    assert crawl_pages(tmp_path, sitemap_site).returncode == 0
    assert articles_requested(sitemap_site, unchanged_start) == set()
    published = json.loads(fetch(sitemap_site.url, "/_replica/publish?count=4").body)
    before = len(requests_since(sitemap_site, 0))
    result = crawl_pages(tmp_path, sitemap_site)
    assert result.returncode == 0 and "4 new articles" in result.stderr
    assert articles_requested(sitemap_site, before) == set(published)


def test_an_edit_that_moves_lastmod_is_caught_without_fetching_any_other_archived_article(
    tmp_path, sitemap_site
):
    assert crawl_pages(tmp_path, sitemap_site, "--backfill-pages", "all").returncode == 0
    truth = truth_of(sitemap_site)
    old = min(truth["articles"], key=lambda a: a["published_at"])  # far outside any refresh window
    fetch(sitemap_site.url, f"/_replica/edit?url={old['url']}")
    before = len(requests_since(sitemap_site, 0))
    result = crawl_pages(tmp_path, sitemap_site)
    assert result.returncode == 0 and "1 updated" in result.stderr, result.stderr
    assert articles_requested(sitemap_site, before) == {old["url"]}
    version = (
        index(tmp_path)
        .execute("select version from articles where url = ?", [sitemap_site.url + old["url"]])
        .fetchone()[0]
    )
    assert version == 2


def test_robots_txt_is_obeyed_for_sitemaps_and_listings(tmp_path, sitemap_site):
    disallowed = truth_of(sitemap_site)["robots_disallowed"]
    result = run_cli(
        "crawl", "--archive", str(tmp_path), "--start-url", sitemap_site.url, "--quiet", "--delay", "0",
        "--concurrency", "4", "--requisites", "none",
        "--set", "TURAN_SITEMAPS=/storage/sitemap/{lang}/sitemap_index_0.xml,/search/sitemap-{lang}.xml",
        "--set", "TURAN_START_PATHS=/{lang},/print/{lang}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    paths = [r.split(" ", 1)[1] for r in requests_since(sitemap_site, 0)]
    assert not [p for p in paths if any(p.startswith(d) for d in disallowed)]
    robots = index(tmp_path).execute("select url from captures where outcome = 'robots'").fetchall()
    assert {sitemap_site.url + "/search/sitemap-en.xml", sitemap_site.url + "/print/en"} <= {
        r[0] for r in robots
    }


def test_a_moved_lastmod_a_run_left_unfetched_is_fetched_by_the_next_run(tmp_path, sitemap_site):
    assert crawl_pages(tmp_path, sitemap_site, "--backfill-pages", "all").returncode == 0
    oldest = sorted(truth_of(sitemap_site)["articles"], key=lambda a: a["published_at"])[:2]
    for article in oldest:
        fetch(sitemap_site.url, f"/_replica/edit?url={article['url']}")
    stopped = crawl_pages(
        tmp_path, sitemap_site, "--max-articles", "1"
    )  # reads the sitemaps, fetches one edit
    assert stopped.returncode == 0 and "1 updated" in stopped.stderr, stopped.stderr
    before = len(requests_since(sitemap_site, 0))
    resumed = crawl_pages(
        tmp_path, sitemap_site
    )  # the sitemaps did not move since: only the index says what is left
    assert resumed.returncode == 0 and "1 updated" in resumed.stderr, resumed.stderr
    assert len(articles_requested(sitemap_site, before)) == 1
    versions = index(tmp_path).execute(
        "select version from articles where url in (?, ?)", [sitemap_site.url + a["url"] for a in oldest]
    )
    assert [v for (v,) in versions] == [2, 2]
