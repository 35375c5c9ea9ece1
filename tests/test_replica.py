"""The replica serves a turan.az-like site: every page kind, every fault, the truth, and moving time."""

from __future__ import annotations

import gzip
import http.client
import re
import time
from collections import Counter

import pytest
from conftest import fetch, truth_of

from turan_crawler.replica import ReplicaApp, Site
from turan_crawler.replica.export import export_site
from turan_crawler.replica.site import VARIANTS

SHORT_DATE = re.compile(rb"\d\d\.(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.\d{4}")


def article_links(html: bytes) -> set[str]:
    return {m.decode() for m in re.findall(rb'href="(/(?:en|az|ru)/[a-z-]+/[^"?#]+)"', html)}


def fault_url(truth: dict, kind: str) -> str:
    return next(f["url"] for f in truth["faults"] if f["kind"] == kind)


def article_with(truth: dict, **wanted) -> dict:
    return next(a for a in truth["articles"] if all(a[k] == v for k, v in wanted.items()))


# -- pages ---------------------------------------------------------------------------------------


def test_every_article_is_reachable_from_the_listings(replica, replica_truth):
    reached: set[str] = set()
    for listing in replica_truth["listings"]:
        page = fetch(replica.url, listing)
        assert page.status == 200, listing
        reached |= article_links(page.body)
    wanted = {a["url"] for a in replica_truth["articles"]}
    assert wanted <= reached


def test_news_line_is_paginated_with_next_links(replica, replica_truth):
    first = fetch(replica.url, "/ru/news-line").body
    assert b'rel="next" href="/ru/news-line?page=2"' in first
    second = fetch(replica.url, "/ru/news-line?page=2").body
    listed = re.compile(rb'<div class="news-list-item"><a href="([^"]+)"')
    assert len(listed.findall(first)) == 20 and set(listed.findall(first)).isdisjoint(listed.findall(second))
    assert "/ru/news-line?page=2" in replica_truth["listings"]


def test_article_page_has_the_real_sites_furniture(replica, replica_truth):
    art = article_with(replica_truth, lang="en", paywalled=0, variant=None, text_lang="en")
    page = fetch(replica.url, art["url"])
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert 100_000 <= len(page.body) <= 200_000
    html = page.body.decode("utf-8")
    assert art["title"].replace("'", "&#x27;") in html
    assert "Latest news" in html and len(SHORT_DATE.findall(page.body)) == 10
    assert "Wednesday, 14 January 2026" in html or "Last update" in html  # the header's "today"
    assert "Leave a review" in html and "Follow us on social networks" in html
    assert len(page.headers.get_all("Set-Cookie")) == 2


def test_languages_have_their_own_letters_and_furniture(replica, replica_truth):
    az = fetch(replica.url, article_with(replica_truth, lang="az", text_lang="az", variant=None)["url"])
    ru = fetch(replica.url, article_with(replica_truth, lang="ru", text_lang="ru", variant=None)["url"])
    az_text, ru_text = az.body.decode(), ru.body.decode()
    assert "Son xəbərlər" in az_text and "Rəy yaz" in az_text and re.search("[əğışçöü]", az_text)
    assert "Последние новости" in ru_text and "Написать отзыв" in ru_text


def test_seed_article_is_served_with_its_trap_date(replica, replica_truth):
    seed = next(a for a in replica_truth["articles"] if a["article_id"] == 764817)
    assert seed["author"] == "Alex Raufoglu" and seed["published_at"].startswith("2023-04-30")
    assert seed["body"].count("\n\n") == 6  # seven paragraphs
    html = fetch(replica.url, seed["url"]).body.decode()
    assert "14 Jan 2026" in html and "Alex Raufoglu" in html
    assert "Blinken" in html and "09.Jan.2026" not in seed["body"]


def test_truth_covers_every_kind_of_article(replica_truth):
    arts = replica_truth["articles"]
    assert {a["lang"] for a in arts} == {"en", "az", "ru"}
    assert any(a["lang"] != a["text_lang"] for a in arts)
    assert {a["editor_code"] for a in arts} >= {"06В", "06D", "05D04", "02D", "05B06", "0", "08D", None}
    assert {a["lang"] for a in arts if a["paywalled"]} == {"en", "az", "ru"}
    assert any("* * *" in a["body"] for a in arts)
    assert any(a["article_id"] is None for a in arts)
    assert any(a["article_id"] and a["article_id"] >= 1_000_000 for a in arts)
    assert any(a["translations"] for a in arts)
    assert any(a["author"] for a in arts) and any(a["author"] is None for a in arts)
    assert any(re.match(r"(Baku|Bakı|Баку)/\d\d\.\d\d\.\d\d/(Turan|Туран):", a["body"]) for a in arts)
    categories = {(a["lang"], a["category_slug"]) for a in arts}
    assert ("ru", "sloznyi-vopros") in categories or ("ru", "media-obozrenie") in categories
    assert Counter(a["variant"] for a in arts if a["variant"]) == Counter(VARIANTS)  # each exactly once


def test_paywalled_article_shows_a_teaser_and_the_marker(replica, replica_truth):
    for lang, marker in [
        ("en", "Please login or subscribe to read more"),
        ("ru", "Пожалуйста, войдите или подпишитесь, чтобы читать больше"),
    ]:
        art = article_with(replica_truth, lang=lang, paywalled=1)
        assert art["body"].endswith("...") and 300 < len(art["body"]) < 460
        assert marker in fetch(replica.url, art["url"]).body.decode()


def test_metadata_is_present_on_some_pages_and_absent_on_others(replica, replica_truth):
    kinds = Counter()
    for art in replica_truth["articles"][:60]:
        html = fetch(replica.url, art["url"]).body
        kinds["jsonld"] += b"application/ld+json" in html
        kinds["og"] += b"article:published_time" in html
        kinds["none"] += b"application/ld+json" not in html and b"article:published_time" not in html
    assert all(kinds[k] > 5 for k in ("jsonld", "og", "none"))


def test_translations_are_linked_with_hreflang(replica, replica_truth):
    # the legacy skin has no <head> links: its translations are hreflang anchors in the page only
    art = next(a for a in replica_truth["articles"] if a["translations"] and a["skin"] != "legacy")
    html = fetch(replica.url, art["url"]).body.decode()
    assert re.search(
        r'<link rel="alternate" hreflang="(en|az|ru)" href="http://[^"]+' + re.escape(art["translations"][0]),
        html,
    )
    legacy = next(a for a in replica_truth["articles"] if a["translations"] and a["skin"] == "legacy")
    html = fetch(replica.url, legacy["url"]).body.decode()
    assert re.search(r'<a hreflang="(en|az|ru)" href="' + re.escape(legacy["translations"][0]), html)


def test_robots_txt_and_sitemaps(replica, replica_truth):
    robots = fetch(replica.url, "/robots.txt").body.decode()
    assert "Disallow: /_replica/" in robots and "Disallow: /en/closed/" in robots
    assert f"Sitemap: {replica.url}/storage/sitemap/az/sitemap_index_0.xml" in robots
    sitemap = fetch(replica.url, "/storage/sitemap/az/sitemap_0.xml").body.decode()
    az_urls = {a["url"] for a in replica_truth["articles"] if a["lang"] == "az"}
    assert all(f"{replica.url}{u}</loc>" in sitemap for u in az_urls)


# -- served variants -----------------------------------------------------------------------------


def test_windows_1251_pages_and_wrong_charset_headers(replica, replica_truth):
    cp1251 = article_with(replica_truth, variant="cp1251")
    page = fetch(replica.url, cp1251["url"])
    assert page.headers["Content-Type"] == "text/html; charset=windows-1251"
    assert cp1251["title"] in page.body.decode("cp1251")
    meta_only = fetch(replica.url, article_with(replica_truth, variant="cp1251_meta_only")["url"])
    assert (
        meta_only.headers["Content-Type"] == "text/html"
        and b'<meta charset="windows-1251">' in meta_only.body
    )
    wrong = fetch(replica.url, article_with(replica_truth, variant="wrong_charset")["url"])
    assert wrong.headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        wrong.body.decode("utf-8")
    latin1 = fetch(replica.url, article_with(replica_truth, variant="latin1_header")["url"])
    assert latin1.headers["Content-Type"].endswith("iso-8859-1") and latin1.body.decode("utf-8")


def test_gzip_article_is_compressed_only_for_clients_that_accept_it(replica, replica_truth):
    art = article_with(replica_truth, variant="gzip")
    zipped = fetch(replica.url, art["url"], {"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.body[:2] == b"\x1f\x8b" and int(zipped.headers["Content-Length"]) == len(zipped.body)
    plain = fetch(replica.url, art["url"])
    assert gzip.decompress(zipped.body) == plain.body


def test_chunked_article_uses_transfer_encoding(replica, replica_truth):
    page = fetch(replica.url, article_with(replica_truth, variant="chunked")["url"])
    assert page.headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in page.headers
    assert page.body.rstrip().endswith(b"</html>")


def test_malformed_article_has_broken_markup(replica, replica_truth):
    body = fetch(replica.url, article_with(replica_truth, variant="malformed")["url"]).body
    assert b"</p>" not in body and b"</html>" not in body and b"</span></font>" in body


def test_slow_and_huge_articles(replica, replica_truth):
    started = time.monotonic()
    assert fetch(replica.url, article_with(replica_truth, variant="slow")["url"]).status == 200
    assert time.monotonic() - started >= 1.0
    huge = fetch(replica.url, article_with(replica_truth, variant="huge")["url"])
    assert len(huge.body) >= 20 * 1024 * 1024 and huge.body.rstrip().endswith(b"</html>")


# -- faults --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,status", [("server_error", 500), ("not_found", 404), ("gone", 410)])
def test_http_error_faults(replica, replica_truth, kind, status):
    assert fetch(replica.url, fault_url(replica_truth, kind)).status == status


@pytest.mark.parametrize("kind,status", [("unavailable", 503), ("rate_limited", 429)])
def test_retry_after_faults(replica, replica_truth, kind, status):
    page = fetch(replica.url, fault_url(replica_truth, kind))
    assert page.status == status and page.headers["Retry-After"] == "1"


def test_challenge_page_looks_like_cloudflare(replica, replica_truth):
    for path in (fault_url(replica_truth, "challenge"), "/rss"):
        page = fetch(replica.url, path)
        assert page.status == 403 and page.headers["cf-mitigated"] == "challenge"
        assert b"<title>Just a moment...</title>" in page.body


@pytest.mark.parametrize("kind", ["dropped_connection", "short_body"])
def test_broken_transfers_end_early(replica, replica_truth, kind):
    with pytest.raises(http.client.IncompleteRead):
        fetch(replica.url, fault_url(replica_truth, kind))


def test_redirect_chain_ends_at_an_article_and_the_loop_never_ends(replica, replica_truth):
    path, hops = fault_url(replica_truth, "redirect_chain"), 0
    while (page := fetch(replica.url, path)).status in (301, 302):
        path, hops = page.headers["Location"], hops + 1
    assert hops == 3 and page.status == 200
    assert path == next(f["redirects_to"] for f in replica_truth["faults"] if f["kind"] == "redirect_chain")
    first = fetch(replica.url, fault_url(replica_truth, "redirect_loop"))
    second = fetch(replica.url, first.headers["Location"])
    assert second.headers["Location"] == fault_url(replica_truth, "redirect_loop")


def test_binary_files_at_article_like_urls(replica, replica_truth):
    pdf = fetch(replica.url, fault_url(replica_truth, "binary_pdf"))
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.body.startswith(b"%PDF")
    jpeg = fetch(replica.url, fault_url(replica_truth, "binary_mislabelled"))
    assert jpeg.headers["Content-Type"].startswith("text/html") and jpeg.body.startswith(b"\xff\xd8\xff")


def test_fault_links_are_on_the_english_front_page(replica, replica_truth):
    front = fetch(replica.url, "/en").body.decode()
    assert all(f'href="{f["url"]}"' in front for f in replica_truth["faults"])


def test_faults_can_be_switched_off():
    app = ReplicaApp(Site(articles=20, faults=False))
    assert app.truth()["faults"] == []
    assert app.respond("GET", "/en/politics/server-error-fault-500", "h").status == 404


# -- determinism and moving time -----------------------------------------------------------------


def _all_bodies(app: ReplicaApp) -> dict[str, bytes]:
    paths = app.listing_paths() + [a["url"] for a in app.truth()["articles"]] + ["/robots.txt"]
    return {p: app.respond("GET", p, "replica.test", "gzip").body for p in paths}


def test_same_seed_and_size_give_the_same_bytes():
    first, second = ReplicaApp(Site(articles=60, seed=3)), ReplicaApp(Site(articles=60, seed=3))
    assert first.truth() == second.truth()
    assert _all_bodies(first) == _all_bodies(second)
    other = ReplicaApp(Site(articles=60, seed=4))
    assert other.truth()["articles"] != first.truth()["articles"]


def test_publishing_adds_new_articles_to_the_news_line(fresh_replica):
    before = truth_of(fresh_replica)
    new = fetch(fresh_replica.url, "/_replica/publish?count=3")
    assert new.status == 200
    after = truth_of(fresh_replica)
    assert len(after["articles"]) == len(before["articles"]) + 3
    added = {a["url"] for a in after["articles"]} - {a["url"] for a in before["articles"]}
    news_lines = set().union(
        *[article_links(fetch(fresh_replica.url, f"/{lang}/news-line").body) for lang in ("en", "az", "ru")]
    )
    assert len(added) == 3 and added <= news_lines
    # publishing never changes what existed before
    assert [a for a in after["articles"] if a["url"] not in added] == before["articles"]


def test_editing_and_removing_an_article(fresh_replica):
    art = truth_of(fresh_replica)["articles"][3]
    assert fetch(fresh_replica.url, f"/_replica/edit?url={art['url']}").status == 200
    edited = next(a for a in truth_of(fresh_replica)["articles"] if a["url"] == art["url"])
    assert (
        edited["revision"] == 2 and edited["body"] != art["body"] and edited["body"].startswith(art["body"])
    )
    assert fetch(fresh_replica.url, f"/_replica/remove?url={art['url']}&status=410").status == 200
    assert fetch(fresh_replica.url, art["url"]).status == 410
    assert fetch(fresh_replica.url, "/_replica/edit?url=/nope").status == 400


def test_request_log_lists_fetched_pages_but_not_control_calls(fresh_replica):
    fetch(fresh_replica.url, "/az/news-line?page=2")
    log = fetch(fresh_replica.url, "/_replica/requests.json").body.decode()
    assert '"GET /az/news-line?page=2"' in log and "_replica" not in log


def test_export_writes_static_pages_for_nginx(tmp_path):
    app = ReplicaApp(Site(articles=30, faults=False))
    count = export_site(app, tmp_path, port=8099)
    art = app.truth()["articles"][0]
    assert (
        (tmp_path / "site" / art["url"].strip("/") / "index.html").read_bytes().startswith(b"<!DOCTYPE html>")
    )
    assert (tmp_path / "site" / "en" / "news-line" / "__page1.html").exists()
    assert "listen 127.0.0.1:8099" in (tmp_path / "nginx.conf").read_text()
    assert count == len(app.listing_paths()) + len(app.truth()["articles"]) + 7
