"""`turan-crawler status`: what an archive holds and whether it is healthy, for a person (text) and for a
monitoring check (`--json`, exit code). Expected figures come from the archive's own index, never from
the replica's article counts."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

from conftest import (
    captures_count,
    crawl,
    crawl_args,
    free_port,
    index,
    run_cli,
    start_crawl,
    tiny_site,
    wait_for,
)


def status(archive: Path, *extra: str):
    return run_cli("status", "--archive", str(archive), *extra)


def status_json(archive: Path) -> tuple[int, dict]:
    result = status(archive, "--json")
    return result.returncode, json.loads(result.stdout)


def copy_of(archive: Path, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(archive, target)
    return target


def from_index(archive: Path, sql: str) -> dict:
    with index(archive) as conn:
        return {key: value for key, value in conn.execute(sql).fetchall()}


# -- no archive, an empty one -----------------------------------------------------------------------
def test_status_of_a_folder_without_an_archive_says_so_in_one_line_and_exits_1(tmp_path):
    result = status(tmp_path / "nothing-here")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"turan-crawler status: no archive at {tmp_path / 'nothing-here'} (nothing has been crawled into it)"
    ]
    code, report = status_json(tmp_path / "nothing-here")
    assert code == 1 and report["healthy"] is False and "no archive at" in report["problems"][0]


def test_status_of_an_empty_archive_is_healthy_and_shows_nothing_in_it(tmp_path):
    (tmp_path / "warc").mkdir()
    assert run_cli("reindex", "--archive", str(tmp_path)).returncode == 0  # an index of no WARC file
    result = status(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "articles   0; 0 versions" in lines
    assert "runs       none yet" in lines
    assert any(line.startswith("storage    0 WARC files, 0 bytes; index ") for line in lines)
    assert lines[-1] == "healthy"
    code, report = status_json(tmp_path)
    assert code == 0 and report["healthy"] is True and report["problems"] == []
    assert report["articles"]["total"] == 0 and report["captures"]["total"] == 0
    assert report["runs"] == [] and report["last_run"] is None and report["last_verify"] is None


# -- a healthy archive --------------------------------------------------------------------------------
def test_status_of_a_healthy_archive_shows_what_its_index_holds(history_archive):
    code, report = status_json(history_archive)
    assert code == 0, report["problems"]
    assert report["healthy"] is True and report["problems"] == []

    by_lang = from_index(history_archive, "select lang, count(*) from articles group by lang")
    assert report["articles"]["by_lang"] == by_lang
    assert report["articles"]["total"] == sum(by_lang.values())
    assert (
        report["articles"]["versions"]
        == from_index(history_archive, "select 'n', count(*) from article_versions")["n"]
    )
    assert report["articles"]["versions"] > report["articles"]["total"]  # the history has an edit
    dates = from_index(history_archive, "select min(published_at), max(published_at) from articles")
    assert dates == {report["articles"]["first_published"]: report["articles"]["last_published"]}
    outcomes = from_index(history_archive, "select outcome, count(*) from captures group by outcome")
    assert report["captures"]["by_outcome"] == outcomes and {"ok", "revisit", "error"} <= set(outcomes)

    warcs = list((history_archive / "warc").glob("*.warc.gz"))
    assert report["warc"]["files"] == len(warcs) and report["warc"]["open"] == []
    assert report["warc"]["bytes"] == sum(p.stat().st_size for p in warcs)
    assert report["index"]["bytes"] >= (history_archive / "turan.db").stat().st_size

    runs = from_index(history_archive, "select id, finish_reason from runs order by id desc")
    assert [(r["id"], r["finish_reason"]) for r in report["runs"]] == list(runs.items())
    assert all(r["seconds"] is not None and r["seconds"] >= 0 for r in report["runs"])
    last = report["last_run"]
    assert last["id"] == max(runs) and last["failed"] is False
    failed_fetches = from_index(
        history_archive,
        f"select outcome, count(*) from captures where run_id = {last['id']} "
        "and outcome in ('error', 'blocked') group by outcome",
    )
    assert {o: sum(p["count"] for p in last["problems"] if p["outcome"] == o) for o in failed_fetches} == (
        failed_fetches
    )
    assert report["lock"]["held"] is False and report["running"] is None and report["unfinished_runs"] == []

    text = status(history_archive)
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    total = report["articles"]["total"]
    assert any(line.startswith(f"articles   {total:,} (") for line in lines)
    assert all(f"{lang} {n:,}" in text.stdout for lang, n in by_lang.items())
    assert f"last run   {last['id']} (crawl) ended " in text.stdout
    assert "running    no" in lines and lines[-1] == "healthy"


# -- verify keeps its result; status reads it --------------------------------------------------------
def test_verify_keeps_its_result_and_status_reports_a_failed_one(history_archive, tmp_path):
    archive = copy_of(history_archive, tmp_path)
    assert run_cli("verify", "--archive", str(archive)).returncode == 0
    kept = json.loads((archive / "verify.json").read_text())
    assert kept["ok"] is True and kept["problems"] == 0 and kept["captures"] > 0
    assert kept["during_run"] is False
    code, report = status_json(archive)
    assert code == 0 and report["last_verify"]["ok"] is True
    assert "verify     " in status(archive).stdout and ": OK (" in status(archive).stdout

    warc = sorted((archive / "warc").glob("*.warc.gz"))[0]
    data = bytearray(warc.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of a record
    warc.write_bytes(bytes(data))
    broken = run_cli("verify", "--archive", str(archive))
    assert broken.returncode == 1
    problems = [
        line.removeprefix("PROBLEM ") for line in broken.stdout.splitlines() if line.startswith("PROBLEM")
    ]
    kept = json.loads((archive / "verify.json").read_text())
    assert (
        kept["ok"] is False and kept["problems"] == len(problems) and kept["first_problems"] == problems[:10]
    )

    code, report = status_json(archive)
    assert code == 1 and report["healthy"] is False
    assert report["problems"] == [
        f"the last verify ({kept['finished_at']}) found {len(problems)} problem(s): "
        "see `turan-crawler verify`, then `verify --repair`"
    ]
    text = status(archive)
    assert text.returncode == 1
    assert "NOT HEALTHY" in text.stdout and "FAILED" in text.stdout


# -- a run going on, a killed run ---------------------------------------------------------------------
def test_status_sees_a_running_crawl_and_asks_for_repair_after_it_is_killed(tmp_path, fresh_replica):
    running = start_crawl(tmp_path, fresh_replica, "--delay", "0.2", "--concurrency", "1")
    try:
        wait_for(lambda: any((tmp_path / "warc").glob("*.open")) and captures_count(tmp_path) > 3)
        code, report = status_json(tmp_path)
        assert code == 0, report["problems"]  # the open WARC file is the running crawl's
        assert report["lock"]["held"] is True and report["lock"]["holder"].startswith(f"pid {running.pid}, ")
        assert report["running"]["pid"] == running.pid and report["running"]["captures_so_far"] > 3
        # a verify meanwhile finds the running crawl's open file: kept, but no verdict on the archive
        assert run_cli("verify", "--archive", str(tmp_path)).returncode == 1
        kept = json.loads((tmp_path / "verify.json").read_text())
        assert kept["ok"] is False and kept["during_run"] is True
        code, report = status_json(tmp_path)
        assert code == 0 and report["problems"] == [], report["problems"]
        assert "while a run was going on" in status(tmp_path).stdout
    finally:
        os.kill(running.pid, signal.SIGKILL)
        running.wait()

    code, report = status_json(tmp_path)
    assert code == 1 and report["lock"]["held"] is False and report["running"] is None
    killed = [r["id"] for r in report["unfinished_runs"]]
    assert killed == list(from_index(tmp_path, "select id, 1 from runs where finished_at is null"))
    assert report["warc"]["open"] == [p.name for p in (tmp_path / "warc").glob("*.open")]
    assert report["problems"] == [
        "1 WARC file(s) left open by a run that is gone: run `turan-crawler verify --repair`",
        f"run(s) {killed[0]} never finished (killed?): run `turan-crawler verify --repair`",
    ]
    text = status(tmp_path)
    assert text.returncode == 1
    assert f"the last holder, pid {running.pid}, started " in text.stdout and "never ended" in text.stdout

    assert run_cli("verify", "--repair", "--archive", str(tmp_path)).returncode == 0
    code, report = status_json(tmp_path)  # repaired: the killed run is now the last run, and it failed
    assert code == 1 and report["problems"] == [
        f"the last run ({killed[0]}, crawl) failed: it ended 'killed'"
    ]

    assert crawl(tmp_path, fresh_replica).returncode == 0
    code, report = status_json(tmp_path)
    assert code == 0, report["problems"]
    assert report["last_run"]["id"] == killed[0] + 1 and report["last_verify"]["ok"] is True


def test_a_last_run_that_could_fetch_nothing_makes_status_exit_1(tmp_path):
    site_down = f"http://127.0.0.1:{free_port()}"  # nothing listens there: every fetch fails
    assert run_cli(*crawl_args(tmp_path, site_down, "--delay", "0")).returncode == 1
    code, report = status_json(tmp_path)
    assert code == 1
    last = report["last_run"]
    assert report["problems"] == [
        f"the last run ({last['id']}, crawl) failed: nothing but errors and challenge pages was fetched"
    ]
    failed = from_index(tmp_path, "select outcome, count(*) from captures group by outcome")
    assert set(failed) == {"error"} and sum(p["count"] for p in last["problems"]) == failed["error"]
    text = status(tmp_path).stdout
    assert "finished, FAILED\n" in text and f"problems   {failed['error']} errors (no response" in text
    assert f"{site_down}/robots.txt" in text or f"{site_down}/en" in text


def test_status_calls_a_run_failed_exactly_when_its_exit_code_did(tmp_path):
    """A site without robots.txt (404): a run that fetched its one page succeeded, for its exit code and
    for status alike; once that page answers 500 too, the next run failed, for both."""
    page = {"status": 200}

    def respond(path: str):
        if path == "/en/the-only-page":
            return page["status"], [("Content-Type", "text/html")], b"<html><title>A page</title><p>Text.</p>"
        return 404, [("Content-Type", "text/html")], b"not found"

    with tiny_site(respond) as site:
        args = crawl_args(tmp_path, site + "/en/the-only-page", "--delay", "0")
        assert run_cli(*args).returncode == 0
        code, report = status_json(tmp_path)
        assert code == 0 and report["last_run"]["failed"] is False, report["problems"]

        page["status"] = 500
        assert run_cli(*args).returncode == 1
        code, report = status_json(tmp_path)
        assert code == 1 and report["last_run"]["failed"] is True
        assert report["problems"] == [
            f"the last run ({report['last_run']['id']}, crawl) failed: "
            "nothing but errors and challenge pages was fetched"
        ]


# -- a damaged index ----------------------------------------------------------------------------------
def test_status_of_a_missing_or_damaged_index_is_one_sentence_and_exit_1(history_archive, tmp_path):
    archive = copy_of(history_archive, tmp_path)
    (archive / "turan.db").unlink()
    missing = status(archive)
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.splitlines() == [
        f"turan-crawler status: the index {archive / 'turan.db'} is missing: rebuild it from the WARC "
        f"files with `turan-crawler reindex --archive {archive}`"
    ]
    (archive / "turan.db").write_bytes(b"this is not an SQLite database, just text " * 200)
    damaged = status(archive)
    assert damaged.returncode == 1 and damaged.stdout == ""
    assert len(damaged.stderr.splitlines()) == 1
    assert "is damaged or not an index" in damaged.stderr and "turan-crawler reindex" in damaged.stderr
    code, report = status_json(archive)
    assert code == 1 and report["healthy"] is False and "damaged" in report["problems"][0]
