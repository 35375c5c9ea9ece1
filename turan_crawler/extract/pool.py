"""``extract()`` in worker processes.

Reading a page is mostly Python (the lxml walk, the rules), so in a thread it would hold the GIL that
Scrapy's reactor and the archive writer need; in a process it runs on a core of its own. A worker that
dies (a crash inside a C parser, the kernel's OOM killer) costs only the pages it was reading: they fail
with ``BrokenProcessPool`` and the next page starts a fresh pool. A crawl that is killed outright
(SIGKILL, the OOM killer) leaves no workers behind: each exits once the process that started it is gone
(a pool worker blocked on its task queue would otherwise wait forever, and keep the forkserver alive).
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

log = logging.getLogger(__name__)


class PageBudgetExceeded(Exception):
    """A page took longer to read than its budget allows."""


@dataclass(frozen=True)
class Budget:
    """What reading one page may cost: seconds of its worker's time, bytes of its worker's memory."""

    seconds: float = 30.0
    memory: int = 1024**3


def within_budget(function: Callable, seconds: float, *args):
    """``function(*args)`` in a worker, stopped by PageBudgetExceeded after ``seconds`` (a timer signal:
    it lands when the worker's C code, lxml's parse say, returns to Python)."""

    def expired(signum, frame):
        raise PageBudgetExceeded(f"reading took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def worker_setup(pid: int, memory: int, logs, every: float = 1.0) -> None:
    """In a worker: send its log records to the crawl (``logs``, a queue: there the CLI's level and filter
    and the run's log file apply; a worker writing to stderr itself leaked warnings into ``--quiet`` cron
    mail), cap its memory (a page that needs more fails with MemoryError, the worker lives on), ignore
    Ctrl-C (it reaches the whole process group; the crawl handles it and closes the pool), and exit as
    soon as process ``pid`` is gone."""
    root = logging.getLogger()
    root.handlers = [logging.handlers.QueueHandler(logs)]
    root.setLevel(logging.INFO)
    limit_memory(memory)
    exit_with(pid, every)


def relay_logs(logs) -> None:
    """In the crawl: hand each record a worker logged to this process's own loggers (a daemon thread)."""

    def relay() -> None:
        while True:
            try:
                record = logs.get()
            except (EOFError, OSError):  # the queue is gone: the crawl is ending
                return
            logging.getLogger(record.name).handle(record)

    threading.Thread(target=relay, name="worker-logs", daemon=True).start()


def limit_memory(memory: int) -> None:
    """Cap this process's address space: beyond it, allocations fail with MemoryError."""
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def exit_with(pid: int, every: float = 1.0) -> None:
    """Watch process ``pid`` from a daemon thread and exit as soon as it is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(every)
            try:
                os.kill(pid, 0)
            except OSError:  # gone (or its pid now belongs to another user's process)
                os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class ExtractorPool:
    """A lazily started pool of ``workers`` processes running ``function`` within a ``budget`` per call
    (forkserver: the running reactor and the writer's threads are never forked)."""

    def __init__(self, workers: int, function: Callable, budget: Budget | None = None):
        self.workers = max(1, workers)
        self.function = function
        self.budget = budget or Budget()
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # a broken pool is dropped from a pool thread
        self._logs = None  # the workers' log records, relayed to this process's loggers

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload([self.function.__module__])
                if self._logs is None:
                    self._logs = context.Queue()
                    relay_logs(self._logs)
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=context,
                    initializer=worker_setup,
                    initargs=(os.getpid(), self.budget.memory, self._logs),
                )
            return self._executor

    def submit(self, *args) -> Future:
        """``function(*args)`` in a worker process."""
        call = (within_budget, self.function, self.budget.seconds, *args)
        executor = self._pool()
        try:
            future = executor.submit(*call)
        except BrokenProcessPool:
            self._drop(executor)
            executor = self._pool()
            future = executor.submit(*call)
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

    def kill(self) -> None:
        """End every worker now (one is stuck in C code past its budget); pages in hand fail with
        BrokenProcessPool and the next page starts a new pool."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            for process in list(executor._processes.values()):  # noqa: SLF001 (no public way to kill)
                process.kill()
            executor.shutdown(wait=False, cancel_futures=True)
            log.error("a page-reading process went past its budget and was killed; a new pool starts")

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
