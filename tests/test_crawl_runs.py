"""How a crawl run behaves as a program: the demo, `scrapy crawl`, rollover, the lock, a full disk."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest
from conftest import BIN, REPO, count, crawl_args, run_cli, warcio_check

from turan_crawler.archiving.lock import ArchiveLock


def test_demo_crawls_the_bundled_replica(tmp_path):
    result = run_cli("demo", "--archive", str(tmp_path), "--articles", "30", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "turan-crawler demo: " in result.stderr and "31 new articles" in result.stderr
    assert "turan-crawler serve --archive" in result.stderr  # says how to browse it
    assert count(tmp_path, "select count(*) from articles") == 31


def test_scrapy_crawl_command_works_too(tmp_path, fresh_replica):
    result = subprocess.run(
        [
            BIN / "scrapy",
            "crawl",
            "turan",
            "-a",
            f"start_url={fresh_replica.url}",
            "-s",
            f"ARCHIVE_DIR={tmp_path}",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            "TURAN_LANGS=en",
            "-s",
            "LOG_LEVEL=WARNING",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert count(tmp_path, "select count(*) from articles where lang = 'en'") >= 10
    assert count(tmp_path, "select count(*) from runs where finish_reason = 'finished'") == 1


def test_warc_files_roll_over_at_the_size_limit(tmp_path, fresh_replica):
    result = run_cli(
        *crawl_args(
            tmp_path, fresh_replica.url, "--delay", "0", "--lang", "en,az", "--warc-max-size", "600000"
        )
    )
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) >= 3
    assert warcio_check(tmp_path).returncode == 0
    assert run_cli("verify", "--archive", str(tmp_path)).returncode == 0


def test_a_second_run_on_a_locked_archive_exits_75(tmp_path, fresh_replica):
    with ArchiveLock(tmp_path):
        result = run_cli(*crawl_args(tmp_path, fresh_replica.url))
    assert result.returncode == 75
    assert "another crawl (pid " in result.stderr and str(tmp_path / ".lock") in result.stderr


def test_an_unusable_archive_folder_is_a_clear_error(tmp_path, fresh_replica):
    not_a_folder = tmp_path / "archive"
    not_a_folder.write_text("I am a file")
    result = run_cli(*crawl_args(not_a_folder, fresh_replica.url))
    assert result.returncode == 1
    assert "cannot use archive folder" in result.stderr and "Traceback" not in result.stderr


def test_a_full_disk_stops_the_crawl_cleanly_and_the_next_run_carries_on(small_disk, fresh_replica):
    args = crawl_args(small_disk, fresh_replica.url, "--delay", "0")
    full = run_cli(*args)
    assert full.returncode == 1
    assert "archive error" in full.stderr
    assert "No space left on device" in full.stderr or "database or disk is full" in full.stderr
    assert "Traceback" not in full.stderr
    assert warcio_check(small_disk).returncode == 0  # cut back to its last complete record, then closed
    assert not list((small_disk / "warc").glob("*.open"))
    with sqlite3.connect(small_disk / "turan.db") as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    subprocess.run(["mount", "-o", "remount,size=200m", str(small_disk)], check=True)  # space freed
    again = run_cli(*args)
    assert again.returncode == 0, again.stderr
    verify = run_cli("verify", "--archive", str(small_disk))
    assert verify.returncode == 0, verify.stdout
    assert count(small_disk, "select count(*) from articles") == 41


def test_a_run_where_everything_is_blocked_exits_1(tmp_path, fresh_replica):
    challenge = fresh_replica.url + "/en/politics/challenge-fault"
    result = run_cli(*crawl_args(tmp_path, challenge))
    assert result.returncode == 1
    assert "0 new articles" in result.stderr and "1 blocked" in result.stderr


def test_verify_reports_a_damaged_warc_and_a_wrong_offset(tmp_path, fresh_replica):
    assert run_cli(*crawl_args(tmp_path, fresh_replica.url, "--lang", "ru", "--delay", "0")).returncode == 0
    with sqlite3.connect(tmp_path / "turan.db") as conn:
        moved = conn.execute("select max(id) from captures where warc_file is not null").fetchone()[0]
        conn.execute("update captures set warc_offset = warc_offset + 1 where id = ?", [moved])
    warc = next((tmp_path / "warc").glob("*.warc.gz"))
    data = bytearray(warc.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of a record
    warc.write_bytes(bytes(data))
    result = run_cli("verify", "--archive", str(tmp_path))
    assert result.returncode == 1
    problems = [line for line in result.stdout.splitlines() if line.startswith("PROBLEM ")]
    assert any(p.startswith(f"PROBLEM {warc.name}: damaged gzip member at offset") for p in problems)
    assert any(p.startswith(f"PROBLEM capture {moved}: no record at") for p in problems), problems


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("DOWNLOAD_MAXSIZE=0", "DOWNLOAD_MAXSIZE is 0: at most 67108864"),  # 0 is no limit in Scrapy
        ("DOWNLOAD_MAXSIZE=100000000", "the bound within which the archive's readers"),
        ("TURAN_REQUISITES=everything", "TURAN_REQUISITES is 'everything': one of none, images, all"),
    ],
)
def test_a_setting_the_archive_cannot_honour_is_refused_before_the_run_starts(tmp_path, setting, words):
    result = run_cli(*crawl_args(tmp_path, "http://127.0.0.1:9", "--set", setting))
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "turan.db").exists()
