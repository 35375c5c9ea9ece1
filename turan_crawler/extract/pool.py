"""``extract()`` in worker processes.

Reading a page is mostly Python (the lxml walk, the rules), so in a thread it would hold the GIL that
Scrapy's reactor and the archive writer need; in a process it runs on a core of its own. A worker that
dies (a crash inside a C parser, the kernel's OOM killer) costs only the page that killed it: the pages
in hand are read again, one at a time, and the next page starts a fresh pool. A page stuck past its
budget in C code (where the worker's timer cannot land) has its workers killed ``HARD_STOP_GRACE``
seconds later: it counts from when the page was handed to a worker, so a page waiting behind a slow one
is not blamed for it (the crawl's timer counted from submission). A crawl that is killed outright
(SIGKILL, the OOM killer) leaves no workers behind: each exits once the process that started it is gone
(a pool worker blocked on its task queue would otherwise wait forever, and keep the forkserver alive).
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

log = logging.getLogger(__name__)
HARD_STOP_GRACE = 10.0  # seconds past a page's budget before its workers are killed (its timer did not land)
WATCH_EVERY = 0.5  # seconds between two looks at the pages being read, for the hard stop


class PageBudgetExceeded(Exception):
    """A page took longer to read than its budget allows."""


@dataclass(frozen=True)
class Budget:
    """What reading one page may cost: seconds of its worker's time, bytes of its worker's memory."""

    seconds: float = 30.0
    memory: int = 1024**3

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Budget:
        """TURAN_PAGE_READ_SECONDS and TURAN_PAGE_READ_MEMORY."""
        return cls(settings.getfloat("TURAN_PAGE_READ_SECONDS"), settings.getint("TURAN_PAGE_READ_MEMORY"))


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


def _settle(page: Future, attempt: Future) -> None:
    """Give ``page`` the outcome of its last ``attempt``, unless it has one already (given up on)."""
    try:
        if attempt.cancelled():
            page.cancel()
        elif (error := attempt.exception()) is not None:
            page.set_exception(error)
        else:
            page.set_result(attempt.result())
    except InvalidStateError:
        pass


class ExtractorPool:
    """A lazily started pool of ``workers`` processes running ``function`` within a ``budget`` per call
    (forkserver: the running reactor and the writer's threads are never forked).

    A page lost with its pool (a worker died or was killed: ``BrokenProcessPool``, or ``CancelledError``
    for a page still queued) is read once more, alone, in a worker of its own that reads such pages one
    at a time: a page that breaks that worker too is the one to blame, and only it fails
    (``BrokenProcessPool``). A page still being read ``HARD_STOP_GRACE`` seconds past its budget is stuck
    where its worker's timer cannot land (in C code): it fails with ``PageBudgetExceeded`` and its
    workers are killed (the pages they had in hand are read again)."""

    def __init__(self, workers: int, function: Callable, budget: Budget | None = None):
        self.workers = max(1, workers)
        self.function = function
        self.budget = budget or Budget()
        self._executor: ProcessPoolExecutor | None = None  # first readings
        self._alone: ProcessPoolExecutor | None = None  # second readings, one page at a time
        self._again: deque[tuple[Future, tuple]] = deque()  # pages waiting for their second reading
        self._reading_again = False
        self._reading: dict[Future, tuple[ProcessPoolExecutor, Future]] = {}  # page: (its reader, attempt)
        self._running_since: dict[Future, float] = {}  # when each page was first seen in a worker
        self._watchdog: threading.Thread | None = None
        self._closed = threading.Event()
        self._lock = threading.Lock()  # pages end, and are read again, on the pools' threads
        self._logs = None  # the workers' log records, relayed to this process's loggers

    def _new_executor(self, workers: int) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([self.function.__module__])
        if self._logs is None:
            self._logs = context.Queue()
            relay_logs(self._logs)
        if self._watchdog is None:
            self._watchdog = threading.Thread(target=self._watch, name="page-budget-watchdog", daemon=True)
            self._watchdog.start()
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=worker_setup,
            initargs=(os.getpid(), self.budget.memory, self._logs),
        )

    def _executor_for(self, again: bool) -> ProcessPoolExecutor:
        if again:
            self._alone = self._alone or self._new_executor(1)
            return self._alone
        self._executor = self._executor or self._new_executor(self.workers)
        return self._executor

    def _forget(self, executor: ProcessPoolExecutor) -> bool:
        """Hand no more pages to ``executor`` (broken, or being killed); True the first time."""
        if self._executor is executor:
            self._executor = None
        elif self._alone is executor:
            self._alone = None
        else:
            return False
        return True

    def submit(self, *args) -> Future:
        """A Future of ``function(*args)``, read in a worker process."""
        page: Future = Future()
        self._start(page, args, again=False)
        return page

    def _start(self, page: Future, args: tuple, again: bool) -> None:
        call = (within_budget, self.function, self.budget.seconds, *args)
        with self._lock:
            closed = self._closed.is_set()
            if not closed:
                executor = self._executor_for(again)
                try:
                    attempt = executor.submit(*call)
                except (BrokenProcessPool, RuntimeError):  # broken, or shut down by a kill meanwhile
                    self._forget(executor)
                    executor = self._executor_for(again)
                    attempt = executor.submit(*call)
                self._reading[page] = (executor, attempt)
        if closed:  # cancelled outside the lock: its callbacks may call the pool
            page.cancel()
            return
        attempt.add_done_callback(lambda done: self._ended(done, page, args, again, executor))

    def _ended(
        self, attempt: Future, page: Future, args: tuple, again: bool, executor: ProcessPoolExecutor
    ) -> None:
        lost = attempt.cancelled() or isinstance(attempt.exception(), BrokenProcessPool)  # with its pool
        with self._lock:
            self._reading.pop(page, None)
            self._running_since.pop(page, None)
            broke = lost and not attempt.cancelled() and self._forget(executor)
            if again:
                self._reading_again = False
            read_again = lost and not again and not page.done() and not self._closed.is_set()
            if read_again:
                self._again.append((page, args))
        if broke:
            log.error("a page-reading process died; the pages it had in hand are read again, one at a time")
            executor.shutdown(wait=False, cancel_futures=True)
        if not read_again:
            _settle(page, attempt)
        self._next_again()

    def _next_again(self) -> None:
        """Start the next second reading, unless one is going on."""
        with self._lock:
            if self._reading_again or self._closed.is_set():
                return
            while self._again:
                page, args = self._again.popleft()
                if not page.done():  # not given up on while it waited
                    self._reading_again = True
                    break
            else:
                return
        try:
            self._start(page, args, again=True)
        except Exception as exc:  # noqa: BLE001 (a done-callback's error would be swallowed: the page would hang)
            with self._lock:
                self._reading_again = False
            with contextlib.suppress(InvalidStateError):
                page.set_exception(exc)

    def _watch(self) -> None:
        """The hard stop: every WATCH_EVERY seconds, a page in a worker for longer than its budget and
        HARD_STOP_GRACE is stopped (``_kill``), the one there longest first. Its time counts from when it
        was handed to its pool's workers (ProcessPoolExecutor says "running" for a page next in line for
        a worker too: waiting behind one page at most, never behind a queue)."""
        while not self._closed.wait(WATCH_EVERY):
            now = time.monotonic()
            with self._lock:
                for page, (_, attempt) in self._reading.items():
                    if attempt.running():
                        self._running_since.setdefault(page, now)
                limit = self.budget.seconds + HARD_STOP_GRACE
                hung = [page for page, since in self._running_since.items() if now - since > limit]
                hung.sort(key=self._running_since.__getitem__)
            for page in hung:
                self._kill(page)

    def _kill(self, hung: Future) -> None:
        """Fail ``hung`` with PageBudgetExceeded and kill the workers reading it; unless they are being
        killed already (for a page that was there before it): then it is read again, as they had it in
        hand."""
        with self._lock:
            executor, _ = self._reading.get(hung, (None, None))
            if executor is None or not self._forget(executor):
                return
        error = PageBudgetExceeded(
            f"reading took longer than {self.budget.seconds:g} s; its worker was killed"
        )
        with contextlib.suppress(InvalidStateError):  # it ended meanwhile
            hung.set_exception(error)
        for process in list(executor._processes.values()):  # noqa: SLF001 (no public way to kill)
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        log.error("a page-reading process went past its budget and was killed; a new one starts")

    def close(self) -> None:
        """End the workers; pages still waiting are cancelled."""
        with self._lock:
            self._closed.set()
            executors = [e for e in (self._executor, self._alone) if e is not None]
            self._executor = self._alone = None
            waiting = [page for page, _ in self._again]
            self._again.clear()
        for page in waiting:
            page.cancel()
        for executor in executors:
            executor.shutdown(wait=True, cancel_futures=True)
