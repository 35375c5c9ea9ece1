"""The spiders read pages in worker processes: a page waiting for a worker that was killed (a page past
its budget, stuck in C code) is read again in the new pool, not failed with the page that killed it."""

from __future__ import annotations

from concurrent.futures import Future

from scrapy.http import HtmlResponse
from twisted.internet.defer import Deferred

from turan_crawler.extract import Extraction
from turan_crawler.extract.pool import Budget
from turan_crawler.sites import TURAN
from turan_crawler.spiders.base import ArchivingSpider


class KilledWhileWaiting:
    """A pool killed while the page waited in its queue (``ExtractorPool.kill`` cancels what waits),
    then started afresh."""

    budget = Budget(seconds=1.0)

    def __init__(self):
        self.submitted = 0

    def submit(self, *args) -> Future:
        self.submitted += 1
        future: Future = Future()
        if self.submitted == 1:
            future.cancel()
        else:
            future.set_result(Extraction(None, "listing"))
        return future


def test_a_page_cancelled_when_its_pool_was_killed_is_read_again(monkeypatch):
    from twisted.internet import reactor

    monkeypatch.setattr(reactor, "callFromThread", lambda call, *args: call(*args))  # no reactor running
    spider = ArchivingSpider(name="reader")
    spider.extractor = KilledWhileWaiting()
    response = HtmlResponse("http://127.0.0.1:9/en", body=b"<html><body><p>A page.</p></body></html>")
    reading = Deferred.fromCoroutine(spider._extract(response, TURAN))
    assert reading.result.reason == "listing" and spider.extractor.submitted == 2
