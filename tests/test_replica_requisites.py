"""The replica's page requisites (issue 19): stylesheets and what they import, fonts, CSS images, lead
images, photos in the text, furniture images and a script, some from a CDN on a second port; validators
and 304s; robots.txt per host; a request log per host with times; the truth; determinism; the export."""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import struct
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import fetch, truth_of

from turan_crawler.replica import ReplicaApp, ReplicaServer, Site, start_replica
from turan_crawler.replica.export import export_site

TYPES = {
    "css": "text/css",
    "js": "application/javascript",
    "svg": "image/svg+xml",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "woff2": "font/woff2",
    "woff": "font/woff",
}
IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+?)["']?\s*\)""")


@pytest.fixture(scope="module")
def site_map() -> Iterator[ReplicaServer]:
    server = start_replica(articles=150, seed=2, layout="sitemaps")
    yield server
    server.stop()


@pytest.fixture
def small() -> Iterator[ReplicaServer]:
    server = start_replica(articles=30, seed=8, faults=False)
    yield server
    server.stop()


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET"):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def kind_of(url: str) -> str:
    return urlsplit(url).path.rsplit(".", 1)[-1]


class References(HTMLParser):
    """What a page references, as a requisite-fetching crawler reads it: stylesheets, preloads, images
    (src, srcset, data-src, data-srcset, <picture> sources), og:image; scripts apart; data: URIs skipped."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.urls: set[str] = set()
        self.scripts: set[str] = set()
        self.stylesheets: set[str] = set()

    def _add(self, value: str | None, into: set[str] | None = None) -> None:
        if value and not value.startswith("data:"):
            (self.urls if into is None else into).add(urljoin(self.page_url, value.strip()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        rel = (a.get("rel") or "").lower()
        if tag == "link" and rel in ("stylesheet", "preload"):
            self._add(a.get("href"))
            if rel == "stylesheet":
                self._add(a.get("href"), self.stylesheets)
        elif tag == "script":
            self._add(a.get("src"), self.scripts)
        elif tag in ("img", "source"):
            self._add(a.get("src"))
            self._add(a.get("data-src"))
            for name in ("srcset", "data-srcset"):
                for candidate in (a.get(name) or "").split(","):
                    if candidate.strip():
                        self._add(candidate.split()[0])
        elif tag == "meta" and a.get("property") == "og:image":
            self._add(a.get("content"))


def css_references(css_url: str, seen: dict[str, set[str]]) -> set[str]:
    """Every URL a stylesheet names (imports followed); each stylesheet fetched once, its URLs kept in
    ``seen``."""
    if css_url in seen:
        return seen[css_url]
    seen[css_url] = set()  # an import cycle ends here
    status, headers, body = get(css_url)
    assert status == 200 and headers["Content-Type"].startswith("text/css"), css_url
    text = body.decode()
    found = {urljoin(css_url, u) for u in CSS_URL.findall(text)}
    for imported in IMPORT.findall(text):
        target = urljoin(css_url, imported)
        found |= {target} | css_references(target, seen)
    seen[css_url] = found
    return found


def page_requisites(page_url: str, body: bytes, css_cache: dict[str, set[str]]) -> tuple[set[str], set[str]]:
    refs = References(page_url)
    refs.feed(body.decode("utf-8"))
    urls = set(refs.urls)
    for sheet in refs.stylesheets:
        urls |= css_references(sheet, css_cache)
    return urls, refs.scripts


def sample(truth: dict, skin: str, count: int = 8) -> list[dict]:
    """Plain-variant articles of a skin: some with photos in every form, some without a lead image."""
    arts = [a for a in truth["articles"] if a["skin"] == skin and a["variant"] is None]
    picked = arts[:: max(1, len(arts) // count)][:count]
    picked += [a for a in arts if a["image_url"] is None][:2]
    picked += [a for a in arts if len(a["requisites"]) > len(truth["requisites"]["shared"]) + 4][:2]
    return list({a["url"]: a for a in picked}.values())


def check_requisites(server: ReplicaServer, truth: dict, fetched: dict[str, str]) -> None:
    """Every page of each skin references exactly its truth, and every requisite answers 200 as its type."""
    css: dict[str, set[str]] = {}
    for skin in ("classic", "magazine", "legacy"):
        for art in sample(truth, skin):
            page = fetch(server.url, art["url"])
            assert page.status == 200, art["url"]
            referenced, scripts = page_requisites(server.url + art["url"], page.body, css)
            assert referenced == set(art["requisites"]) | set(art["requisites_disallowed"]), art["url"]
            assert scripts == set(art["scripts"]) == set(truth["requisites"]["scripts"])
            assert set(truth["requisites"]["shared"]) <= set(art["requisites"])
            for url in art["requisites"] + art["scripts"]:
                if url not in fetched:
                    status, headers, _ = get(url)
                    assert status == 200, url
                    fetched[url] = headers["Content-Type"]
                assert fetched[url].startswith(TYPES[kind_of(url)]), url


# -- every page's requisites ---------------------------------------------------------------------------


def test_every_truth_requisite_answers_with_its_type_in_each_skin(replica, replica_truth):
    fetched: dict[str, str] = {}
    check_requisites(replica, replica_truth, fetched)
    hosts = Counter(urlsplit(u).port for u in fetched)
    assert set(hosts) == {replica.port, replica.cdn_port} and replica.port != replica.cdn_port
    assert {kind_of(u) for u in fetched} == set(TYPES)  # every kind of file, scripts included


def test_every_truth_requisite_answers_in_the_sitemaps_layout(site_map):
    truth = truth_of(site_map)
    assert truth["layout"] == "sitemaps" and truth["requisites"]["cdn"] == site_map.cdn_url
    check_requisites(site_map, truth, {})


@pytest.mark.parametrize("layout", ["classic", "sitemaps"])
def test_listings_and_front_pages_link_the_shared_requisites(replica, site_map, layout):
    server = replica if layout == "classic" else site_map
    truth = truth_of(server)
    css: dict[str, set[str]] = {}
    paths = ["/en", "/az", "/ru", *truth["listings"][1:40:13]]
    for path in paths:
        page = fetch(server.url, path)
        assert page.status == 200, path
        referenced, scripts = page_requisites(server.url + path, page.body, css)
        assert referenced == set(truth["requisites"]["shared"]), path
        assert scripts == set(truth["requisites"]["scripts"])


def test_lead_images_photos_and_captions_take_every_form(replica, replica_truth):
    arts = replica_truth["articles"]
    with_lead = [a for a in arts if a["image_url"]]
    assert 0.7 < len(with_lead) / len(arts) < 0.95  # most articles, not all
    seed = next(a for a in arts if a["article_id"] == 764817)
    assert seed["image_url"].startswith(replica.cdn_url + "/images/2023/04/764817-lead.jpg")
    markup = Counter()
    for skin in ("classic", "magazine", "legacy"):
        for art in [a for a in with_lead if a["skin"] == skin and a["variant"] is None][:40]:
            page = fetch(replica.url, art["url"]).body.decode()
            lead = re.search(r'<img src="([^"]+-lead\.jpg)" srcset="([^"]+)"[^>]*alt="', page)
            assert lead and lead.group(1) == art["image_url"], art["url"]
            assert "-lead-640.jpg 640w" in lead.group(2) and "-lead-1280.jpg 1280w" in lead.group(2)
            caption = re.search(
                r"<figure [^>]*>(?:(?!</figure>).)*<figcaption[^>]*>[^<]+</figcaption></figure>", page
            )
            assert bool(caption) == (skin != "legacy"), art["url"]  # captions only inside a <figure>
            markup["og"] += f'<meta property="og:image" content="{art["image_url"]}">' in page
            markup["jsonld"] += '"image": {"@type": "ImageObject", "url": "' + art["image_url"] in page
            markup["picture"] += bool(
                re.search(r'<picture><source srcset="[^"]+\.webp" type="image/webp">', page)
            )
            markup["lazy"] += bool(
                re.search(
                    r'<img class="lazyload" src="data:image/gif;base64,[^"]+" data-src="/uploads/', page
                )
            )
            markup["data-srcset"] += "@2x.jpg 2x" in page
            markup["loading"] += 'loading="lazy"' in page and skin != "magazine"  # magazine leads are lazy
            markup["relative"] += bool(re.search(r'<img src="/uploads/[^"]+" alt=""', page))
            markup["absolute"] += bool(
                re.search(rf'<img src="{re.escape(replica.cdn_url)}/images/[^"]+" alt=""', page)
            )
            if skin == "legacy":
                assert "og:" not in page
    assert all(
        markup[k] >= 2
        for k in ("og", "jsonld", "picture", "lazy", "data-srcset", "loading", "relative", "absolute")
    ), markup


def test_furniture_images_are_the_same_few_urls_on_every_page(replica, replica_truth):
    icons = set()
    for art in replica_truth["articles"][:30]:
        page = fetch(replica.url, art["url"]).body.decode("utf-8", errors="replace")
        icons |= set(re.findall(r'<img src="(//127\.0\.0\.1:\d+/icons/[a-z]+\.png)"', page))
        assert page.count("/img/logo.svg") == 1
    assert icons == {f"//127.0.0.1:{replica.cdn_port}/icons/{n}.png" for n in ("facebook", "x", "telegram")}


# -- CSS ---------------------------------------------------------------------------------------------------


def test_stylesheet_imports_fonts_and_images_resolve(replica, replica_truth):
    sheet = replica_truth["requisites"]["stylesheets"][0]
    assert re.search(r"/static/css/site\.css\?v=[0-9a-f]{8}$", sheet)
    css = get(sheet)[2].decode()
    assert css.index('@import url("fonts.css");') < css.index('@import "print.css" print;') < css.index("{")
    assert '@font-face{font-family:"Turan Sans"' in css
    assert f'src:url({replica.cdn_url}/fonts/turan-sans-regular.woff2) format("woff2"),' in css
    assert f'url({replica.cdn_url}/fonts/turan-sans-regular.woff) format("woff")' in css
    for form in ('url("../img/bg-pattern.png")', "url(../img/header-rule.gif)", "url('../img/quote.webp')"):
        assert form in css  # double-quoted, unquoted, single-quoted
    seen: dict[str, set[str]] = {}
    found = css_references(sheet, seen)
    assert set(seen) == {sheet, f"{replica.url}/static/css/fonts.css", f"{replica.url}/static/css/print.css"}
    fonts = {u for u in found if kind_of(u) in ("woff2", "woff")}
    assert {urlsplit(u).port for u in fonts} == {replica.port, replica.cdn_port}
    for url in found:
        status, headers, body = get(url)
        assert status == 200 and headers["Content-Type"].startswith(TYPES[kind_of(url)]), url
        if kind_of(url) in ("woff2", "woff"):
            assert body[:4] == (b"wOF2" if kind_of(url) == "woff2" else b"wOFF")
        if urlsplit(url).port == replica.cdn_port:
            assert headers["Access-Control-Allow-Origin"] == "*"  # cross-origin fonts need CORS
    assert found <= set(replica_truth["requisites"]["shared"])


# -- the CDN host -----------------------------------------------------------------------------------------


def test_cdn_is_another_port_with_its_own_robots_txt(replica, replica_truth):
    cdn = replica.cdn_url
    assert cdn and replica.cdn_port != replica.port and replica_truth["requisites"]["cdn_separate"]
    robots = fetch(cdn, "/robots.txt")
    assert robots.status == 200 and robots.headers["Content-Type"] == "text/plain"
    assert "Disallow: /private/" in robots.body.decode()
    assert "/private/" not in fetch(replica.url, "/robots.txt").body.decode()
    assert replica_truth["requisites"]["cdn_robots_disallowed"] == ["/private/"]
    lead = urlsplit(
        replica_truth["articles"][0]["image_url"] or replica_truth["articles"][1]["image_url"]
    ).path
    assert fetch(cdn, lead).status == 200 and fetch(replica.url, lead).status == 404  # each host its own
    assert fetch(cdn, "/en").status == 404 and fetch(cdn, "/_replica/truth.json").status == 404
    assert fetch(cdn, "/images/2024/05/1-lead.jpg").status == 404  # only what pages reference
    blocked = [a for a in replica_truth["articles"] if a["requisites_disallowed"]]
    assert blocked and all(len(a["requisites_disallowed"]) == 1 for a in blocked)
    for art in blocked:
        url = art["requisites_disallowed"][0]
        assert url.startswith(f"{cdn}/private/") and url not in art["requisites"]
        assert url in fetch(replica.url, art["url"]).body.decode()
        assert get(url)[0] == 200  # it is there: only robots.txt keeps a polite crawler away


def test_conditional_requests_revalidate_with_304(replica, replica_truth):
    art = next(a for a in replica_truth["articles"] if a["image_url"])
    for url in (
        art["image_url"],
        replica_truth["requisites"]["stylesheets"][0],
        f"{replica.cdn_url}/fonts/turan-sans-bold.woff2",
    ):
        status, headers, body = get(url)
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert status == 200 and etag == '"' + hashlib.sha256(body).hexdigest()[:24] + '"'  # a content hash
        assert headers["Cache-Control"].startswith("public, max-age=")
        assert parsedate_to_datetime(modified).tzinfo is not None
        for conditional in (
            {"If-None-Match": etag},
            {"If-None-Match": f'"x", W/{etag}'},
            {"If-Modified-Since": modified},
        ):
            status, headers304, body304 = get(url, conditional)
            assert status == 304 and body304 == b"" and headers304["ETag"] == etag, conditional
        assert get(url, {"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200  # INM decides
        earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2001), usegmt=True)
        assert get(url, {"If-Modified-Since": earlier})[0] == 200
        status, head_headers, head_body = get(url, method="HEAD")
        assert status == 200 and head_body == b"" and int(head_headers["Content-Length"]) == len(body)
    # a 304 leaves a keep-alive connection usable
    parts = urlsplit(art["image_url"])
    conn = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        first = get(art["image_url"])
        conn.request("GET", parts.path, headers={"If-None-Match": first[1]["ETag"]})
        resp = conn.getresponse()
        assert resp.status == 304 and resp.read() == b""
        conn.request("GET", parts.path)
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == first[2]
    finally:
        conn.close()


# -- the request log ---------------------------------------------------------------------------------------


def test_request_log_records_each_host_and_time(small):
    truth = truth_of(small)
    art = next(a for a in truth["articles"] if a["image_url"] and a["variant"] is None)
    fetch(small.url, art["url"])
    get(truth["requisites"]["stylesheets"][0])
    get(art["image_url"])
    get(small.cdn_url + "/robots.txt")
    main = json.loads(fetch(small.url, "/_replica/requests.json").body)
    cdn = json.loads(fetch(small.url, "/_replica/cdn_requests.json").body)
    timed = json.loads(fetch(small.url, "/_replica/requests_timed.json").body)
    lead_path = urlsplit(art["image_url"]).path
    assert f"GET {art['url']}" in main and any(r.startswith("GET /static/css/site.css?v=") for r in main)
    assert cdn == [f"GET {lead_path}", "GET /robots.txt"] and not any(lead_path in r for r in main)
    assert [e["request"] for e in timed if e["host"] == "main"] == main
    assert [e["request"] for e in timed if e["host"] == "cdn"] == cdn
    assert [e["status"] for e in timed if e["host"] == "cdn"] == [200, 200]
    times = [e["t"] for e in timed]
    assert times == sorted(times) and all(datetime.fromisoformat(e["time"]).tzinfo for e in timed)
    per_host = Counter(
        e["host"] for e in timed
    )  # what a politeness test measures: requests per second per host
    span = max(times) - min(times) or 1e-6
    assert per_host["cdn"] == 2 and per_host["cdn"] / span > 0


def test_published_articles_bring_their_images(small):
    added = json.loads(fetch(small.url, "/_replica/publish?count=6").body)
    truth = truth_of(small)
    new = [a for a in truth["articles"] if a["url"] in added]
    assert any(a["image_url"] for a in new)
    for art in new:
        for url in art["requisites"]:
            assert get(url)[0] == 200, url


# -- switching the CDN off ------------------------------------------------------------------------------------


def test_cdn_can_be_switched_off():
    server = start_replica(articles=60, seed=8, faults=False, cdn=False)
    try:
        truth = truth_of(server)
        assert server.cdn_url is None and truth["requisites"]["cdn"] == server.url
        assert not truth["requisites"]["cdn_separate"] and "/private/" in truth["robots_disallowed"]
        assert "Disallow: /private/" in fetch(server.url, "/robots.txt").body.decode()
        urls = {u for a in truth["articles"] for u in a["requisites"] + a["requisites_disallowed"]}
        assert {urlsplit(u).netloc for u in urls} == {urlsplit(server.url).netloc}
        for url in sorted(urls)[:80]:
            status, headers, _ = get(url)
            assert status == 200 and headers["Content-Type"].startswith(TYPES[kind_of(url)]), url
        check_requisites(server, truth, {})
    finally:
        server.stop()


# -- bytes ---------------------------------------------------------------------------------------------------


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    out, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        assert struct.unpack(">I", png[at + 8 + length : at + 12 + length])[0] == zlib.crc32(kind + data)
        out.append((kind, data))
        at += 12 + length
    return out


def _check_image(kind: str, body: bytes) -> None:
    """Structure, checked with the standard library: signatures, sizes, checksums."""
    if kind == "jpg":
        assert body[:2] == b"\xff\xd8" and body[-2:] == b"\xff\xd9"
        sof = body.index(b"\xff\xc0")
        height, width = struct.unpack(">HH", body[sof + 5 : sof + 9])
        assert width and height and b"\xff\xda" in body
    elif kind == "png":
        assert body[:8] == b"\x89PNG\r\n\x1a\n"
        chunks = dict(_chunks(body))
        width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
        assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + 3 * width)
    elif kind == "gif":
        assert body[:6] == b"GIF89a" and body[-1:] == b";"
    elif kind == "webp":
        assert body[:4] == b"RIFF" and body[8:12] == b"WEBP"
        assert struct.unpack("<I", body[4:8])[0] == len(body) - 8 and b"VP8L" in body
    elif kind == "svg":
        assert body.startswith(b"<svg ")


def _all_bodies(app: ReplicaApp, host: str) -> dict[str, bytes]:
    out = {}
    for asset in app.catalogue.all():
        resp = app.respond("GET", asset.path, host, origin=asset.origin)
        assert resp.status == 200
        out[f"{asset.origin}:{asset.path}"] = resp.body
    return out


def test_requisite_bytes_are_real_small_distinct_and_deterministic():
    apps = [ReplicaApp(Site(articles=80, seed=4), cdn_base="http://127.0.0.1:9") for _ in range(2)]
    first, second = (_all_bodies(app, "127.0.0.1:8") for app in apps)
    assert first == second
    assert apps[0].truth("http://127.0.0.1:8") == apps[1].truth("http://127.0.0.1:8")
    images = {k: v for k, v in first.items() if kind_of(k) in ("jpg", "png", "gif", "webp")}
    assert {kind_of(k) for k in images} == {"jpg", "png", "gif", "webp"}
    assert len({hashlib.sha256(b).digest() for b in images.values()}) == len(images)  # each URL its own bytes
    for key, body in images.items():
        assert 80 <= len(body) <= 8192, key
        _check_image(kind_of(key), body)
    _check_image("svg", first["main:/img/logo.svg"])
    other = _all_bodies(ReplicaApp(Site(articles=80, seed=5), cdn_base="http://127.0.0.1:9"), "127.0.0.1:8")
    assert other["main:/static/css/site.css"] == first["main:/static/css/site.css"]  # the site's own files
    assert set(other) != set(first)  # the articles' photos are content


def test_requisites_never_change_an_articles_truth_fields():
    plain = ReplicaApp(Site(articles=60, seed=3)).truth()["articles"]
    served = ReplicaApp(Site(articles=60, seed=3), cdn_base="http://127.0.0.1:9").truth()["articles"]
    keys = {"requisites", "requisites_disallowed", "image_url"}
    assert [{k: v for k, v in a.items() if k not in keys} for a in plain] == [
        {k: v for k, v in a.items() if k not in keys} for a in served
    ]


# -- export -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cdn", [True, False])
def test_export_writes_the_requisites_and_a_cdn_server(tmp_path, cdn):
    app = ReplicaApp(Site(articles=40, seed=6, faults=False))
    count = export_site(app, tmp_path, port=8097, cdn=cdn)
    truth = app.truth()
    assert count == len(app.listing_paths()) + len(truth["articles"]) + 7  # pages only, as before
    truth = json.loads((tmp_path / "site" / "_replica" / "truth.json").read_text())
    assert truth["requisites"]["main"] == "http://127.0.0.1:8097"
    assert truth["requisites"]["cdn"] == ("http://127.0.0.1:8098" if cdn else "http://127.0.0.1:8097")
    folders = {8097: tmp_path / "site", 8098: tmp_path / "cdn"}
    urls = {u for a in truth["articles"] for u in a["requisites"] + a["scripts"] + a["requisites_disallowed"]}
    for url in urls:
        parts = urlsplit(url)
        dest = folders[parts.port] / parts.path.lstrip("/")
        assert dest.read_bytes(), url
        asset = next(x for x in app.catalogue.all() if x.path == parts.path)
        assert dest.stat().st_mtime == asset.modified.timestamp()  # nginx's Last-Modified
    page = (tmp_path / "site" / truth["articles"][0]["url"].strip("/") / "index.html").read_text()
    conf = (tmp_path / "nginx.conf").read_text()
    assert "text/css css" in conf and "image/webp webp" in conf and "font/woff2 woff2" in conf
    if cdn:
        assert "http://127.0.0.1:8098/" in page and "listen 127.0.0.1:8098" in conf
        assert "Disallow: /private/" in (tmp_path / "cdn" / "robots.txt").read_text()
    else:
        assert "127.0.0.1:8098" not in page and "listen 127.0.0.1:8098" not in conf
        assert "Disallow: /private/" in (tmp_path / "site" / "robots.txt").read_text()
