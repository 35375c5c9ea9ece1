"""`turan-crawler probe`: what the crawler sees of a site, archiving nothing; exit 0 only when it read
articles, and a sentence saying what is missing otherwise."""

from __future__ import annotations

import json

import pytest
from conftest import counting_listener, run_cli, tiny_site

from turan_crawler.replica import start_replica

CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<script>window._cf_chl_opt={cType:'managed'};</script></body></html>"
)


@pytest.fixture(params=["classic", "sitemaps"])
def site(request):
    server = start_replica(articles=60, seed=41, faults=False, layout=request.param)
    yield server
    server.stop()


def probe(url: str, *extra: str, **kwargs):
    return run_cli("probe", url, "--delay", "0", "--articles", "2", *extra, timeout=120, **kwargs)


def test_probe_reports_sitemaps_listings_and_every_field_with_its_layer(site, tmp_path):
    result = probe(site.url, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["robots"]["status"] == 200 and not report["robots"]["disallowed"]
    sitemaps = [s for s in report["sitemaps"] if s["kind"] != "not a sitemap"]
    assert {s["kind"] for s in sitemaps} == {"sitemap_index", "sitemap"} and all(
        s["entries"] for s in sitemaps
    )
    named = set(report["robots"]["sitemaps"])
    for entry in report["sitemaps"]:  # where each was found: robots.txt, a known location, an index
        assert ("robots.txt" in entry["found_in"]) == (entry["url"] in named), entry
    fronts = report["front_pages"]
    assert len(fronts) == 3 and all(f["listing"] and f["article_links"] > 0 for f in fronts)
    assert all(f["listings"] for f in fronts)  # the categories its navigation offers
    read = [a for a in report["articles"] if "fields" in a]
    assert len(read) == 6
    for article in read:
        assert article["fields"]["title"] and article["fields"]["body"]
        assert article["sources"]["lang"] == "url" and article["sources"]["title"] in ("metadata", "site")
    assert not list(tmp_path.iterdir())  # nothing archived, no folder made


def test_probe_in_words_says_what_it_found(site):
    result = probe(site.url)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert (
        text.startswith(f"turan-crawler probe {site.url}") and "sitemaps:" in text and "front pages:" in text
    )
    assert "published_at" in text and text.rstrip().splitlines()[-1].startswith("OK: read 6 of 6")


@pytest.fixture
def challenge_only():
    headers = [("Content-Type", "text/html; charset=UTF-8"), ("cf-mitigated", "challenge")]
    with tiny_site(lambda path: (403, headers, CHALLENGE)) as base:
        yield base


def test_probe_of_a_site_answering_only_challenges_exits_1_and_says_so(challenge_only):
    result = probe(challenge_only)
    assert result.returncode == 1
    last = result.stdout.rstrip().splitlines()[-1]
    assert last.startswith("PROBLEM:") and "challenge" in last
    assert "Traceback" not in result.stderr


def test_probe_reads_no_sitemap_robots_txt_points_at_an_internal_address():
    with counting_listener("127.0.0.2") as listener:
        internal = [f"http://127.0.0.2:{listener.port}/sitemap.xml", "http://169.254.169.254/sitemap.xml"]
        robots = "".join(f"Sitemap: {url}\n" for url in internal).encode()
        with tiny_site(lambda path: (200, [("Content-Type", "text/plain")], robots)) as base:
            result = probe(base, "--json", "--lang", "en")
    assert listener.connections == 0
    failures = {f["url"]: f["error"] for f in json.loads(result.stdout).get("failures", [])}
    assert all(url in failures and "refused" in failures[url] for url in internal), failures
