"""Page requisites: the stylesheets, fonts, images and script a page needs to look like itself.

Two hosts serve them, as on a real news site:

* the **main host** (the site itself): ``/static/css/site.css?v=…`` which ``@import``s ``fonts.css`` and
  ``print.css`` (print media) and whose rules reference background images by relative ``url()`` (double
  quoted, single quoted, unquoted); ``/static/js/app.js``; the logo ``/img/logo.svg``; article photos under
  ``/uploads/YYYY/MM/``;
* the **CDN host** (a second server on another port): web fonts (``@font-face`` sources in the CSS, absolute
  URLs), social icons (protocol-relative ``//host:port/icons/…``), lead images and their ``srcset`` sizes and
  article photos under ``/images/YYYY/MM/``, and ``/private/scans/…``, which the CDN's robots.txt
  disallows. Without a separate CDN (``cdn_base`` unset) the main host serves the CDN's paths itself, at the
  same paths, and its robots.txt disallows ``/private/`` too.

Which article has a lead image and which photos sit in its text is content (site.py); this module names
their URLs, makes their bytes (images.py) and answers requests for them: ``ETag`` (a hash of the body),
``Last-Modified``, ``Cache-Control``, and ``304 Not Modified`` for ``If-None-Match``/``If-Modified-Since``.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from . import images
from .site import Article, Picture, Site

MAIN, CDN = "main", "cdn"
TRANSPARENT_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
PRIVATE_DIR = "/private/"  # disallowed by the CDN's robots.txt
CDN_ROBOTS_DISALLOWED = [PRIVATE_DIR]

CONTENT_TYPES = {
    "css": "text/css; charset=utf-8",
    "js": "application/javascript; charset=utf-8",
    "svg": "image/svg+xml",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "woff2": "font/woff2",
    "woff": "font/woff",
}
CACHE_CONTROL = {
    "css": "public, max-age=86400",
    "js": "public, max-age=86400",
    "svg": "public, max-age=604800",
}
IMMUTABLE = "public, max-age=31536000, immutable"  # fonts and images: their URLs never change content

SITE_CSS_TEMPLATE = """\
@charset "utf-8";
@import url("fonts.css");
@import "print.css" print;
/* Turan Information Agency: site styles */
@font-face{{font-family:"Turan Sans";font-style:normal;font-weight:400;font-display:swap;\
src:url({cdn}/fonts/turan-sans-regular.woff2) format("woff2"),url({cdn}/fonts/turan-sans-regular.woff) format("woff")}}
:root{{--brand:#0b3d6e;--ink:#1b1b1b;--muted:#6b6b6b;--rule:#d8dde3}}
html{{font-size:16px}}
body{{margin:0;color:var(--ink);font-family:"Turan Sans",Arial,Helvetica,sans-serif;\
background:#fff url("../img/bg-pattern.png") repeat-x 0 0}}
a{{color:var(--brand);text-decoration:none}}
.site-header,.masthead,.hdr{{border-bottom:3px solid var(--brand);background:url(../img/header-rule.gif) repeat-x left bottom}}
.logo img,.brand img,.hdr-logo img{{height:40px;width:auto}}
.news-title,.entry-title,.art-ttl{{font-family:"Turan Serif",Georgia,serif;font-weight:700;line-height:1.2}}
.news-content p,.entry-content p,.art-txt{{font-size:1.05rem;line-height:1.6}}
blockquote,.quote{{margin:1em 0;padding-left:32px;background:url('../img/quote.webp') no-repeat 0 4px}}
.news-img,.entry-figure,.news-photo,.wp-block-image{{margin:0 0 1em}}
.news-img img,.entry-figure img,.art-img img,.news-photo img,.wp-block-image img{{max-width:100%;height:auto}}
figcaption{{color:var(--muted);font-size:.85rem;padding-top:.3em}}
.social-block img,.follow img,.ftr img{{width:16px;height:16px;vertical-align:middle;margin-right:4px}}
.latest-news,.sidebar,.col-l{{border-left:1px solid var(--rule)}}
"""
FONTS_CSS_TEMPLATE = """\
/* web fonts: the sans from the CDN, the serif from the site */
@font-face{{font-family:"Turan Sans";font-style:normal;font-weight:700;font-display:swap;\
src:url("{cdn}/fonts/turan-sans-bold.woff2") format("woff2"),url("{cdn}/fonts/turan-sans-bold.woff") format("woff")}}
@font-face{{font-family:"Turan Serif";font-style:normal;font-weight:700;font-display:swap;\
src:url(../fonts/turan-serif-bold.woff2) format("woff2")}}
"""
PRINT_CSS = """\
@media print{.site-header,.masthead,.hdr,.main-menu,.primary-menu,.latest-news,.fresh-block,.share-bar,\
.sidebar,.col-l,.site-footer,.colophon,.ftr{display:none}body{background:none;color:#000}a{color:#000}}
"""
APP_JS = """\
/* Turan: lazy images and the share bar */
(function () {
  "use strict";
  function reveal(img) {
    img.src = img.getAttribute("data-src");
    if (img.getAttribute("data-srcset")) { img.srcset = img.getAttribute("data-srcset"); }
    img.classList.remove("lazyload");
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("img[data-src]").forEach(reveal);
    document.querySelectorAll(".share-bar a").forEach(function (a) {
      a.addEventListener("click", function (e) { e.preventDefault(); window.open(a.href, "share", "width=600,height=400"); });
    });
  });
})();
"""
LOGO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40">'
    '<rect width="160" height="40" fill="#0b3d6e"/><text x="14" y="28" font-family="Georgia,serif" '
    'font-size="24" fill="#ffffff" letter-spacing="3">TURAN</text></svg>\n'
)
CSS_VERSION = hashlib.sha1((SITE_CSS_TEMPLATE + FONTS_CSS_TEMPLATE + PRINT_CSS).encode()).hexdigest()[:8]
STYLESHEET = f"/static/css/site.css?v={CSS_VERSION}"  # as pages link it (main host)
SCRIPT = "/static/js/app.js"
LOGO = "/img/logo.svg"
SOCIAL_ICONS = {"facebook": "/icons/facebook.png", "x": "/icons/x.png", "telegram": "/icons/telegram.png"}
CDN_FONT = "/fonts/turan-sans-regular.woff2"  # preloaded by the magazine skin

# Site-wide files: (origin, path) -> (kind, width, height). Text kinds have no size.
STATIC: dict[tuple[str, str], tuple[str, int, int]] = {
    (MAIN, "/static/css/site.css"): ("css", 0, 0),
    (MAIN, "/static/css/fonts.css"): ("css", 0, 0),
    (MAIN, "/static/css/print.css"): ("css", 0, 0),
    (MAIN, "/static/img/bg-pattern.png"): ("png", 24, 24),
    (MAIN, "/static/img/header-rule.gif"): ("gif", 40, 6),
    (MAIN, "/static/img/quote.webp"): ("webp", 24, 24),
    (MAIN, "/static/fonts/turan-serif-bold.woff2"): ("woff2", 0, 0),
    (MAIN, SCRIPT): ("js", 0, 0),
    (MAIN, LOGO): ("svg", 0, 0),
    (CDN, "/fonts/turan-sans-regular.woff2"): ("woff2", 0, 0),
    (CDN, "/fonts/turan-sans-regular.woff"): ("woff", 0, 0),
    (CDN, "/fonts/turan-sans-bold.woff2"): ("woff2", 0, 0),
    (CDN, "/fonts/turan-sans-bold.woff"): ("woff", 0, 0),
    **{(CDN, path): ("png", 16, 16) for path in SOCIAL_ICONS.values()},
}
# What every page needs (the crawler's default mode: no scripts), in the order a browser meets them.
SHARED: list[tuple[str, str]] = [
    (MAIN, STYLESHEET),
    (MAIN, "/static/css/fonts.css"),
    (MAIN, "/static/css/print.css"),
    (CDN, "/fonts/turan-sans-regular.woff2"),
    (CDN, "/fonts/turan-sans-regular.woff"),
    (MAIN, "/static/img/bg-pattern.png"),
    (MAIN, "/static/img/header-rule.gif"),
    (MAIN, "/static/img/quote.webp"),
    (CDN, "/fonts/turan-sans-bold.woff2"),
    (CDN, "/fonts/turan-sans-bold.woff"),
    (MAIN, "/static/fonts/turan-serif-bold.woff2"),
    (MAIN, LOGO),
    *[(CDN, path) for path in SOCIAL_ICONS.values()],
]
SCRIPTS: list[tuple[str, str]] = [(MAIN, SCRIPT)]


@dataclass(frozen=True)
class Bases:
    """Where the two hosts are, as a page names them: ``main`` is ``http://host:port`` of the request,
    ``cdn`` the CDN's base, or ``main`` itself when there is no separate CDN."""

    main: str
    cdn: str

    @property
    def separate(self) -> bool:
        return self.cdn != self.main

    def url(self, origin: str, path: str) -> str:
        return (self.cdn if origin == CDN else self.main) + path

    def protocol_relative(self, origin: str, path: str) -> str:
        """``//host:port/path`` (a form real pages use for CDN furniture)."""
        base = self.cdn if origin == CDN else self.main
        return (base.split(":", 1)[1] if base else "") + path


# -- an article's own images ----------------------------------------------------------------------
def image_key(art: Article) -> str:
    return str(art.article_id) if art.article_id else f"a{art.index}"


def _month_dir(art: Article) -> str:
    return f"{art.published:%Y/%m}"


def lead_paths(art: Article) -> dict[str, str]:
    """The lead image (CDN) and its ``srcset`` sizes, or {} when the article has none."""
    if not art.lead_image:
        return {}
    stem = f"/images/{_month_dir(art)}/{image_key(art)}-lead"
    return {"src": f"{stem}.jpg", "640": f"{stem}-640.jpg", "1280": f"{stem}-1280.jpg"}


def picture_paths(art: Article, pic: Picture) -> dict[str, tuple[str, str]]:
    """The URLs of one photo in the text, by role: ``src`` always, ``webp`` (picture form), ``2x`` (lazy)."""
    name = f"{image_key(art)}-{pic.n}"
    month = _month_dir(art)
    if pic.form == "private":
        return {"src": (CDN, f"{PRIVATE_DIR}scans/{name}.jpg")}
    if pic.form in ("relative", "lazy"):
        out = {"src": (MAIN, f"/uploads/{month}/{name}.jpg")}
        if pic.form == "lazy":
            out["2x"] = (MAIN, f"/uploads/{month}/{name}@2x.jpg")
        return out
    out = {"src": (CDN, f"/images/{month}/{name}.jpg")}
    if pic.form == "picture":
        out["webp"] = (CDN, f"/images/{month}/{name}.webp")
    return out


def article_assets(art: Article) -> dict[tuple[str, str], tuple[str, int, int]]:
    """Every file of the article's own: (origin, path) -> (kind, width, height)."""
    out: dict[tuple[str, str], tuple[str, int, int]] = {}
    lead = lead_paths(art)
    if lead:
        out[(CDN, lead["src"])] = ("jpg", 64, 40)
        out[(CDN, lead["640"])] = ("jpg", 32, 24)
        out[(CDN, lead["1280"])] = ("jpg", 96, 64)
    for pic in art.pictures:
        for role, key in picture_paths(art, pic).items():
            kind = key[1].rsplit(".", 1)[1]
            out[key] = (kind, 96, 64) if role == "2x" else (kind, 48, 32)
    return out


def is_disallowed(origin: str, path: str) -> bool:
    return origin == CDN and path.startswith(PRIVATE_DIR)


def article_requisites(art: Article, bases: Bases) -> dict:
    """The truth's view of an article page's requisites, as absolute URLs (see ReplicaApp.truth)."""
    own = list(article_assets(art))
    needed = [*SHARED, *(key for key in own if not is_disallowed(*key))]
    lead = lead_paths(art)
    return {
        "requisites": sorted({bases.url(*key) for key in needed}),
        "requisites_disallowed": sorted(bases.url(*key) for key in own if is_disallowed(*key)),
        "scripts": [bases.url(*key) for key in SCRIPTS],
        "image_url": bases.url(CDN, lead["src"]) if lead else None,
    }


def site_requisites(bases: Bases) -> dict:
    """The truth's site-wide view: the two hosts, the files every page shares, the scripts, robots."""
    return {
        "main": bases.main,
        "cdn": bases.cdn,
        "cdn_separate": bases.separate,
        "stylesheets": [bases.url(MAIN, STYLESHEET)],
        "shared": sorted({bases.url(*key) for key in SHARED}),
        "scripts": [bases.url(*key) for key in SCRIPTS],
        "cdn_robots_disallowed": list(CDN_ROBOTS_DISALLOWED),
    }


# -- serving ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Asset:
    origin: str
    path: str
    kind: str
    width: int
    height: int
    modified: datetime


class Catalogue:
    """Every requisite the site serves, looked up by (origin, path); rebuilt when the site changes."""

    def __init__(self, site: Site):
        self.site = site
        self._generation = -1
        self._assets: dict[tuple[str, str], Asset] = {}
        self._bodies: dict[tuple[str, str, str], bytes] = {}
        self._lock = threading.Lock()

    @property
    def static_modified(self) -> datetime:
        """When the site's own files last changed: a deterministic date before the site's clock."""
        return (self.site.now - timedelta(days=45)).replace(hour=9, minute=0, second=0, microsecond=0)

    def assets(self) -> dict[tuple[str, str], Asset]:
        site = self.site
        if self._generation == site.generation:
            return self._assets
        with self._lock, site.lock:
            table = {
                key: Asset(key[0], key[1], kind, w, h, self.static_modified)
                for key, (kind, w, h) in STATIC.items()
            }
            for art in site.all_articles():
                for key, (kind, w, h) in article_assets(art).items():
                    table.setdefault(key, Asset(key[0], key[1], kind, w, h, art.published))
            self._assets, self._generation = table, site.generation
            return table

    def find(self, origin: str, path: str) -> Asset | None:
        return self.assets().get((origin, path))

    def all(self) -> list[Asset]:
        return list(self.assets().values())

    def body(self, asset: Asset, bases: Bases) -> bytes:
        text_key = bases.cdn if asset.kind == "css" else ""
        key = (asset.origin, asset.path, text_key)
        cached = self._bodies.get(key)
        if cached is None:
            cached = self._bodies[key] = _make_body(asset, bases)
        return cached


def _make_body(asset: Asset, bases: Bases) -> bytes:
    kind, path = asset.kind, asset.path
    if kind == "css":
        template = {
            "/static/css/site.css": SITE_CSS_TEMPLATE,
            "/static/css/fonts.css": FONTS_CSS_TEMPLATE,
        }.get(path)
        return (template.format(cdn=bases.cdn) if template else PRINT_CSS).encode()
    if kind == "js":
        return APP_JS.encode()
    if kind == "svg":
        return LOGO_SVG.encode()
    if kind in ("woff2", "woff"):
        return images.font(path, kind)
    encode = {"jpg": images.jpeg, "png": images.png, "gif": images.gif, "webp": images.webp}[kind]
    return encode(path, asset.width, asset.height)


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:24] + '"'


def not_modified(headers, etag: str, modified: datetime) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    if headers is None:
        return False
    inm = headers.get("If-None-Match")
    if inm:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = headers.get("If-Modified-Since")
    if not ims:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return modified.replace(microsecond=0) <= since


def cdn_robots_txt() -> str:
    return "User-agent: *\n" + "".join(f"Disallow: {p}\n" for p in CDN_ROBOTS_DISALLOWED) + "Allow: /\n"
