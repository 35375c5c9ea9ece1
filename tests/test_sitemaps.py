"""Sitemaps as the site may serve them: what robots.txt names, indexes and urlsets (swapped, gzipped,
namespaced, huge or nested), each bounded and each article it lists reached."""

from __future__ import annotations

from turan_crawler.extract.sitemap import robots_sitemaps


def test_a_malformed_sitemap_line_in_robots_txt_costs_only_that_line():
    body = b"User-agent: *\nSitemap: http://[::1\nSitemap: /a.xml\nsitemap: https://cdn.example/b.xml\n"
    assert robots_sitemaps(body, "http://site.example/robots.txt") == [
        "http://site.example/a.xml",
        "https://cdn.example/b.xml",
    ]
