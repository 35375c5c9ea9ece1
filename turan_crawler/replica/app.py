"""The replica's routes: what each URL answers, including served variants, faults and control endpoints.

``ReplicaApp.respond`` is independent of any socket: the HTTP server and the static exporter both use it.
The site's layout decides the listing and sitemap URLs: ``classic`` (a news line and category pages with
``?page=N``, one sitemap per language) or ``sitemaps`` (no news line, shallow category pages paginated by
path, a sitemap index of month sitemaps per language); see structure.py.

Page requisites (stylesheets, fonts, images, a script; requisites.py) come from two hosts: the main one and
a CDN, which a second server (server.py) answers through ``respond(..., origin="cdn")``. The app learns the
CDN's base from ``cdn_base``; without one, the main host serves the CDN's paths itself. Every request is
logged with its host and time (``/_replica/requests.json`` keeps its old form: the main host's requests).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from . import render, structure, texts
from . import requisites as req
from .requisites import CDN, MAIN, Bases
from .site import SEED_ARTICLE_PATH, Article, Site

HTML = "text/html; charset=utf-8"
HUGE_PAGE_BYTES = 20 * 1024 * 1024


@dataclass
class Response:
    """What the server sends. ``transport`` selects how the body travels (see server.py)."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    transport: str = "plain"  # plain | chunked | drop_mid_body | short_body | headers_only (a 304)
    delay: float = 0.0


@dataclass(frozen=True)
class Fault:
    kind: str
    path: str
    expect: str  # the crawl's outcome for it: error | blocked | not_article | robots | article
    status: int | None


FAULTS = [
    Fault("server_error", "/en/politics/server-error-fault-500", "error", 500),
    Fault("unavailable", "/en/politics/service-unavailable-fault-503", "error", 503),
    Fault("rate_limited", "/en/politics/too-many-requests-fault-429", "error", 429),
    Fault("dropped_connection", "/en/politics/dropped-connection-fault", "error", 200),
    Fault("short_body", "/en/politics/short-body-fault", "error", 200),
    Fault("redirect_chain", "/en/politics/redirect-chain-fault-3", "article", 301),
    Fault("redirect_loop", "/en/politics/redirect-loop-fault-a", "error", 302),
    Fault("not_found", "/en/politics/removed-article-fault-404", "error", 404),
    Fault("gone", "/en/politics/withdrawn-article-fault-410", "error", 410),
    Fault("challenge", "/en/politics/challenge-fault", "blocked", 403),
    Fault("binary_pdf", "/en/economics/annual-report-fault-pdf", "not_article", 200),
    Fault("binary_mislabelled", "/en/economics/photo-gallery-fault-binary", "not_article", 200),
    Fault("robots_disallowed", "/en/closed/internal-memo-fault-robots", "robots", 200),
]
FAULT_BY_PATH = {f.path: f for f in FAULTS}
CHALLENGE_BODY = (
    b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    b'<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">'
    b"<h1>turan.az</h1><h2>Verifying you are human. This may take a few seconds.</h2>"
    b"<noscript>Enable JavaScript and cookies to continue</noscript>"
    b"<script>window._cf_chl_opt={cvId:'3',cType:'managed'};</script></div></body></html>"
)
PDF_BODY = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
)
JPEG_BODY = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 60


def _cookies(path: str) -> list[tuple[str, str]]:
    """Two Set-Cookie headers on every page, as a Laravel site behind Cloudflare sends them."""
    token = hashlib.sha1(path.encode()).hexdigest()
    return [
        ("Set-Cookie", f"XSRF-TOKEN={token[:20]}; expires=Wed, 14 Jan 2026 14:00:00 GMT; path=/"),
        ("Set-Cookie", f"turan_session={token[20:]}; path=/; httponly; samesite=lax"),
    ]


def html_response(text: str, path: str, status: int = 200) -> Response:
    return Response(status, text.encode("utf-8"), [("Content-Type", HTML), *_cookies(path)])


def _malform(text: str) -> str:
    """Break the markup the way old CMS pages are broken: unclosed <p> and <tr>, stray closers, no </html>."""
    text = text.replace("</p>", "").replace("</tr>", "")
    text = re.sub(
        r'<(h1|td) class="(news-title|entry-title|art-ttl)">', r"</span></font><\1 class=\2>", text, count=1
    )
    return text.replace("</body>\n</html>\n", "")


def serve_variant(art: Article, page: str, accepts_gzip: bool) -> Response:
    """Encode an article page the way its served variant asks for (charset, gzip, transport, size)."""
    resp = html_response(page, art.path)
    variant = art.variant
    if variant in ("cp1251", "cp1251_meta_only", "wrong_charset"):
        page = page.replace('<meta charset="utf-8">', '<meta charset="windows-1251">')
        resp.body = page.encode("cp1251", errors="xmlcharrefreplace")
        content_type = {
            "cp1251": "text/html; charset=windows-1251",
            "cp1251_meta_only": "text/html",
            "wrong_charset": HTML,
        }[variant]
        resp.headers[0] = ("Content-Type", content_type)
    elif variant == "latin1_header":
        resp.headers[0] = ("Content-Type", "text/html; charset=iso-8859-1")
    elif variant == "malformed":
        resp.body = _malform(page).encode("utf-8")
    elif variant == "gzip" and accepts_gzip:
        resp.body = gzip.compress(resp.body, compresslevel=6, mtime=0)
        resp.headers.append(("Content-Encoding", "gzip"))
        resp.headers.append(("Vary", "Accept-Encoding"))
    elif variant == "chunked":
        resp.transport = "chunked"
    elif variant == "huge":
        filler = "<!-- " + "x" * (HUGE_PAGE_BYTES - len(resp.body)) + " -->"
        resp.body = page.replace("</body>", f"<script>var __CACHE__=1;</script>{filler}</body>").encode()
    return resp


# Paths under which the main host may have requisites; the CDN's own prefixes when it has no CDN.
MAIN_ASSET_PREFIXES = ("/static/", "/img/", "/uploads/")
CDN_ASSET_PREFIXES = ("/images/", "/fonts/", "/icons/", req.PRIVATE_DIR)
CDN_NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"


class ReplicaApp:
    """Routes requests to pages of a :class:`Site`, keeps a request log, and serves the control API.

    ``cdn_base`` (``http://127.0.0.1:PORT``, set by :class:`ReplicaServer` when it runs the CDN) is where
    pages say the CDN is; None: the CDN's files are served by the main host at the same paths.
    """

    def __init__(self, site: Site, slow_seconds: float = 2.0, cdn_base: str | None = None):
        self.site = site
        self.slow_seconds = slow_seconds
        self.cdn_base = cdn_base
        self.base_url: str | None = None  # the main host's base, when a server runs it (for truth())
        self.catalogue = req.Catalogue(site)
        self.requests: deque[str] = deque(maxlen=1_000_000)  # the main host's "METHOD target"
        self.cdn_requests: deque[str] = deque(maxlen=1_000_000)  # the CDN's
        self.timed: deque[list] = deque(maxlen=1_000_000)  # [host, "METHOD target", monotonic, wall, status]
        self._t0 = time.monotonic()
        self._log_lock = threading.Lock()
        self._xml_cache: dict[tuple[int, str, str], bytes] = {}  # (generation, base, path) -> sitemap bytes
        self._xml_generation = -1

    # -- truth ------------------------------------------------------------------------------------
    def bases(self, host: str) -> Bases:
        """The two hosts as a page served to ``host`` names them."""
        main = f"http://{host}"
        return Bases(main, self.cdn_base or main)

    def truth(self, base: str | None = None) -> dict:
        """Everything a test needs to judge a crawl: articles with expected fields, listings, faults.

        ``base`` (``http://host:port``) makes the requisites' URLs absolute; served over HTTP it is the
        request's host; by default the running server's URL (or ``http://127.0.0.1``).
        """
        main = base or self.base_url or "http://127.0.0.1"
        bases = Bases(main, self.cdn_base or main)
        with self.site.lock:  # one consistent state, even while the control API publishes
            return self._truth(bases)

    def _truth(self, bases: Bases) -> dict:
        site = self.site
        faults = []
        if site.faults:
            for f in FAULTS:
                entry = {"kind": f.kind, "url": f.path, "expect": f.expect, "status": f.status}
                if f.kind == "redirect_chain":
                    entry["redirects_to"] = SEED_ARTICLE_PATH
                faults.append(entry)
        all_articles = site.all_articles()
        articles = [site.article_truth(a) | req.article_requisites(a, bases) for a in all_articles]
        robots = ["/_replica/", "/search", "/print/", "/en/closed/"]
        truth = {
            "seed": site.seed,
            "layout": site.layout,
            "generation": site.generation,
            "now": site.now.isoformat(),
            "articles": articles,
            "listings": self.listing_paths(),
            "faults": faults,
            "robots_disallowed": robots + ([] if bases.separate else req.CDN_ROBOTS_DISALLOWED),
            "requisites": req.site_requisites(bases),
        }
        if site.layout == "classic":  # every live article is on the news line and its category's pages
            truth["must_reach"] = [a["url"] for a in articles if a["removed_status"] is None]
            return truth
        layout = structure.structure(site)
        for art, entry in zip(all_articles, articles, strict=True):
            entry["lastmod"] = art.lastmod.isoformat()
            entry["reachable_via"] = layout.reachable_via[art.path]
        truth["sitemaps"] = {
            "index": [structure.index_path(lang) for lang in texts.LANGS],
            "months": [
                {
                    "url": m.path,
                    "lang": m.lang,
                    "month": m.month,
                    "lastmod": m.lastmod.isoformat(),
                    "gzipped": m.gzipped,
                    "urls": len(m.articles),
                }
                for lang in texts.LANGS
                for m in layout.months[lang]
            ],
        }
        truth["must_reach"] = [a["url"] for a in articles if a["reachable_via"]]
        truth["pagination"] = {
            "page_size": structure.PATH_PAGE_SIZE,
            "shallow_pages": structure.SHALLOW_PAGES,
            "deep_categories": [f"/{lang}/{slug}" for lang, slug in structure.DEEP_CATEGORIES.items()],
        }
        return truth

    def sitemap_paths(self) -> list[str]:
        """Every sitemap URL the site serves: the indexes first, then what they list."""
        if self.site.layout == "classic":
            return [
                f"/storage/sitemap/{lang}/sitemap{kind}_0.xml"
                for lang in texts.LANGS
                for kind in ("", "_index")
            ]
        layout = structure.structure(self.site)
        return [structure.index_path(lang) for lang in texts.LANGS] + [
            m.path for lang in texts.LANGS for m in layout.months[lang]
        ]

    def listing_paths(self) -> list[str]:
        """Every listing page: front pages, news-line pages and category pages with their page numbers."""
        if self.site.layout != "classic":
            return list(structure.structure(self.site).listings)
        paths = []
        for lang in texts.LANGS:
            paths.append(f"/{lang}")
            for base, items in self._listings(lang):
                pages = max(1, -(-len(items) // render.PAGE_SIZE))
                paths += [base] + [f"{base}?page={n}" for n in range(2, pages + 1)]
        return paths

    def _listings(self, lang: str) -> list[tuple[str, list[Article]]]:
        out = [(f"/{lang}/news-line", self.site.live_articles(lang))]
        out += [
            (f"/{lang}/{slug}", self.site.live_articles(lang, slug)) for slug, _ in texts.CATEGORIES[lang]
        ]
        return out

    # -- routing ----------------------------------------------------------------------------------
    def log(self, method: str, target: str, host: str = MAIN) -> list:
        """Record a request; returns its timed entry, whose status the caller fills in."""
        line = f"{method} {target}"
        entry = [host, line, time.monotonic() - self._t0, time.time(), None]
        with self._log_lock:
            (self.requests if host == MAIN else self.cdn_requests).append(line)
            self.timed.append(entry)
        return entry

    def timed_log(self) -> list[dict]:
        """Every request to either host, in order: host, request line, seconds since the app started
        (monotonic), wall-clock time (ISO 8601, UTC) and the status answered."""
        with self._log_lock:
            entries = list(self.timed)
        return [
            {
                "host": host,
                "request": line,
                "t": round(mono, 6),
                "time": datetime.fromtimestamp(wall, UTC).isoformat(timespec="microseconds"),
                "status": status,
            }
            for host, line, mono, wall, status in entries
        ]

    def respond(
        self,
        method: str,
        target: str,
        host: str,
        accept_encoding: str = "",
        headers=None,
        origin: str = MAIN,
    ) -> Response:
        """The response to one request. ``target`` is the request line's path and query; ``headers`` (any
        mapping with ``.get``) are the request's, for conditional requests; ``origin`` is the host asked:
        ``"main"`` or ``"cdn"``."""
        split = urlsplit(target)
        path, query = split.path.rstrip("/") or "/", parse_qs(split.query)
        if path.startswith("/_replica/") and origin == MAIN:
            return self._control(path, query, host)
        entry = self.log(method, target, origin)
        if origin == CDN:
            resp = self._cdn(split.path, headers)
        else:
            resp = self._route(path, query, host, accept_encoding, headers)
        entry[4] = resp.status
        return resp

    def _cdn(self, path: str, headers) -> Response:
        """The CDN host: its robots.txt and its files, nothing else."""
        if path == "/robots.txt":
            return Response(200, req.cdn_robots_txt().encode(), [("Content-Type", "text/plain")])
        asset = self.catalogue.find(CDN, path) if path.startswith(CDN_ASSET_PREFIXES) else None
        if asset is None:
            return Response(404, CDN_NOT_FOUND, [("Content-Type", "text/html")])
        return self._asset(asset, Bases("", ""), headers)

    def _find_asset(self, path: str) -> req.Asset | None:
        if path.startswith(MAIN_ASSET_PREFIXES):
            return self.catalogue.find(MAIN, path)
        if not self.cdn_base and path.startswith(CDN_ASSET_PREFIXES):
            return self.catalogue.find(CDN, path)
        return None

    def _asset(self, asset: req.Asset, bases: Bases, headers) -> Response:
        """A requisite with its validators; 304 Not Modified when the request's match."""
        body = self.catalogue.body(asset, bases)
        etag = req.etag_of(body)
        validators = [
            ("Cache-Control", req.CACHE_CONTROL.get(asset.kind, req.IMMUTABLE)),
            ("ETag", etag),
            ("Last-Modified", req.http_date(asset.modified)),
        ]
        if asset.origin == CDN and self.cdn_base:
            validators.append(("Access-Control-Allow-Origin", "*"))
        if req.not_modified(headers, etag, asset.modified):
            return Response(304, b"", validators, transport="headers_only")
        return Response(200, body, [("Content-Type", req.CONTENT_TYPES[asset.kind]), *validators])

    def _route(self, path: str, query: dict, host: str, accept_encoding: str, headers) -> Response:
        base = f"http://{host}"
        if path == "/":
            return Response(301, b"", [("Location", "/az"), ("Content-Type", HTML)])
        if path == "/robots.txt":
            robots = render.robots_txt(base, cdn_here=not self.cdn_base)
            return Response(200, robots.encode(), [("Content-Type", "text/plain")])
        asset = self._find_asset(path)
        if asset is not None:
            return self._asset(asset, self.bases(host), headers)
        if path == "/rss":
            return self._challenge()
        if self.site.layout != "classic" and path.startswith(structure.SITEMAP_DIR + "/"):
            return self._month_sitemaps(path, base)
        sitemap = re.fullmatch(r"/storage/sitemap/(en|az|ru)/sitemap_(index_)?0\.xml", path)
        if sitemap and self.site.layout == "classic":
            lang = sitemap.group(1)
            xml = (
                render.sitemap_index(base, lang)
                if sitemap.group(2)
                else render.sitemap(self.site, base, lang)
            )
            return Response(200, xml.encode(), [("Content-Type", "application/xml")])
        if self.site.faults and path in FAULT_BY_PATH:
            return self._fault(FAULT_BY_PATH[path])
        if self.site.faults and path.startswith("/en/politics/redirect-"):
            return self._redirect_step(path)
        art = self.site.by_path.get(path)
        if art is not None:
            return self._article(art, base, accept_encoding)
        classic = self.site.layout == "classic"
        bases = self.bases(host)
        listing = self._listing(path, query, bases) if classic else self._path_listing(path, bases)
        if listing is not None:
            return listing
        return html_response(self._not_found_page(), path, 404)

    def _path_listing(self, path: str, bases: Bases) -> Response | None:
        """The sitemaps layout's front and category pages; ``/page/1`` redirects to the category."""
        if path.endswith("/page/1"):
            return Response(301, b"", [("Location", path[: -len("/page/1")]), ("Content-Type", HTML)])
        listing = structure.structure(self.site).listings.get(path)
        if listing is None:
            return None
        extra = self._in_focus() if path == "/en" and self.site.faults else ""
        return html_response(render.path_listing_page(self.site, listing, extra, bases), path)

    def _month_sitemaps(self, path: str, base: str) -> Response:
        """A sitemap index or a month sitemap (gzipped ones as application/gzip), cached per generation."""
        layout = structure.structure(self.site)
        key = (layout.generation, base, path)
        body = self._xml_cache.get(key)
        month = layout.month_by_path.get(path)
        if body is None:
            lang = path.split("/")[3]
            if month is not None:
                xml = render.month_sitemap(base, month).encode()
                body = gzip.compress(xml, compresslevel=6, mtime=0) if month.gzipped else xml
            elif lang in texts.LANGS and path == structure.index_path(lang):
                body = render.month_index(base, layout.months[lang]).encode()
            else:
                return html_response(self._not_found_page(), path, 404)
            if len(self._xml_cache) > 2048 or self._xml_generation != layout.generation:
                self._xml_cache.clear()
                self._xml_generation = layout.generation
            self._xml_cache[key] = body
        content_type = "application/gzip" if month is not None and month.gzipped else "application/xml"
        return Response(200, body, [("Content-Type", content_type)])

    def _article(self, art: Article, base: str, accept_encoding: str) -> Response:
        if art.removed_status:
            return html_response(self._not_found_page(), art.path, art.removed_status)
        page = render.article_page(self.site, art, base, self.cdn_base)
        resp = serve_variant(art, page, "gzip" in accept_encoding)
        if art.variant == "slow":
            resp.delay = self.slow_seconds
        return resp

    def _listing(self, path: str, query: dict, bases: Bases) -> Response | None:
        parts = path.strip("/").split("/")
        lang = parts[0]
        if lang not in texts.LANGS or len(parts) > 2:
            return None
        try:
            page = max(1, int(query.get("page", ["1"])[0]))
        except ValueError:
            page = 1
        words = texts.FURNITURE[lang]
        if len(parts) == 1:
            extra = self._in_focus() if lang == "en" and self.site.faults else ""
            items = self.site.live_articles(lang)[:30]
            page_html = render.listing_page(self.site, lang, path, "Turan", items, 1, extra, bases)
            return html_response(page_html, path)
        for base, items in self._listings(lang):
            if base == path:
                labels = dict(texts.CATEGORIES[lang])
                title = labels.get(parts[1], words["newsline"])
                page_html = render.listing_page(self.site, lang, path, title, items, page, bases=bases)
                return html_response(page_html, path)
        return None

    def _in_focus(self) -> str:
        links = "".join(f'<li><a href="{f.path}">{f.kind.replace("_", " ").title()}</a></li>' for f in FAULTS)
        return f'<div class="in-focus"><ul>{links}</ul></div>'

    @staticmethod
    def _not_found_page() -> str:
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 | Turan</title></head>'
            "<body><h1>Page not found</h1><p>The page you are looking for does not exist.</p></body></html>"
        )

    @staticmethod
    def _challenge() -> Response:
        return Response(
            403,
            CHALLENGE_BODY,
            [
                ("Content-Type", "text/html; charset=UTF-8"),
                ("cf-mitigated", "challenge"),
                ("Server", "cloudflare"),
                ("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate"),
            ],
        )

    def _fault(self, fault: Fault) -> Response:
        kind = fault.kind
        if kind == "challenge":
            return self._challenge()
        if kind in ("server_error", "not_found", "gone"):
            return html_response(self._not_found_page(), fault.path, fault.status or 500)
        if kind in ("unavailable", "rate_limited"):
            resp = html_response(
                "<html><body><h1>Try again later</h1></body></html>", fault.path, fault.status or 503
            )
            resp.headers.append(("Retry-After", "1"))
            return resp
        if kind in ("dropped_connection", "short_body"):
            resp = html_response(render.listing_page(self.site, "en", "/en", "Turan", [], 1), fault.path)
            resp.transport = "drop_mid_body" if kind == "dropped_connection" else "short_body"
            return resp
        if kind == "redirect_chain":
            return self._redirect_step(fault.path)
        if kind == "redirect_loop":
            return Response(302, b"", [("Location", "/en/politics/redirect-loop-fault-b")])
        if kind == "binary_pdf":
            return Response(200, PDF_BODY, [("Content-Type", "application/pdf")])
        if kind == "binary_mislabelled":
            return Response(200, JPEG_BODY, [("Content-Type", HTML)])
        return html_response(
            "<html><body><h1>Internal memo</h1><p>Not for robots.</p></body></html>", fault.path
        )

    @staticmethod
    def _redirect_step(path: str) -> Response:
        if path == "/en/politics/redirect-loop-fault-b":
            return Response(302, b"", [("Location", "/en/politics/redirect-loop-fault-a")])
        match = re.fullmatch(r"/en/politics/redirect-chain-fault-(\d)", path)
        if not match:
            return html_response(ReplicaApp._not_found_page(), path, 404)
        step = int(match.group(1))
        target = SEED_ARTICLE_PATH if step <= 1 else f"/en/politics/redirect-chain-fault-{step - 1}"
        return Response(301, b"", [("Location", target), ("Content-Type", HTML)])

    # -- control API ------------------------------------------------------------------------------
    def _control(self, path: str, query: dict, host: str) -> Response:
        def arg(name: str, default: str = "") -> str:
            return query.get(name, [default])[0]

        try:
            if path == "/_replica/truth.json":
                payload: object = self.truth(f"http://{host}")
            elif path == "/_replica/requests.json":
                payload = list(self.requests)
            elif path == "/_replica/cdn_requests.json":
                payload = list(self.cdn_requests)
            elif path == "/_replica/requests_timed.json":
                payload = self.timed_log()
            elif path == "/_replica/publish":
                payload = [a.path for a in self.site.publish(int(arg("count", "1")))]
            elif path == "/_replica/edit":
                payload = self.site.edit(arg("url")).path
            elif path == "/_replica/remove":
                payload = self.site.remove(arg("url"), int(arg("status", "410"))).path
            else:
                return Response(
                    404, b'{"error": "unknown control endpoint"}', [("Content-Type", "application/json")]
                )
        except (KeyError, ValueError) as exc:
            return Response(
                400, json.dumps({"error": str(exc)}).encode(), [("Content-Type", "application/json")]
            )
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return Response(200, body, [("Content-Type", "application/json")])
