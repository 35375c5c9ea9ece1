"""The crawl reads pages in worker processes: the same reading as in-process, and a worker that dies
costs only the page that killed it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from turan_crawler.extract import extract
from turan_crawler.extract.pool import ExtractorPool
from turan_crawler.replica import ReplicaApp, Site
from turan_crawler.sites import TURAN, site_named

HOST = "replica.test"


def read_or_die(url: str, body: bytes, headers: dict[str, str], site: str):  # as the crawl's pool calls it
    """extract(), except that a page saying KILL kills the worker process, as a parser crash would."""
    if body == b"KILL":
        os._exit(1)
    return extract(url, body, headers, site_named(site))


@pytest.fixture
def pages() -> list[tuple[str, bytes]]:
    app = ReplicaApp(Site(articles=20, seed=3, faults=False))
    return [
        (f"http://{HOST}{a.path}", app.respond("GET", a.path, HOST).body) for a in app.site.live_articles()
    ]


def test_a_worker_reads_a_page_as_the_extractor_does_in_process(pages):
    pool = ExtractorPool(2, read_or_die)
    try:
        futures = [pool.submit(url, body, {}, "turan") for url, body in pages]
        read = [future.result(timeout=60) for future in futures]
    finally:
        pool.close()
    assert [r.article for r in read] == [extract(url, body, {}, TURAN).article for url, body in pages]
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
    assert after.article["title"] == extract(url, body, {}, TURAN).article["title"]


OWNER = """
import sys, time
from turan_crawler.extract import read_response
from turan_crawler.extract.pool import ExtractorPool
pool = ExtractorPool(2, read_response)
pool.submit("http://replica.test/", 200, b"<html><title>x</title></html>", {}, "turan").result(timeout=60)
print(" ".join(map(str, pool._executor._processes)), flush=True)
time.sleep(600)
"""


def test_workers_exit_when_the_crawl_that_started_them_is_killed():
    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in owner.stdout.readline().split()]
        assert workers and all(alive(pid) for pid in workers)
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)


def test_ctrl_c_is_left_to_the_crawl_a_worker_keeps_reading(pages):
    """Ctrl-C reaches the whole process group; the crawl shuts down gracefully and the workers carry on."""
    pool = ExtractorPool(1, read_or_die)
    url, body = pages[0]
    try:
        pool.submit(url, body, {}, "turan").result(timeout=60)
        (worker,) = pool._executor._processes
        os.kill(worker, signal.SIGINT)
        time.sleep(0.5)
        assert pool.submit(url, body, {}, "turan").result(timeout=60).article is not None
        assert list(pool._executor._processes) == [worker]
    finally:
        pool.close()


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
