"""The crawl reads pages in worker processes: the same reading as in-process, and a worker that dies
costs only the page that killed it."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from turan_crawler.extract import extract
from turan_crawler.extract.pool import ExtractorPool
from turan_crawler.replica import ReplicaApp, Site

HOST = "replica.test"


def read_or_die(url: str, body: bytes, headers: dict[str, str], site: str):
    """extract(), except that a page saying KILL kills the worker process, as a parser crash would."""
    if body == b"KILL":
        os._exit(1)
    return extract(url, body, headers, site)


@pytest.fixture
def pages() -> list[tuple[str, bytes]]:
    app = ReplicaApp(Site(articles=20, seed=3, faults=False))
    return [
        (f"http://{HOST}{a.path}", app.respond("GET", a.path, HOST).body) for a in app.site.live_articles()
    ]


def test_a_worker_reads_a_page_as_the_extractor_does_in_process(pages):
    pool = ExtractorPool(2)
    try:
        futures = [pool.submit(url, body, {}, "turan") for url, body in pages]
        read = [future.result(timeout=60) for future in futures]
    finally:
        pool.close()
    assert [r.article for r in read] == [extract(url, body, {}).article for url, body in pages]
    assert all(r.article and r.article["title"] for r in read)


def test_a_dead_worker_fails_its_page_and_the_next_page_gets_a_fresh_pool(pages):
    pool = ExtractorPool(1, read_or_die)
    url, body = pages[0]
    try:
        assert pool.submit(url, body, {}, "turan").result(timeout=60).article is not None
        with pytest.raises(BrokenProcessPool):
            pool.submit(url, b"KILL", {}, "turan").result(timeout=60)
        after = pool.submit(url, body, {}, "turan").result(timeout=60)
    finally:
        pool.close()
    assert after.article["title"] == extract(url, body, {}).article["title"]
