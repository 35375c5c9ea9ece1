"""The replica's second layout (``sitemaps``: no news line, shallow path pagination, month sitemaps) and its
article skins (``classic``, ``magazine``, ``legacy``): routes, truth, moving time, determinism, export."""

from __future__ import annotations

import gzip
import html
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import pytest
from conftest import fetch, truth_of

from turan_crawler.replica import ReplicaApp, ReplicaServer, Site, start_replica, texts
from turan_crawler.replica.export import export_site
from turan_crawler.replica.structure import DEEP_CATEGORIES, FRONT_COUNT, PATH_PAGE_SIZE, SHALLOW_PAGES

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEXT_WORDS = {"en": "Older »", "az": "Növbəti →", "ru": "Следующая ›"}


@pytest.fixture(scope="module")
def site_map() -> Iterator[ReplicaServer]:
    """A read-only replica in the sitemaps layout (300 articles, every fault)."""
    server = start_replica(articles=300, seed=1, slow_seconds=0.5, layout="sitemaps")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site_map_truth(site_map: ReplicaServer) -> dict:
    return truth_of(site_map)


@pytest.fixture
def fresh_site_map() -> Iterator[ReplicaServer]:
    server = start_replica(articles=40, seed=7, slow_seconds=0.2, layout="sitemaps")
    yield server
    server.stop()


def links(page: bytes) -> set[str]:
    return {html.unescape(m.decode()) for m in re.findall(rb'href="(/[^"#]*)"', page)}


def article_links(page: bytes) -> set[str]:
    return {u for u in links(page) if re.fullmatch(r"/(en|az|ru)/[a-z-]+/[^/?]+", u)}


def parse_xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)


def sitemap_entries(server: ReplicaServer, lang: str) -> list[tuple[str, str]]:
    """(month sitemap path, lastmod) as the language's sitemap index lists them."""
    index = parse_xml(fetch(server.url, f"/storage/sitemap/{lang}/sitemap_index_0.xml").body)
    assert index.tag == f"{SM}sitemapindex"
    return [
        (e.find(f"{SM}loc").text.removeprefix(server.url), e.find(f"{SM}lastmod").text)
        for e in index.findall(f"{SM}sitemap")
    ]


def urlset(server: ReplicaServer, path: str) -> dict[str, str]:
    """{article path: lastmod} of one month sitemap, decompressed if it is gzipped."""
    resp = fetch(server.url, path)
    assert resp.status == 200, path
    body = resp.body
    if path.endswith(".gz"):
        assert resp.headers["Content-Type"] in ("application/gzip", "application/x-gzip")
        assert "Content-Encoding" not in resp.headers and body[:2] == b"\x1f\x8b"
        body = gzip.decompress(body)
    else:
        assert resp.headers["Content-Type"] == "application/xml"
    root = parse_xml(body)
    assert root.tag == f"{SM}urlset"
    return {
        u.find(f"{SM}loc").text.removeprefix(server.url): u.find(f"{SM}lastmod").text
        for u in root.findall(f"{SM}url")
    }


def all_sitemap_urls(server: ReplicaServer) -> dict[str, str]:
    found: dict[str, str] = {}
    for lang in texts.LANGS:
        for path, _ in sitemap_entries(server, lang):
            found |= urlset(server, path)
    return found


# -- the sitemaps layout: listings -----------------------------------------------------------------


def test_sitemaps_layout_has_no_news_line(site_map, site_map_truth):
    assert site_map_truth["layout"] == "sitemaps"
    for lang in texts.LANGS:
        assert fetch(site_map.url, f"/{lang}/news-line").status == 404
        front = fetch(site_map.url, f"/{lang}").body
        assert b"news-line" not in front and b"?page=" not in front
    assert not any("news-line" in p or "?" in p for p in site_map_truth["listings"])


def test_front_pages_show_recent_articles_and_link_every_category(site_map, site_map_truth):
    for lang in texts.LANGS:
        front = fetch(site_map.url, f"/{lang}").body
        newest = [a for a in site_map_truth["articles"] if a["lang"] == lang]
        newest = sorted(newest, key=lambda a: a["published_at"], reverse=True)[:FRONT_COUNT]
        assert {a["url"] for a in newest} <= article_links(front)
        assert {f"/{lang}/{slug}" for slug, _ in texts.CATEGORIES[lang]} <= links(front)


def test_categories_are_paginated_by_path_with_rel_next_and_a_worded_next_link(site_map, site_map_truth):
    items = re.compile(
        r'<li class="archive-item"><a class="archive-link" href="([^"]+)">[^<]+</a>'
        r'<time datetime="[^"]+">[^<]+</time><p class="archive-teaser">[^<]{40,}</p></li>'
    )
    for lang in texts.LANGS:
        base = f"/{lang}/{DEEP_CATEGORIES[lang]}"
        pages = len([p for p in site_map_truth["listings"] if p == base or p.startswith(base + "/page/")])
        assert pages >= 2
        first = fetch(site_map.url, base).body.decode()
        assert f'<link rel="next" href="{base}/page/2">' in first and 'rel="prev"' not in first
        nxt = re.search(r'<a [^>]*rel="next"[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', first)
        assert nxt and nxt.group(1) == f"{base}/page/2" and nxt.group(2) == NEXT_WORDS[lang]
        assert all(f'href="{base}/page/{n}">{n}</a>' in first for n in range(2, pages + 1))  # numbered links
        second = fetch(site_map.url, f"{base}/page/2").body.decode()
        assert f'<link rel="prev" href="{base}">' in second and f'href="{base}">1</a>' in second
        assert (f'<link rel="next" href="{base}/page/3">' in second) == (pages > 2)
        one, two = items.findall(first), items.findall(second)
        assert len(one) == PATH_PAGE_SIZE and 1 <= len(two) <= PATH_PAGE_SIZE and set(one).isdisjoint(two)
        assert f"{base}/page/2" in site_map_truth["listings"]
    assert len([p for p in site_map_truth["listings"] if p.startswith("/az/iqtisadiyyat/page/")]) >= 5
    assert fetch(site_map.url, "/az/iqtisadiyyat/page/1").headers["Location"] == "/az/iqtisadiyyat"


def test_pagination_is_shallow_except_in_the_deep_categories(site_map, site_map_truth):
    counts = Counter((a["lang"], a["category_slug"]) for a in site_map_truth["articles"])
    shallow_cut = 0
    for (lang, slug), n in counts.items():
        pages = -(-n // PATH_PAGE_SIZE)
        served = pages if DEEP_CATEGORIES[lang] == slug else min(pages, SHALLOW_PAGES)
        base = f"/{lang}/{slug}"
        last = base if served == 1 else f"{base}/page/{served}"
        assert fetch(site_map.url, last).status == 200 and last in site_map_truth["listings"]
        assert b'rel="next"' not in fetch(site_map.url, last).body
        assert fetch(site_map.url, f"{base}/page/{served + 1}").status == 404
        shallow_cut += served < pages
    assert shallow_cut >= 3


def test_truth_says_how_each_article_is_reachable(site_map, site_map_truth):
    """Following the listings from the front pages finds exactly the truth's listings, and the
    articles they link are exactly those the truth says a listing reaches; sitemap-only ones are on none."""
    seen, queue, linked = set(), [f"/{lang}" for lang in texts.LANGS], set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        page = fetch(site_map.url, path)
        assert page.status == 200, path
        linked |= article_links(page.body)
        queue += [u for u in links(page.body) if re.fullmatch(r"/(en|az|ru)(/[a-z-]+(/page/\d+)?)?", u)]
    assert seen == set(site_map_truth["listings"])
    arts = site_map_truth["articles"]
    via = {a["url"]: a["reachable_via"] for a in arts}
    assert {u for u, v in via.items() if "listing" in v} == linked & set(via)
    sitemap_only = [u for u, v in via.items() if v == ["sitemap"]]
    assert len(sitemap_only) > 30 and {u.split("/")[1] for u in sitemap_only} == {"en", "az", "ru"}
    assert not set(sitemap_only) & linked
    assert site_map_truth["must_reach"] == [a["url"] for a in arts if a["removed_status"] is None]
    assert all(a["reachable_via"] for a in arts)
    for art in (a for a in arts if "translation" in a["reachable_via"]):
        assert any(via[t][0] == "listing" for t in art["translations"])


# -- the sitemaps layout: sitemaps -----------------------------------------------------------------


def test_robots_lists_the_sitemap_indexes_of_month_sitemaps(site_map, site_map_truth):
    robots = fetch(site_map.url, "/robots.txt").body.decode()
    for lang in texts.LANGS:
        assert f"Sitemap: {site_map.url}/storage/sitemap/{lang}/sitemap_index_0.xml" in robots
        entries = sitemap_entries(site_map, lang)
        assert len(entries) > 12
        assert all(re.fullmatch(rf"/storage/sitemap/{lang}/\d{{4}}-\d\d\.xml(\.gz)?", p) for p, _ in entries)
        for path, lastmod in entries[:: max(1, len(entries) // 8)] + entries[-2:]:
            assert lastmod == max(urlset(site_map, path).values(), key=datetime.fromisoformat)
    assert fetch(site_map.url, "/storage/sitemap/en/sitemap_0.xml").status == 404  # the classic one
    months = site_map_truth["sitemaps"]["months"]
    assert site_map_truth["sitemaps"]["index"] == [
        f"/storage/sitemap/{lang}/sitemap_index_0.xml" for lang in texts.LANGS
    ]
    assert {
        lang: [(m["url"], m["lastmod"]) for m in months if m["lang"] == lang] for lang in texts.LANGS
    } == {lang: sitemap_entries(site_map, lang) for lang in texts.LANGS}


def test_some_month_sitemaps_are_gzipped(site_map, site_map_truth):
    gzipped = [m for m in site_map_truth["sitemaps"]["months"] if m["gzipped"]]
    assert {m["lang"] for m in gzipped} == {"en", "az", "ru"} and all(
        m["url"].endswith(".xml.gz") for m in gzipped
    )
    entries = urlset(site_map, gzipped[-1]["url"])  # checks the type and the magic bytes, then parses
    assert len(entries) == gzipped[-1]["urls"] >= 1
    assert fetch(site_map.url, gzipped[-1]["url"].removesuffix(".gz")).status == 404


def test_every_article_a_crawl_must_reach_is_in_a_sitemap_with_its_lastmod(site_map, site_map_truth):
    found = all_sitemap_urls(site_map)
    assert set(site_map_truth["must_reach"]) <= set(found)
    for art in site_map_truth["articles"]:
        assert found[art["url"]] == art["lastmod"] == art["published_at"]  # nothing edited yet


def test_faults_are_served_and_linked_in_the_sitemaps_layout(site_map, site_map_truth):
    front = fetch(site_map.url, "/en").body.decode()
    assert len(site_map_truth["faults"]) == 13
    assert all(f'href="{f["url"]}"' in front for f in site_map_truth["faults"])
    challenge = next(f["url"] for f in site_map_truth["faults"] if f["kind"] == "challenge")
    assert fetch(site_map.url, challenge).headers["cf-mitigated"] == "challenge"
    assert fetch(site_map.url, "/en/politics/server-error-fault-500").status == 500


def test_article_blocks_have_other_headings_than_the_classic_layout(
    site_map, site_map_truth, replica, replica_truth
):
    for skin in ("classic", "magazine", "legacy"):
        art = next(
            a
            for a in site_map_truth["articles"]
            if a["skin"] == skin and a["lang"] == "en" and not a["variant"]
        )
        page = fetch(site_map.url, art["url"]).body.decode()
        assert "Fresh from Turan" in page and "More on this topic" in page
        assert "Latest news" not in page and "Related news" not in page and "news-line" not in page
        art = next(
            a
            for a in replica_truth["articles"]
            if a["skin"] == skin and a["lang"] == "en" and not a["variant"]
        )
        page = fetch(replica.url, art["url"]).body.decode()  # the classic layout, same skin
        assert "Latest news" in page and "Related news" in page and "Fresh from Turan" not in page


# -- moving time -------------------------------------------------------------------------------------


def _max_lastmod(server: ReplicaServer) -> datetime:
    return max(datetime.fromisoformat(v) for lang in texts.LANGS for _, v in sitemap_entries(server, lang))


def test_publishing_reaches_the_front_page_category_page_and_this_months_sitemap(fresh_site_map):
    server = fresh_site_map
    before = _max_lastmod(server)
    added = fetch(server.url, "/_replica/publish?count=3")
    new = {a["url"]: a for a in truth_of(server)["articles"] if a["url"] in set(json.loads(added.body))}
    assert len(new) == 3
    for url, art in new.items():
        lang, slug = art["lang"], art["category_slug"]
        assert url in article_links(fetch(server.url, f"/{lang}").body)
        assert url in article_links(fetch(server.url, f"/{lang}/{slug}").body)
        month = f"/storage/sitemap/{lang}/{art['published_at'][:7]}.xml"
        index = dict(sitemap_entries(server, lang))
        assert month in index and datetime.fromisoformat(index[month]) > before
        assert urlset(server, month)[url] == art["lastmod"] == index[month]
        assert art["reachable_via"][:2] == ["listing", "sitemap"]
    # the site's own clock (14 Jan 2026), not this machine's
    assert all(a["lastmod"].startswith("2026-01-14T12:") for a in new.values())


def test_editing_moves_the_lastmod_of_the_article_and_of_its_month(fresh_site_map):
    server = fresh_site_map
    truth = truth_of(server)
    old = next(a for a in truth["articles"] if a["published_at"] < "2020")
    month = next(
        m
        for m in truth["sitemaps"]["months"]
        if m["lang"] == old["lang"] and m["month"] == old["published_at"][:7]
    )
    for _ in range(2):
        before = _max_lastmod(server)
        assert fetch(server.url, f"/_replica/edit?url={old['url']}").status == 200
        edited = next(a for a in truth_of(server)["articles"] if a["url"] == old["url"])
        assert edited["body"] != old["body"] and datetime.fromisoformat(edited["lastmod"]) > before
        assert urlset(server, month["url"])[old["url"]] == edited["lastmod"]
        assert dict(sitemap_entries(server, old["lang"]))[month["url"]] == edited["lastmod"]
    assert edited["revision"] == 3 and edited["published_at"] == old["published_at"]
    page = fetch(server.url, old["url"]).body.decode()
    assert "(rev. 3)" in page


def test_removing_takes_an_article_out_of_the_sitemaps_and_the_truths_must_reach(fresh_site_map):
    server = fresh_site_map
    art = truth_of(server)["articles"][4]
    fetch(server.url, f"/_replica/remove?url={art['url']}&status=404")
    after = truth_of(server)
    assert art["url"] not in after["must_reach"] and art["url"] not in all_sitemap_urls(server)
    assert next(a for a in after["articles"] if a["url"] == art["url"])["reachable_via"] == []


# -- skins ---------------------------------------------------------------------------------------------


SKIN_MARKS = {
    "classic": ['<h1 class="news-title">', '<div class="news-content">'],
    "magazine": [
        "<article ",
        '<header class="entry-header">',
        "<time ",
        '<div class="entry-content">',
        'class="share-bar"',
        'class="newsletter-box"',
    ],
    "legacy": ['<td class="art-ttl">', '<span class="art-when">', '<td class="art-txt">'],
}


def _visible(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>|<svg.*?</svg>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _assert_truth_is_printed(page: str, art: dict) -> None:
    text = " ".join(_visible(page).split())
    assert art["title"] in text and art["category"] in text
    assert f"/{art['lang']}/{art['category_slug']}/" in art["url"]
    for paragraph in art["body"].split("\n\n"):
        assert paragraph in text, paragraph[:60]
    when = datetime.fromisoformat(art["published_at"])
    date_line = next(line for line in text.split(art["title"])[1:] if f"{when:%H:%M}" in line)
    assert str(when.year) in date_line
    if art["editor_code"]:
        assert art["editor_code"] in text
    if art["paywalled"]:
        assert texts.PAYWALL_MARKER[art["lang"]] in text
    if art["author"]:
        assert art["author"] in text or html.escape(art["author"]) in page  # printed, or in the metadata


@pytest.mark.parametrize("skin", ["classic", "magazine", "legacy"])
def test_each_skin_prints_every_truth_field(replica, replica_truth, skin):
    arts = [
        a
        for a in replica_truth["articles"]
        if a["skin"] == skin and a["variant"] in (None, "gzip", "chunked")
    ]
    assert len(arts) > 60
    sample = (
        arts[::9] + [a for a in arts if a["paywalled"]][:3] + [a for a in arts if "* * *" in a["body"]][:2]
    )
    sample += [a for a in arts if a["editor_code"]][:3] + [a for a in arts if a["author"]][:5]
    for art in sample:
        page = fetch(replica.url, art["url"]).body.decode()
        assert all(mark in page for mark in SKIN_MARKS[skin]), art["url"]
        others = [m for s, marks in SKIN_MARKS.items() if s != skin for m in marks[:1]]
        assert not any(m in page for m in others)
        _assert_truth_is_printed(page, art)
        if skin == "legacy" and not art["paywalled"]:  # a paywalled page shows a single teaser paragraph
            assert "<br><br>" in page and "<p>" not in page


def test_skins_differ_in_order_and_furniture(replica, replica_truth):
    counts = Counter(a["skin"] for a in replica_truth["articles"])
    assert all(counts[s] > len(replica_truth["articles"]) / 4 for s in ("classic", "magazine", "legacy"))
    seed = next(a for a in replica_truth["articles"] if a["article_id"] == 764817)
    assert seed["skin"] == "classic"
    magazine = next(a for a in replica_truth["articles"] if a["skin"] == "magazine" and a["lang"] == "en")
    magazine = fetch(replica.url, magazine["url"]).body.decode()
    assert magazine.index("Related news") < magazine.index("Latest news")  # related before latest
    assert magazine.index("entry-content") < magazine.index("newsletter-box") < magazine.index("</article>")
    legacy_arts = [a for a in replica_truth["articles"] if a["skin"] == "legacy"]
    for art in legacy_arts[:20]:
        page = fetch(replica.url, art["url"]).body.decode(errors="replace")
        assert (
            "application/ld+json" not in page and "og:" not in page and "article:published_time" not in page
        )
        assert page.index('class="box-head"') < page.index('class="art-ttl"')  # latest news come first
        assert page.index('class="art-ttl"') < page.index('class="art-when"')  # the date after the title


def test_skins_can_be_switched_off():
    app = ReplicaApp(Site(articles=60, seed=3, skins=False))
    truth = app.truth()
    assert {a["skin"] for a in truth["articles"]} == {"classic"}
    for art in truth["articles"]:
        body = app.respond("GET", art["url"], "h").body
        assert b'<h1 class="news-title">' in body or b"<h1 class=news-title>" in body  # malformed too
    with_skins = ReplicaApp(Site(articles=60, seed=3)).truth()["articles"]
    assert [dict(a, skin=None) for a in with_skins] == [dict(a, skin=None) for a in truth["articles"]]


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError):
        Site(articles=5, layout="tabloid")


# -- determinism and export --------------------------------------------------------------------------


def _bodies(app: ReplicaApp) -> dict[str, bytes]:
    paths = ["/robots.txt", *app.sitemap_paths(), *app.listing_paths()]
    paths += [a["url"] for a in app.truth()["articles"]]
    return {p: app.respond("GET", p, "replica.test", "gzip").body for p in paths}


@pytest.mark.parametrize("layout", ["classic", "sitemaps"])
def test_same_parameters_give_the_same_bytes(layout):
    first = ReplicaApp(Site(articles=90, seed=5, layout=layout))
    second = ReplicaApp(Site(articles=90, seed=5, layout=layout))
    assert first.truth() == second.truth() and _bodies(first) == _bodies(second)
    for app in (first, second):
        app.site.publish(2)
        app.site.edit(app.site.articles[7].path)
    assert first.truth() == second.truth() and _bodies(first) == _bodies(second)
    plain = ReplicaApp(Site(articles=90, seed=5, layout=layout, skins=False))
    assert _bodies(plain) != _bodies(ReplicaApp(Site(articles=90, seed=5, layout=layout)))


def test_export_writes_the_sitemaps_layout_for_nginx(tmp_path):
    app = ReplicaApp(Site(articles=400, seed=2, faults=False, layout="sitemaps"))
    count = export_site(app, tmp_path, port=8098)
    truth = app.truth()
    assert count == 1 + len(app.sitemap_paths()) + len(truth["listings"]) + len(truth["articles"])
    site = tmp_path / "site"
    deep = f"/az/{DEEP_CATEGORIES['az']}/page/3"
    assert deep in truth["listings"]
    assert (site / deep.strip("/") / "index.html").read_bytes() == app.respond(
        "GET", deep, "127.0.0.1:8098"
    ).body
    gz = next(m["url"] for m in truth["sitemaps"]["months"] if m["gzipped"])
    assert gzip.decompress((site / gz.strip("/")).read_bytes()).startswith(b'<?xml version="1.0"')
    index = (site / "storage/sitemap/ru/sitemap_index_0.xml").read_text()
    assert "http://127.0.0.1:8098/storage/sitemap/ru/" in index
    assert not (site / "en" / "news-line").exists()
    conf = (tmp_path / "nginx.conf").read_text()
    assert "application/gzip gz" in conf and "listen 127.0.0.1:8098" in conf
    assert all((site / a["url"].strip("/") / "index.html").exists() for a in truth["articles"])
