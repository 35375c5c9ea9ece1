"""Hostile pages, each built for one step of extraction (20,000 links, furniture blocks, quotes or images of
one kind): each is read right, in time that grows with the page, not with its square.

Where the work can be counted, it is (the requisites resolved, the link lists left for trafilatura); elsewhere
the bound is this process's CPU time, far above what the linear step takes (well under a second here) and far
below what the quadratic one took (15-45 s), so a loaded machine cannot make these tests flaky.
"""

from __future__ import annotations

import time

from conftest import ARTICLE_URL, BODY, HTML, SITE, TEXT
from lxml import html as lxml_html

from turan_crawler.extract import Extraction, extract
from turan_crawler.extract.links import MAX_LINKS
from turan_crawler.extract.page import Resolver, parse_html
from turan_crawler.extract.prune import LARGE_PAGE, prune_link_lists
from turan_crawler.extract.requisites import MAX_PER_PAGE, page_requisites
from turan_crawler.sites import TURAN

MANY = 20_000
CPU_SECONDS = 5.0


def article_page(after: str = "", inside: str = "") -> bytes:
    """An article (headline and text, then ``inside``), followed on the page by ``after``."""
    return f"<html><body><article><h1>Talks Resume</h1>{TEXT}{inside}</article>{after}</body></html>".encode()


def read_timed(html: bytes, url: str = ARTICLE_URL) -> tuple[Extraction, float]:
    """The extraction and the CPU seconds it took."""
    started = time.process_time()
    result = extract(url, html, HTML, TURAN)
    return result, time.process_time() - started


def test_many_links_to_one_article_are_read_in_linear_time():
    other = f"{SITE}/en/politics/another-story-790002"
    result, seconds = read_timed(article_page(f"<div>{f'<a href={other!r}>Another story</a>' * MANY}</div>"))
    assert result.article is not None and result.links["article"] == [other]
    assert seconds < CPU_SECONDS, seconds


def test_many_latest_news_blocks_are_read_in_linear_time():
    blocks = "".join(
        f'<div><h3>Latest news</h3><a href="/en/economics/story-{n}-79{n:04d}">Story {n}</a></div>'
        for n in range(MANY)
    )
    result, seconds = read_timed(article_page(blocks))
    assert result.article["body"] == BODY
    assert result.links["latest_news"][:2] == [
        f"{SITE}/en/economics/story-0-790000",
        f"{SITE}/en/economics/story-1-790001",
    ]
    assert seconds < CPU_SECONDS, seconds


def test_many_furniture_headings_before_many_link_groups_are_read_in_linear_time():
    headings = "<div><h3>Latest news</h3></div>" * MANY
    tags = ("div", "section")  # alternating, so that no two groups read as rows of one grid
    groups = "".join(
        f'<{tags[n % 2]}><a href="/en/economics/a-{n}-790001">A</a> '
        f'<a href="/en/economics/b-{n}-790002">B</a></{tags[n % 2]}>'
        for n in range(MANY)
    )
    result, seconds = read_timed(article_page(headings + groups))
    assert result.article["body"] == BODY and len(result.links["article"]) == MAX_LINKS
    assert seconds < CPU_SECONDS, seconds


def test_many_quotes_beside_many_links_are_read_in_linear_time():
    quotes = "<blockquote>A quote.</blockquote>" * MANY
    links = "".join(f'<a href="/en/tag/{n}">Tag {n}</a> ' for n in range(MANY))
    result, seconds = read_timed(article_page(f"<div>{links}</div>", inside=quotes))
    assert result.article["body"] == BODY + "\n\nA quote." * MANY
    assert seconds < CPU_SECONDS, seconds


def test_a_long_link_list_is_pruned_before_the_generic_extractor_however_its_tags_are_written():
    links = "".join(f'<A\nhref="/en/tag/{n}">Tag {n}</A> ' for n in range(LARGE_PAGE))
    pruned = prune_link_lists(f"<html><body><p>The talks resumed.</p><div>{links}</div></body></html>")
    text = pruned if isinstance(pruned, str) else lxml_html.tostring(pruned, encoding=str)
    assert "The talks resumed." in text and "Tag 1" not in text


class CountingResolver(Resolver):
    """A page's resolver that counts the references it is asked to resolve."""

    calls = 0

    def __call__(self, href: str | None) -> str | None:
        self.calls += 1
        return super().__call__(href)


def test_only_the_requisites_kept_are_resolved_however_many_a_page_names():
    images = "".join(f'<img src="img/{n}.jpg" srcset="img/{n}-2x.jpg 2x">' for n in range(MANY))
    root = parse_html(f"<html><body>{images}<p style='background: url(bg.png)'>Text.</p></body></html>")
    resolve = CountingResolver(ARTICLE_URL)
    found = page_requisites(root, resolve)
    assert found["image"][:2] == [f"{SITE}/en/politics/img/0.jpg", f"{SITE}/en/politics/img/0-2x.jpg"]
    assert len(found["image"]) == MAX_PER_PAGE and resolve.calls == MAX_PER_PAGE
