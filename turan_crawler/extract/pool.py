"""``extract()`` in worker processes.

Reading a page is mostly Python (the lxml walk, the rules), so in a thread it would hold the GIL that
Scrapy's reactor and the archive writer need; in a process it runs on a core of its own. A worker that
dies (a crash inside a C parser, the kernel's OOM killer) costs only the pages it was reading: they fail
with ``BrokenProcessPool`` and the next page starts a fresh pool.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from . import extract

log = logging.getLogger(__name__)


class ExtractorPool:
    """A lazily started pool of ``workers`` processes running ``function`` (forkserver: the running
    reactor and the writer's threads are never forked)."""

    def __init__(self, workers: int, function: Callable = extract):
        self.workers = max(1, workers)
        self.function = function
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # a broken pool is dropped from a pool thread

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload([self.function.__module__])
                self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
            return self._executor

    def submit(self, *args) -> Future:
        """``function(*args)`` in a worker process."""
        executor = self._pool()
        try:
            future = executor.submit(self.function, *args)
        except BrokenProcessPool:
            self._drop(executor)
            executor = self._pool()
            future = executor.submit(self.function, *args)
        future.add_done_callback(lambda done: self._check(done, executor))
        return future

    def _check(self, done: Future, executor: ProcessPoolExecutor) -> None:
        if not done.cancelled() and isinstance(done.exception(), BrokenProcessPool):
            self._drop(executor)

    def _drop(self, broken: ProcessPoolExecutor) -> None:
        """Forget a broken pool (once, however many of its pages failed)."""
        with self._lock:
            if self._executor is not broken:
                return
            self._executor = None
        log.error("a page-reading process died; the next page starts a new pool")
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
