"""Browsing a big or busy archive: counts kept and redone in the background at a bounded rate, a dashboard
that never answers 500, charts of a bounded size, diffs and excerpts whose cost does not grow with the
square (or the whole) of a text.

A million-article index is not built here (benchmarks/browse.py does that): a count that takes longer
than Datasette's time limit is simulated by interrupting every live ``group by`` query, as Datasette
interrupts one that runs past ``sql_time_limit_ms``; counts in the background are not interrupted."""

from __future__ import annotations

import asyncio
import random
import re
import shutil
import sqlite3
import threading
import time
from datetime import date
from importlib import resources

import pytest
import yaml
from datasette.app import Datasette
from datasette.database import QueryInterrupted

from turan_crawler.datasette import facets
from turan_crawler.datasette.serve import SETTINGS
from turan_crawler.index import ArchiveStore, open_index

METADATA = yaml.safe_load(resources.files("turan_crawler.datasette").joinpath("metadata.yml").read_text())


@pytest.fixture
def ds(history_archive, tmp_path) -> Datasette:
    """Datasette over a copy of the archive's index (the WARCs beside it), as `serve` configures it."""
    shutil.copytree(history_archive, tmp_path / "a")
    return Datasette([str(tmp_path / "a" / "turan.db")], metadata=METADATA, settings=SETTINGS)


def slow_counts(ds: Datasette, monkeypatch) -> None:
    """Every live ``group by`` query runs past the time limit (as at a million articles)."""
    db = ds.get_database("turan")
    live = db.execute

    async def execute(sql, *args, **kwargs):
        if "group by" in sql:
            raise QueryInterrupted(None, sql, None)
        return await live(sql, *args, **kwargs)

    monkeypatch.setattr(db, "execute", execute)


async def counted() -> None:
    """Until the counts started in the background are done."""
    while facets.COUNTS.tasks:
        await asyncio.gather(*facets.COUNTS.tasks)


def add_article(ds: Datasette, category: str, **fields) -> None:
    """An article as the crawl writes it (ArchiveStore): the index changes under the running Datasette."""
    row = {"lang": "en", "title": "New", "body": "A new text.", "category": category, "word_count": 3}
    db = open_index(ds.get_database("turan").path)
    with db.atomic():
        ArchiveStore(db).save_article(
            f"http://x/en/politics/{category.lower()}-790901", {**row, **fields}, None, "2026-01-10T00:00:00Z"
        )
    db.close()


def get(ds: Datasette, path: str):
    return asyncio.run(ds.client.get(path))


def category_facet(page) -> set[str]:
    return {r["value"] for r in page.json()["facet_results"].get("category", {}).get("results", [])}


def test_a_busy_index_is_counted_again_at_most_once_a_minute(ds, monkeypatch):
    async def views():
        page = "/turan/articles.json?_size=0"
        before = category_facet(await ds.client.get(page))
        add_article(ds, "Brandnew")  # what a crawl does at every commit
        await ds.client.get(page)
        await counted()
        within_a_minute = category_facet(await ds.client.get(page))
        monkeypatch.setattr(facets, "RECOUNT_SECONDS", 0, raising=False)  # a minute later
        await ds.client.get(page)
        await counted()
        return before, within_a_minute, category_facet(await ds.client.get(page))

    before, within_a_minute, later = asyncio.run(views())
    assert before and "Brandnew" not in before
    assert within_a_minute == before  # the last counts, not a recount at every view
    assert later == before | {"Brandnew"}


def test_slow_counts_run_in_the_background_one_at_a_time(ds, monkeypatch):
    slow_counts(ds, monkeypatch)
    run, lock, running, peak = getattr(facets, "_run", None), threading.Lock(), [0], [0]

    def one_count(*args):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        try:
            return run(*args)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(facets, "_run", one_count, raising=False)
    facet_names = {
        next(iter(f.values())) for f in METADATA["databases"]["turan"]["tables"]["articles"]["facets"]
    }

    async def views():
        first = (await ds.client.get("/turan/articles.json?_size=0")).json()
        again = (await ds.client.get("/turan/articles.json?_size=0")).json()  # still counting: no wait
        await counted()
        return first, again, (await ds.client.get("/turan/articles.json?_size=0")).json()

    first, again, last = asyncio.run(views())
    assert first["facet_results"] == again["facet_results"] == {}  # timed out, counted in the background
    assert set(last["facet_results"]) == facet_names
    assert peak[0] == facets.BACKGROUND_COUNTS == 1


def test_the_dashboard_of_a_big_index_says_counting_then_shows_the_counts(ds, monkeypatch):
    slow_counts(ds, monkeypatch)

    async def views():
        first = await ds.client.get("/-/turan/dashboard")
        await counted()
        return first, await ds.client.get("/-/turan/dashboard")

    first, later = asyncio.run(views())
    assert first.status_code == 200
    assert "<b>Articles per month, by language</b>: counting…" in first.text
    assert "<b>Articles per category</b>: counting…" in first.text
    assert first.text.count("class='chart'") == 1  # the runs, counted live
    assert (
        later.status_code == 200 and later.text.count("class='chart'") == 3 and "counting…" not in later.text
    )


def test_a_misread_date_does_not_stretch_the_months_chart(ds):
    from turan_crawler.datasette.plugin import every_month

    months = every_month(["0001-01", "2025-11", "2026-02", "9999-12", "2026-13"], today=date(2026, 3, 10))
    assert months[0] == "2025-11" and months[-1] == "2026-02" and len(months) == 4
    assert every_month(["1989-12", "1990-03", "1990-01"], today=date(2026, 3, 10)) == [
        "1990-01",
        "1990-02",
        "1990-03",
    ]
    add_article(ds, "Politics", published_at="0001-01-01T00:00:00+04:00")
    page = get(ds, "/-/turan/dashboard")
    assert page.status_code == 200 and len(page.content) < 500_000
    assert "<title>0001-01: " not in page.text


def test_a_bar_chart_draws_at_most_its_last_columns():
    from turan_crawler.datasette.charts import MAX_COLUMNS, stacked_bars

    columns = [f"c{i}" for i in range(20_000)]
    svg = stacked_bars("Many", columns, {"a": list(range(20_000)), "b": [1] * 20_000})
    assert svg.count("<rect ") == 2 * MAX_COLUMNS + 2  # and the legend's two
    assert (
        f"<title>c{20_000 - MAX_COLUMNS}: a " in svg and f"<title>c{20_000 - MAX_COLUMNS - 1}: a " not in svg
    )


def test_the_diff_of_an_often_edited_article_shows_its_latest_changes(ds):
    from turan_crawler.datasette.plugin import DIFF_PAIRS

    for edit in range(1, DIFF_PAIRS + 4):  # the text changes at every fetch
        add_article(ds, "Politics", body=f"The count is now {edit} readers.")
    article_id = get(ds, "/turan/articles.json?_shape=array&category=Politics&title=New").json()[0]["id"]
    page = get(ds, f"/-/turan/article/{article_id}/diff").text
    shown = re.findall(r"<h2>Version (\d+) → version (\d+)</h2>", page)
    versions = DIFF_PAIRS + 3
    assert shown == [(str(v - 1), str(v)) for v in range(versions, versions - DIFF_PAIRS, -1)]
    assert f"each of the {versions - 1 - DIFF_PAIRS} before them is linked from" in page
    assert "<del>6</del><ins>7</ins>" in page  # the latest change, word for word
    one = get(ds, f"/-/turan/article/{article_id}/diff?from=1&to=2").text
    assert (
        re.findall(r"<h2>Version (\d+) → version (\d+)</h2>", one) == [("1", "2")]
        and "before them" not in one
    )


def text_of(words: int, seed: int) -> str:
    """News-like text: frequent short words among rarer ones, in paragraphs."""
    rng = random.Random(seed)
    vocabulary = [f"word{i}" for i in range(3000)] + ["the", "of", "and", "a", "in", "to"] * 200
    chosen = [rng.choice(vocabulary) for _ in range(words)]
    return "\n\n".join(" ".join(chosen[i : i + 80]) + "." for i in range(0, words, 80))


@pytest.mark.timeout(5)  # 0.1 s; 8 s when every run of spaces was a token of its own
def test_a_long_diff_marks_words_and_ignores_spacing():
    from turan_crawler.datasette.plugin import word_diff

    old = text_of(9_000, seed=1)
    new = old.replace("word17 ", "word17b ").replace(" the ", "  the ", 50)  # words changed, spacing too
    marked, removed, added = word_diff(old, new)
    assert removed == added == old.count("word17 ") > 0
    assert set(re.findall(r"<ins>(.*?)</ins>", marked)) == {"word17b"}
    assert word_diff("one two  three\n\nfour", "one two three four") == ("one two three four", 0, 0)


class WholeBody(str):
    """A long body that fails the test when it is split or walked whole."""

    def split(self, *args):
        raise AssertionError("the whole body was split")

    def __iter__(self):
        raise AssertionError("the whole body was walked")


def test_excerpts_read_only_the_start_of_a_body():
    from turan_crawler.datasette import atom, display

    body = WholeBody("Baku\x01 reported " + "more words " * 500_000)
    excerpt = display.excerpt(body)
    assert excerpt.startswith("Baku\x01 reported more words more") and excerpt.endswith(" …")
    assert len(excerpt) <= display.EXCERPT_CHARS + 2
    row = dict(id=1, url="http://x/en/a-1", title="T", author=None, lang="en", text_lang="en", category=None)
    feed = atom.feed(
        [{**row, "published_at": None, "first_seen": None, "changed_at": None, "body": body}],
        "http://h",
        "http://h/f",
        "F",
    )
    assert b'<summary type="text">Baku reported more words' in feed and len(feed) < 2_000


def test_the_table_tells_an_articles_word_count_from_the_index(ds):
    conn = sqlite3.connect(ds.get_database("turan").path)
    with conn:
        newest = conn.execute("select id from articles order by published_at desc limit 1").fetchone()[0]
        conn.execute("update articles set word_count = 12345 where id = ?", [newest])
    page = get(ds, "/turan/articles?_size=5").text
    assert "<span class='excerpt' title='12345 words'>" in page


def test_slow_results_wait_to_be_counted_in_a_bounded_queue():
    """A client varying its filter forever must not queue a count (and hold a SQL thread) for each."""
    counts = facets._Counts()
    counts.counting.update(("a filter", n) for n in range(facets.MAX_WAITING_COUNTS))
    counts._count_later(None, "turan", "select count(*) from articles", [], ("one more",), ())
    assert ("one more",) not in counts.counting and not counts.tasks
