"""Write the replica as static files plus an nginx configuration, for benchmarks at 10,000+ articles."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from .app import ReplicaApp

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
    types {{ text/html html; text/plain txt; application/xml xml; application/json json; application/gzip gz; }}
    server {{
        listen 127.0.0.1:{port};
        root {root}/site;
        location = /robots.txt {{ default_type text/plain; }}
        location ~ ^(/.+)/page/1$ {{ return 301 $1; }}
        location / {{
            default_type "text/html; charset=utf-8";
            try_files $uri/__page$arg_page.html $uri $uri/index.html =404;
        }}
    }}
}}
"""


def export_site(app: ReplicaApp, out_dir: Path, port: int = 8080) -> int:
    """Write every page the crawler can reach under ``out_dir/site`` and ``out_dir/nginx.conf``.

    Returns the number of pages written. Pages are written as the plain variant (no faults, no gzip):
    transport tricks do not survive static files. Gzipped month sitemaps (sitemaps layout) are written as
    their ``.xml.gz`` bytes and served as ``application/gzip``; path-paginated category pages become
    ``{category}/page/{n}/index.html``.
    """
    out_dir = Path(out_dir).resolve()
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
    truth = site_dir / "_replica" / "truth.json"
    truth.parent.mkdir(parents=True, exist_ok=True)
    truth.write_text(json.dumps(app.truth(), ensure_ascii=False), encoding="utf-8")
    (out_dir / "nginx.conf").write_text(
        NGINX_CONF.format(root=out_dir, port=port, conf=out_dir / "nginx.conf")
    )
    return len(targets)
