"""Write the replica as static files plus an nginx configuration, for benchmarks at 10,000+ articles."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

from .app import ReplicaApp
from .requisites import CDN, MAIN, STYLESHEET

NGINX_CONF = """\
# nginx -c {conf} -p {root}
worker_processes 2;
daemon off;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    types {{
        text/html html; text/plain txt; application/xml xml; application/json json; application/gzip gz;
        text/css css; application/javascript js; image/svg+xml svg; image/jpeg jpg; image/png png;
        image/gif gif; image/webp webp; font/woff2 woff2; font/woff woff;
    }}
    server {{
        listen 127.0.0.1:{port};
        root {root}/site;
        location = /robots.txt {{ default_type text/plain; }}
        location ~ ^(/.+)/page/1$ {{ return 301 $1; }}
        location ~ ^/(static|img)/ {{
            add_header Cache-Control "public, max-age=86400";
            try_files $uri =404;
        }}
        location ~ ^/(uploads|images|fonts|icons|private)/ {{
            add_header Cache-Control "public, max-age=31536000, immutable";
            try_files $uri =404;
        }}
        location / {{
            default_type "text/html; charset=utf-8";
            try_files $uri/__page$arg_page.html $uri $uri/index.html =404;
        }}
    }}
{cdn_server}}}
"""
CDN_SERVER = """\
    server {{
        listen 127.0.0.1:{cdn_port};
        root {root}/cdn;
        location = /robots.txt {{ default_type text/plain; }}
        location / {{
            add_header Cache-Control "public, max-age=31536000, immutable";
            add_header Access-Control-Allow-Origin "*";
            try_files $uri =404;
        }}
    }}
"""


def export_site(
    app: ReplicaApp, out_dir: Path, port: int = 8080, cdn: bool = True, cdn_port: int | None = None
) -> int:
    """Write every page the crawler can reach under ``out_dir/site`` and ``out_dir/nginx.conf``.

    Returns the number of pages written. Pages are written as the plain variant (no faults, no gzip):
    transport tricks do not survive static files. Gzipped month sitemaps (sitemaps layout) are written as
    their ``.xml.gz`` bytes and served as ``application/gzip``; path-paginated category pages become
    ``{category}/page/{n}/index.html``.

    The page requisites are written too (not counted), with their ``Last-Modified`` as file times: the
    main host's under ``site/``, the CDN's under ``cdn/`` with its robots.txt, served by a second nginx
    server on ``cdn_port`` (default ``port + 1``), which the pages name as ``http://127.0.0.1:{cdn_port}``.
    ``cdn=False``: the CDN's files go under ``site/`` (and its rules into the site's robots.txt). nginx
    answers conditional requests itself (its ETag is not the replica's content hash). The app keeps the
    exported CDN's base (``app.cdn_base``), so its responses stay those of the exported site.
    """
    out_dir = Path(out_dir).resolve()
    cdn_port = cdn_port or port + 1
    app.cdn_base = f"http://127.0.0.1:{cdn_port}" if cdn else None  # the app now describes the export
    count = _export(app, out_dir, port)
    cdn_server = CDN_SERVER.format(root=out_dir, cdn_port=cdn_port) if cdn else ""
    (out_dir / "nginx.conf").write_text(
        NGINX_CONF.format(root=out_dir, port=port, conf=out_dir / "nginx.conf", cdn_server=cdn_server)
    )
    return count


def _export(app: ReplicaApp, out_dir: Path, port: int) -> int:
    site_dir = out_dir / "site"
    host = f"127.0.0.1:{port}"
    targets = ["/robots.txt", *app.sitemap_paths(), *app.listing_paths()]
    targets += [a.path for a in app.site.live_articles()]
    for target in targets:
        resp = app.respond("GET", target, host)
        split = urlsplit(target)
        path = split.path.strip("/")
        if split.query:
            dest = site_dir / path / f"__page{split.query.split('=')[1]}.html"
        elif "." in path.rsplit("/", 1)[-1]:
            dest = site_dir / path
        else:
            dest = site_dir / path / "index.html"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(resp.body)
        if not split.query and dest.name == "index.html":
            (dest.parent / "__page1.html").write_bytes(resp.body)
    _export_requisites(app, out_dir, host)
    truth = site_dir / "_replica" / "truth.json"
    truth.parent.mkdir(parents=True, exist_ok=True)
    truth.write_text(json.dumps(app.truth(f"http://{host}"), ensure_ascii=False), encoding="utf-8")
    return len(targets)


def _export_requisites(app: ReplicaApp, out_dir: Path, host: str) -> None:
    """Every requisite, as its host serves it, with its Last-Modified as the file's time."""
    separate = app.cdn_base is not None
    cdn_host = urlsplit(app.cdn_base).netloc if separate else host
    for asset in app.catalogue.all():
        on_cdn = asset.origin == CDN and separate
        target = STYLESHEET if asset.path == STYLESHEET.split("?")[0] else asset.path
        resp = app.respond("GET", target, cdn_host if on_cdn else host, origin=CDN if on_cdn else MAIN)
        dest = out_dir / ("cdn" if on_cdn else "site") / asset.path.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(resp.body)
        stamp = asset.modified.timestamp()
        os.utime(dest, (stamp, stamp))
    if separate:
        robots = app.respond("GET", "/robots.txt", cdn_host, origin=CDN)
        (out_dir / "cdn" / "robots.txt").write_bytes(robots.body)
