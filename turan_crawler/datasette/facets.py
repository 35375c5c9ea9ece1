"""Facets that stay fast on a million articles: Datasette's column and date facets, their counts kept.

Datasette counts every facet of a table page on every view, one query after another: six facets over
1,000,000 articles take ~3 s. These facets (``{cached: category}``, ``{cached_date: published_at}`` in
metadata.yml) run the very same queries, but keep each result with the state of the index file it was
counted on (the mtimes of the file and its WAL): a view of an unchanged index reuses the counts; after a
crawl wrote, the last counts are shown while they are counted again in the background. A running crawl
changes the index at every commit, so a count is redone at most once a minute (RECOUNT_SECONDS), and one
count at a time runs in the background (BACKGROUND_COUNTS: each holds one of Datasette's SQL threads for
seconds at a million articles); counts may lag a running crawl by that much. Facets asked for in the URL
(``?_facet=``) are Datasette's own, counted live. The dashboard's counts are kept here too.

Later pages (``?_next=``) show the counts of their first page: Datasette 0.65 would count only the rows
after the page's cursor (its keyset clause is in the facet SQL), a different and slow query for every
page; a later page whose first page was never counted shows no facets.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import OrderedDict
from functools import partial

from datasette.database import QueryInterrupted, Results
from datasette.facets import ColumnFacet, DateFacet
from datasette.utils import sqlite_timelimit

MAX_RESULTS = 512  # facet results kept (one per facet, filter and search seen)
RECOUNT_SECONDS = 60  # a result is counted again at most this often, however often the index changes
BACKGROUND_COUNTS = 1  # counts running in the background at once
MAX_WAITING_COUNTS = (
    32  # counts waiting for it; past that a slow result is not counted (a later view asks again)
)
BACKGROUND_TIME_LIMIT_MS = 120_000  # a count in the background may take this long


def _run(sql: str, params, conn) -> Results:
    """``sql`` on one of Datasette's connections, within BACKGROUND_TIME_LIMIT_MS (Datasette's own
    execute() never allows more than sql_time_limit_ms, whatever it is asked)."""
    with sqlite_timelimit(conn, BACKGROUND_TIME_LIMIT_MS):
        cursor = conn.execute(sql, params if params is not None else {})
        return Results(cursor.fetchall(), False, cursor.description)


class _Counts:
    """Facet query results by (index file, SQL, parameters), with the index state they were counted on."""

    def __init__(self) -> None:
        self.kept: OrderedDict[tuple, tuple[tuple, object, float]] = OrderedDict()  # (state, results, when)
        self.counting: set[tuple] = set()
        self.tasks: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None

    @staticmethod
    def state(path: str | None) -> tuple:
        def mtime(name: str) -> int | None:
            try:
                return os.stat(name).st_mtime_ns
            except OSError:
                return None

        return (mtime(path), mtime(f"{path}-wal")) if path else (time.monotonic(),)

    async def execute(self, ds, database: str, sql: str, params, **kwargs):
        """Datasette's ``execute()``, answered from the kept result when there is one; QueryInterrupted
        (at once, while it is being counted in the background) when there is none."""
        path = ds.get_database(database).path
        key = (path, sql, repr(params))
        state = self.state(path)
        if key in self.kept:
            kept_state, results, kept_at = self.kept[key]
            self.kept.move_to_end(key)
            if kept_state != state and time.monotonic() - kept_at >= RECOUNT_SECONDS:
                self._count_later(ds, database, sql, params, key, state)
            return results
        if key in self.counting:  # asked again before its count is done: the live query would time out too
            raise QueryInterrupted(None, sql, params)
        try:
            results = await ds.execute(database, sql, params, **kwargs)
        except QueryInterrupted:
            self._count_later(ds, database, sql, params, key, state)  # a later view will have it
            raise
        self._keep(key, state, results)
        return results

    def _keep(self, key: tuple, state: tuple, results) -> None:
        self.kept[key] = (state, results, time.monotonic())
        while len(self.kept) > MAX_RESULTS:
            self.kept.popitem(last=False)

    def _count_later(self, ds, database: str, sql: str, params, key: tuple, state: tuple) -> None:
        if key in self.counting or len(self.counting) >= MAX_WAITING_COUNTS:  # one a filter varied forever
            return

        async def count() -> None:
            try:
                async with self._background_slots():
                    results = await ds.get_database(database).execute_fn(partial(_run, sql, params))
                self._keep(key, state, results)
            except Exception:  # noqa: BLE001 (a failed count leaves the last one; a later view retries)
                pass
            finally:
                self.counting.discard(key)

        self.counting.add(key)
        task = asyncio.get_running_loop().create_task(count())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _background_slots(self) -> asyncio.Semaphore:
        """BACKGROUND_COUNTS slots, one semaphore per event loop (tests run each request in its own)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._slots = loop, asyncio.Semaphore(BACKGROUND_COUNTS)
        return self._slots


COUNTS = _Counts()


class _CountingDatasette:
    """The Datasette a facet sees: the real one, whose execute() goes through COUNTS."""

    def __init__(self, ds) -> None:
        self._ds = ds

    def __getattr__(self, name: str):
        return getattr(self._ds, name)

    async def execute(self, database, sql, params=None, **kwargs):
        return await COUNTS.execute(self._ds, database, sql, params, **kwargs)


FIRST_PAGES: OrderedDict[tuple, tuple[list, list]] = OrderedDict()  # facets by first page's address
UNCOUNTED = {"_next", "_sort", "_sort_desc", "_size"}  # arguments that do not change what facets count


class _Kept:
    shown_as: str

    def __init__(self, ds, *args, **kwargs) -> None:
        super().__init__(_CountingDatasette(ds), *args, **kwargs)

    async def suggest(self) -> list:
        return []

    async def facet_results(self):
        args = sorted((k, v) for k, v in self.get_querystring_pairs() if k not in UNCOUNTED)
        page = (self.ds.get_database(self.database).path, self.request.path, repr(args), self.type)
        if "_next" in self.request.args:
            return FIRST_PAGES.get(page, ([], []))
        results, timed_out = await super().facet_results()
        for result in results:
            result["type"] = self.shown_as  # the templates show "column" and "date" facets by name
        FIRST_PAGES[page] = (results, timed_out)
        while len(FIRST_PAGES) > MAX_RESULTS:
            FIRST_PAGES.popitem(last=False)
        return results, timed_out


class KeptColumnFacet(_Kept, ColumnFacet):
    type = "cached"
    shown_as = "column"


class KeptDateFacet(_Kept, DateFacet):
    type = "cached_date"
    shown_as = "date"
