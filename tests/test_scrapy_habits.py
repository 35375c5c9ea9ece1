"""The project used the way Scrapy users and cron users work: feed exports, `scrapy shell` and `scrapy parse`
(which look, never archive), and the README's crontab line run by /bin/sh on a fresh machine."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
from dataclasses import fields
from datetime import datetime

import pytest
from conftest import BIN, REPO, fetch, index, truth_of

from turan_crawler.index.schema import TABLES
from turan_crawler.items import ArticleItem

COLUMNS = [f.name for f in fields(ArticleItem)]  # the last two: the capture read and its time


def scrapy(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BIN / "scrapy", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def fast(replica_url: str, archive) -> list[str]:
    return ["-a", f"start_url={replica_url}", "-s", f"ARCHIVE_DIR={archive}", "-s", "DOWNLOAD_DELAY=0",
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "TURAN_LANGS=en", "-s", "LOG_LEVEL=WARNING"]  # fmt: skip


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_a_feed_export_has_one_flat_row_per_article_named_like_the_index(tmp_path, fresh_replica, suffix):
    out = tmp_path / f"articles.{suffix}"
    result = scrapy("crawl", "turan", *fast(fresh_replica.url, tmp_path / "archive"), "-O", str(out))
    assert result.returncode == 0, result.stderr
    if suffix == "jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    else:
        with open(out, newline="") as fh:
            rows = list(csv.DictReader(fh))
    assert rows and all(list(row) == COLUMNS for row in rows)  # flat, one column per field, nothing else
    assert set(COLUMNS) - {"fetched_at"} <= set(TABLES["articles"]["columns"])  # named like the index's
    with index(tmp_path / "archive") as conn:
        indexed = {row["url"]: dict(row) for row in conn.execute("select * from articles")}
        captured = dict(conn.execute("select id, url from captures").fetchall())
    assert len(rows) == len({row["url"] for row in rows}) == len(indexed)  # one row per article

    def text(value) -> str:  # CSV writes every value as text, None as ""
        return "" if value is None else str(value)

    for row in rows:  # the values the index holds
        stored = indexed[row["url"]]
        differ = {
            name: (row[name], stored[name]) for name in COLUMNS[:-2] if text(row[name]) != text(stored[name])
        }
        assert not differ, row["url"]
        # the capture it was read from (an article fetched twice in a run: the index points at the later)
        assert captured[int(row["capture_id"])] == row["url"]
    assert all(row["title"] and row["body"] and row["fetched_at"] for row in rows)


def test_scrapy_shell_and_parse_look_without_archiving(tmp_path, fresh_replica):
    article = fresh_replica.url + truth_of(fresh_replica)["articles"][0]["url"]
    env = {"TURAN_ARCHIVE": str(tmp_path / "archive")}  # where an archive would go by default
    shell = scrapy("shell", article, "-c", "response.status", env=env, timeout=120)
    assert shell.returncode == 0 and shell.stdout.strip() == "200", shell.stderr
    parse = scrapy(
        "parse", "--spider", "turan", "-a", f"start_url={fresh_replica.url}", "-c", "parse_page", article,
        env=env, timeout=120,
    )  # fmt: skip
    assert parse.returncode == 0, parse.stderr
    assert "Scraped Items" in parse.stdout and "'title': " in parse.stdout  # read as the crawl reads it
    assert "'turan/articles': 1" in parse.stderr  # that page only: no sitemap or backlog was followed
    assert not (tmp_path / "archive").exists()


def readme_crontab_line() -> str:
    block = re.search(r"```cron\n(.*?)```", (REPO / "README.md").read_text(), re.S).group(1)
    return next(line for line in block.splitlines() if line and not line.startswith("#"))


def test_the_readmes_crontab_line_works_on_a_fresh_machine(tmp_path, fresh_replica):
    """The command part of the line, as cron hands it to /bin/sh (cron's bare environment, no terminal, no
    input), with the README's paths replaced by this checkout and a data folder that does not exist yet,
    and the replica instead of the real site."""
    command = readme_crontab_line().split(None, 5)[5]
    data = tmp_path / "not" / "there" / "yet"
    command = command.replace("/srv/turan-crawler", str(REPO)).replace("/data/turan", str(data))
    command = command.replace(" crawl ", f" crawl --start-url {fresh_replica.url} --delay 0 ", 1)
    fetch(fresh_replica.url, "/_replica/publish?count=1")
    cron_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/sh", "LOGNAME": "root"}
    for _ in range(2):  # the first run fills the archive, the second finds nothing new
        run = subprocess.run(["/bin/sh", "-c", command], env=cron_env, stdin=subprocess.DEVNULL, timeout=300)
        assert run.returncode == 0
    lines = (data / "cron.log").read_text().splitlines()
    summaries = [line for line in lines if " turan-crawler crawl: " in line]
    assert len(summaries) == 2, lines
    stamps = [datetime.fromisoformat(line.split(" ", 1)[0]) for line in summaries]
    assert stamps[0] <= stamps[1] and "0 new articles" in summaries[1]


def test_a_crawl_creates_its_archive_folder_and_its_parents(tmp_path, fresh_replica):
    archive = tmp_path / "a" / "b" / "c"
    result = scrapy("crawl", "turan", *fast(fresh_replica.url, archive), "-s", "TURAN_MAX_ARTICLES=10")
    assert result.returncode == 0, result.stderr
    with index(archive) as conn:
        assert conn.execute("select count(*) from articles").fetchone()[0] > 0
    assert list((archive / "warc").glob("*.warc.gz"))
