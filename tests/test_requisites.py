"""Page requisites: each archived page keeps what it needs to look like itself (stylesheets and what they
import, its images, some on a CDN host), fetched once per run, politely, and replayed from the archive
(in pywb and in the Datasette view) without a single request to the live site."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import (
    CHROMIUM_ARGS,
    crawl,
    crawl_args,
    fetch,
    index,
    run_cli,
    running_serve,
    running_wayback,
    tiny_site,
    truth_of,
)

from turan_crawler.replica import start_replica

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


@pytest.fixture(scope="module")
def site():
    server = start_replica(articles=40, seed=31, faults=False)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def archived(site, tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("requisites")
    assert crawl(archive, site, "--backfill-pages", "all").returncode == 0
    return archive


def requested(server, since: int = 0) -> list[dict]:
    return json.loads(fetch(server.url, "/_replica/requests_timed.json").body)[since:]


def test_every_page_keeps_its_requisites_each_fetched_once(site, archived):
    truth = truth_of(site)
    needed = {url for article in truth["articles"] for url in article["requisites"]}
    captured = [u for (u,) in index(archived).execute("select url from captures where outcome = 'ok'")]
    assert needed <= set(
        captured
    )  # stylesheets, their imports and fonts, lead and text images, on both hosts
    assert len(needed) == len(needed & set(captured)) and all(captured.count(url) == 1 for url in needed)
    stylesheet = truth["requisites"]["stylesheets"][0]
    fetches = [r for r in requested(site) if stylesheet.endswith(r["request"].split(" ", 1)[1])]
    assert len(fetches) == 1  # shared by every page, fetched once in the run


def test_scripts_only_when_asked_and_robots_txt_of_the_cdn_obeyed(site, archived):
    truth = truth_of(site)
    scripts = set(truth["requisites"]["scripts"])
    urls = {u for (u,) in index(archived).execute("select url from captures")}
    assert not scripts & urls
    disallowed = {u for a in truth["articles"] for u in a["requisites_disallowed"]}
    assert disallowed
    robots = {u for (u,) in index(archived).execute("select url from captures where outcome = 'robots'")}
    assert disallowed <= robots
    cdn_paths = {r["request"].split(" ", 1)[1] for r in requested(site) if r["host"] == "cdn"}
    assert not [p for p in cdn_paths if p.startswith("/private/")]


def test_articles_name_their_lead_image_and_their_requisites(site, archived):
    truth = {site.url + a["url"]: a for a in truth_of(site)["articles"]}
    rows = index(archived).execute("select url, image_url from articles").fetchall()
    with_lead = [(url, image) for url, image in rows if truth[url]["image_url"]]
    assert with_lead and sum(image == truth[url]["image_url"] for url, image in with_lead) >= 0.9 * len(
        with_lead
    )
    linked = {
        tuple(r)
        for r in index(archived).execute("select src_url, dst_url from links where kind = 'requisite'")
    }
    stylesheet = truth_of(site)["requisites"]["stylesheets"][0]
    for url, _image in with_lead:
        assert (url, stylesheet) in linked and (url, truth[url]["image_url"]) in linked


def test_a_later_run_takes_what_went_stale_again_as_revisits(site, archived, tmp_path):
    archive = tmp_path / "a"
    shutil.copytree(archived, archive)
    with sqlite3.connect(archive / "turan.db") as conn:  # a day later: every lifetime has run out
        conn.execute("update captures set expires_at = '2000-01-01T00:00:00.000000Z'")
    before = len(requested(site))
    assert crawl(archive, site).returncode == 0
    again = {r["request"].split(" ", 1)[1] for r in requested(site, before)}
    stylesheet = truth_of(site)["requisites"]["stylesheets"][0]
    assert any(stylesheet.endswith(path) for path in again)
    last_run = index(archive).execute("select max(id) from runs").fetchone()[0]
    outcomes = dict(
        index(archive)
        .execute(
            "select outcome, count(*) from captures where run_id = ? and url like '%/static/%' group by outcome",
            [last_run],
        )  # fmt: skip
        .fetchall()
    )
    assert outcomes.get("revisit", 0) > 0 and not outcomes.get("ok")  # unchanged: revisit records, no copy


def test_requisites_count_in_the_crawls_politeness(tmp_path):
    server = start_replica(articles=6, seed=32, faults=False)
    try:
        delay = 0.1
        result = run_cli("crawl", "--archive", str(tmp_path), "--start-url", server.url, "--quiet",
                         "--delay", str(delay), "--lang", "en", "--set", "AUTOTHROTTLE_ENABLED=0")  # fmt: skip
        assert result.returncode == 0, result.stderr
        times = sorted(r["t"] for r in requested(server))  # one download slot: the two ports share a host
    finally:
        server.stop()
    assert len(times) > 20
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert rate <= 1.3 / delay  # Scrapy waits 0.5 to 1.5 times the delay: on average, the delay


def test_robots_txt_of_a_cdn_off_the_crawls_hosts_is_read_and_obeyed(tmp_path, internal_name):
    name, address = internal_name  # the CDN: another host name, public as far as the crawl can tell
    cdn_paths: list[str] = []

    def cdn(path: str):
        cdn_paths.append(path)
        if path == "/robots.txt":
            return 200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow: /private/\n"
        return 200, [("Content-Type", "image/png")], b"\x89PNG\r\n\x1a\n"

    with tiny_site(cdn, host=address) as cdn_base:
        images = [cdn_base.replace(address, name) + path for path in ("/public/a.png", "/private/b.png")]
        front = "<html><body><h1>Front</h1>" + "".join(f"<img src='{u}'>" for u in images) + "</body></html>"
        page = (200, [("Content-Type", "text/html")], front.encode())
        with tiny_site(lambda path: page if path == "/en" else (404, [], b"")) as base:
            # the name resolves to this machine: let the crawl reach it as it would reach a public CDN
            resolver = "TWISTED_DNS_RESOLVER=scrapy.resolver.CachingThreadedResolver"
            result = run_cli(*crawl_args(tmp_path, base, "--delay", "0", "--lang", "en", "--set", resolver))
    assert result.returncode == 0, result.stderr
    assert "/robots.txt" in cdn_paths and "/public/a.png" in cdn_paths and "/private/b.png" not in cdn_paths
    outcomes = dict(index(tmp_path).execute("select url, outcome from captures where url like '%.png'"))
    assert outcomes == {images[0]: "ok", images[1]: "robots"}


@contextmanager
def front_page_site(front: str, files: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """A site whose /en is ``front`` and which serves ``files`` (CSS when named .css, else PNG): (its base,
    the paths requested)."""
    requested: list[str] = []

    def respond(path: str):
        requested.append(path)
        if path == "/en":
            return 200, [("Content-Type", "text/html")], front.encode()
        if path in files:
            return (
                200,
                [("Content-Type", "text/css" if path.endswith(".css") else "image/png")],
                files[path].encode(),
            )
        return 404, [], b""

    with tiny_site(respond) as base:
        yield base, requested


def test_a_stylesheet_is_read_for_two_levels_of_imports_and_no_deeper(tmp_path):
    chain = {  # each stylesheet imports the next and names an image
        f"/{name}.css": f'@import "{following}.css"; body {{ background: url(/{name}.png) }}'
        for name, following in zip("abcd", "bcde", strict=True)
    }
    images = {f"/{name}.png": "png" for name in "abcd"}
    front = "<html><head><link rel=stylesheet href=/a.css></head><body><p>Front.</p></body></html>"
    with front_page_site(front, {**chain, **images}) as (base, requested):
        result = run_cli(*crawl_args(tmp_path, base, "--delay", "0", "--lang", "en"))
    assert result.returncode == 0, result.stderr
    # the page's stylesheet, its import and its import's import; the images of the first two
    assert {p for p in requested if p[1] in "abcd"} == {"/a.css", "/a.png", "/b.css", "/b.png", "/c.css"}


def test_a_run_fetches_at_most_turan_max_requisites(tmp_path):
    images = {f"/image-{n}.png": "png" for n in range(10)}
    front = "<html><body><p>Front.</p>" + "".join(f"<img src={path}>" for path in images) + "</body></html>"
    with front_page_site(front, images) as (base, requested):
        capped = "TURAN_MAX_REQUISITES=4"
        result = run_cli(*crawl_args(tmp_path, base, "--delay", "0", "--lang", "en", "--set", capped))
    assert result.returncode == 0, result.stderr
    assert len([p for p in requested if p.startswith("/image-")]) == 4


# -- replay ----------------------------------------------------------------------------------------------
def browse(url: str, screenshot: str) -> tuple[list[tuple[str, int]], dict]:
    """Open ``url`` in Chromium: every request it made with its status, and what the page shows."""
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(exist_ok=True)
    seen: list[tuple[str, int]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on(
            "requestfinished",
            lambda req: seen.append((req.url, req.response().status if req.response() else 0)),
        )
        page.on("requestfailed", lambda req: seen.append((req.url, -1)))
        page.goto(url, wait_until="networkidle")
        frame = next((f for f in page.frames if f != page.main_frame), page.main_frame)
        shown = frame.evaluate(
            """() => ({
                images: [...document.images].filter(i => i.complete && i.naturalWidth > 0).map(i => i.currentSrc),
                styled: getComputedStyle(document.body).fontFamily,
                sheets: document.styleSheets.length,
            })"""
        )
        page.screenshot(path=str(OUTPUT / screenshot))
        browser.close()
    return seen, shown


def lead_name(url: str) -> str:
    """ "700061-lead" of ".../700061-lead.jpg": the browser may take a srcset size (-lead-1280.jpg)."""
    return url.rsplit("/", 1)[1].rsplit(".", 1)[0]


@pytest.fixture(scope="module")
def lead_article(site, archived) -> tuple[int, str, str, str]:
    """(capture id, fetched_at, URL, lead image URL) of an archived article with a lead image."""
    truth = {site.url + a["url"]: a for a in truth_of(site)["articles"]}
    for capture_id, fetched_at, url in index(archived).execute(
        "select c.id, c.fetched_at, a.url from articles a join captures c on c.id = a.capture_id"
    ):
        if truth[url]["image_url"] and truth[url]["skin"] == "classic":
            return capture_id, fetched_at, url, truth[url]["image_url"]
    raise AssertionError("no archived article with a lead image")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_the_datasette_view_shows_the_page_with_its_archived_requisites(site, archived, lead_article):
    capture_id, _when, _url, lead = lead_article
    with running_serve(archived) as (base, _serve):
        seen, shown = browse(f"{base}/-/turan/capture/{capture_id}", "archived-page-with-requisites.png")
    assert seen and all(url.startswith(base) for url, _ in seen), [
        u for u, _ in seen if not u.startswith(base)
    ]
    assert all(status == 200 for _, status in seen), [s for s in seen if s[1] != 200]
    assert any(lead_name(lead) in src for src in shown["images"]), shown  # the lead image, in the size chosen
    assert shown["sheets"] >= 1


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_pywb_replays_the_page_with_its_archived_requisites(site, archived, lead_article, pywb_bin, tmp_path):
    _capture_id, fetched_at, url, lead = lead_article
    stamp = "".join(ch for ch in fetched_at if ch.isdigit())[:14]
    site_bases = (site.url, site.cdn_url)
    with running_wayback(archived, pywb_bin, tmp_path) as base:
        seen, shown = browse(f"{base}/turan/{stamp}/{url}", "pywb-replay-with-requisites.png")
    assert not [u for u, _ in seen if u.startswith(site_bases)], "a request reached the live site"
    assert all(u.startswith(base) for u, _ in seen)
    page_assets = [(u, s) for u, s in seen if "/turan/" in u and ("/static/css" in u or "/images/" in u)]
    assert page_assets and all(status == 200 for _, status in page_assets), page_assets
    assert any(lead_name(lead) in src for src in shown["images"]), shown
