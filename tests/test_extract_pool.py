"""The crawl reads pages in worker processes: the same reading as in-process, and a worker that dies
(or is killed, its page stuck past its budget) costs only the page that killed it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from turan_crawler.extract import extract
from turan_crawler.extract import pool as pool_module
from turan_crawler.extract.pool import Budget, ExtractorPool, PageBudgetExceeded
from turan_crawler.replica import ReplicaApp, Site
from turan_crawler.sites import TURAN, site_named

HOST = "replica.test"


def read_or_die(url: str, body: bytes, headers: dict[str, str], site: str):  # as the crawl's pool calls it
    """extract(), except that a page saying KILL kills the worker process, as a parser crash would, and
    one saying HANG gets stuck where the budget's timer cannot land, as in a C parser's loop; SLOW takes
    0.5 s."""
    if body == b"KILL":
        os._exit(1)
    if body == b"HANG":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(20)
    if body == b"SLOW":
        time.sleep(0.5)
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


def test_the_pages_a_dying_worker_had_in_hand_are_read_again_and_only_its_killer_fails(pages):
    pool = ExtractorPool(2, read_or_die)
    bodies = [body for _, body in pages[:12]]
    bodies[3] = b"KILL"
    try:
        futures = [
            pool.submit(url, body, {}, "turan") for (url, _), body in zip(pages[:12], bodies, strict=True)
        ]
        with pytest.raises(BrokenProcessPool):
            futures.pop(3).result(timeout=60)
        read = [future.result(timeout=60) for future in futures]
    finally:
        pool.close()
    assert all(r.article and r.article["title"] for r in read)


def test_a_page_stuck_past_its_budget_has_its_worker_killed_and_fails_alone(pages, monkeypatch):
    """Counted from when a worker takes it: the pages queued behind slow ones are not blamed."""
    monkeypatch.setattr(pool_module, "HARD_STOP_GRACE", 3.0)  # a worker may take a second to start
    pool = ExtractorPool(1, read_or_die, Budget(seconds=1.0))
    try:
        assert pool.submit(*pages[0], {}, "turan").result(timeout=60).article  # the worker is up
        slow = [pool.submit(url, b"SLOW", {}, "turan") for url, _ in pages[1:4]]  # 0.5 s each, in budget
        stuck = pool.submit(pages[4][0], b"HANG", {}, "turan")
        queued = [pool.submit(url, body, {}, "turan") for url, body in pages[5:10]]
        with pytest.raises(PageBudgetExceeded, match="its worker was killed"):
            stuck.result(timeout=30)
        read = [future.result(timeout=60) for future in slow + queued]
    finally:
        pool.close()
    assert all(r.article is None for r in read[:3])  # SLOW is no article
    assert all(r.article and r.article["title"] for r in read[3:])


OWNER = """
import sys, time
from turan_crawler.extract import read_response
from turan_crawler.extract import pool as pool_module
from turan_crawler.extract.pool import Budget, ExtractorPool, PageBudgetExceeded
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


def test_a_second_reading_that_cannot_start_fails_its_page_instead_of_hanging(pages, monkeypatch):
    """The second reading starts from a done-callback, where an error would be swallowed."""
    pool = ExtractorPool(1, read_or_die)
    first = pool._executor_for  # noqa: SLF001

    def no_lone_worker(again: bool):
        if again:
            raise OSError("no process can start")
        return first(again)

    monkeypatch.setattr(pool, "_executor_for", no_lone_worker)
    try:
        dying = pool.submit(pages[0][0], b"KILL", {}, "turan")
        with pytest.raises(OSError, match="no process can start"):
            dying.result(timeout=60)
    finally:
        pool.close()
