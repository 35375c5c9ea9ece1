"""Progress bars on long work: drawn when stderr is a terminal (a pseudo-terminal here), never under
`--quiet` or into a pipe (cron keeps its one summary line); and the progress the pure functions report
ends at the bytes of WARC there are."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

import pytest
from conftest import count, crawl_args, run_cli

from turan_crawler.archiving.paths import ArchivePaths
from turan_crawler.reindex import rebuild_index
from turan_crawler.verify import verify_archive
from turan_crawler.wacz import write_wacz

BAR = re.compile(r"\d+%\|")  # tqdm's "42%|" before the bar


def run_in_terminal(*args: str, timeout: float = 180) -> tuple[int, str, str]:
    """``turan-crawler ARGS`` with stderr on a pseudo-terminal of 160 columns: (exit code, what the
    terminal showed, stdout)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    with tempfile.TemporaryFile() as stdout:
        proc = subprocess.Popen(
            [sys.executable, "-m", "turan_crawler", *args],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=slave,
        )
        os.close(slave)
        shown = bytearray()
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if select.select([master], [], [], 0.2)[0]:
                    try:
                        chunk = os.read(master, 1 << 16)
                    except OSError:  # every writer closed the terminal
                        break
                    if not chunk:
                        break
                    shown += chunk
                elif proc.poll() is not None:  # exited, and nothing more came (workers may keep the fd)
                    break
            else:
                pytest.fail(f"turan-crawler {' '.join(args)} did not end in {timeout} s")
        finally:
            os.close(master)
            if proc.poll() is None:
                proc.kill()
        code = proc.wait()
        stdout.seek(0)
        return code, shown.decode("utf-8", "replace"), stdout.read().decode()


@pytest.fixture
def archive(history_archive: Path, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(history_archive, target)
    return target


def warc_bytes(archive: Path) -> int:
    return sum(p.stat().st_size for p in (archive / "warc").glob("*.warc.gz"))


# -- the commands -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "stages"),
    [
        (["reindex"], ["reindex"]),
        (["verify"], ["WARC files", "captures' records"]),
        (["wacz", "OUT"], ["indexing", "packing"]),
    ],
)
def test_long_commands_draw_bars_at_a_terminal_and_nothing_when_quiet_or_piped(archive, command, stages):
    command = [str(archive.parent / "out.wacz") if word == "OUT" else word for word in command]
    args = [*command, "--archive", str(archive)]
    code, shown, _ = run_in_terminal(*args)
    assert code == 0, shown
    for stage in stages:
        frames = [line for line in shown.split("\r") if line.startswith(f"{stage}:")]
        assert frames and any(BAR.search(frame) for frame in frames), (stage, shown)
    summary = f"turan-crawler {command[0]}: "
    assert shown.rstrip("\r\n").rsplit("\r", 1)[-1].lstrip("\n").startswith(summary)  # bars erased, then it

    code, shown, _ = run_in_terminal(*args, "--quiet")
    assert code == 0 and not BAR.search(shown) and "\r" not in shown.replace("\r\n", "\n"), shown
    piped = run_cli(*args)
    assert piped.returncode == 0
    assert "\r" not in piped.stderr and not BAR.search(piped.stderr), piped.stderr
    assert piped.stderr.splitlines()[-1].startswith(summary)  # after any warnings, the one summary line


def test_the_crawl_draws_pages_against_what_is_still_to_walk_at_a_terminal(tmp_path, fresh_replica):
    args = crawl_args(
        tmp_path, fresh_replica.url, "--delay", "0", "--concurrency", "2", "--backfill-pages", "all"
    )
    args.remove("--quiet")
    code, shown, _ = run_in_terminal(*args)  # the replica's faults (Retry-After, a slow page) make it last
    assert code == 0, shown
    frames = re.findall(r"crawl (\d+)/(\d+) pages \|[^\r\n]*", shown)
    assert frames, shown
    # the total is what was fetched plus what is known to be waiting: more than fetched while it runs
    assert any(int(total) > int(done) for done, total in frames), frames
    assert re.search(
        r"pages/s [\d:]+<[\d:]+, articles new \d+ updated \d+  errors \d+  blocked \d+  queued \d+", shown
    ), shown
    assert "turan-crawler crawl: " in shown

    args[args.index("--concurrency") + 1] = "4"  # again, incremental
    code, shown, _ = run_in_terminal(*args, "--quiet")
    assert "crawl 0/" not in shown and "pages |" not in shown and not BAR.search(shown), shown
    piped = run_cli(*args)
    assert piped.returncode == 0 and "pages |" not in piped.stderr and "\r" not in piped.stderr


# -- the callbacks ------------------------------------------------------------------------------------
def recorder(calls: dict[str, list[tuple[int, int]]]):
    def progress(stage: str, done: int, total: int) -> None:
        calls.setdefault(stage, []).append((done, total))

    return progress


def ends_at(calls: list[tuple[int, int]], total: int) -> bool:
    done = [d for d, _ in calls]
    return done == sorted(done) and calls[-1] == (total, total) and {t for _, t in calls} == {total}


def test_progress_callbacks_count_the_bytes_of_warc_read_up_to_their_total(archive, tmp_path):
    paths, total = ArchivePaths.at(archive), warc_bytes(archive)
    calls: dict = {}
    rebuild_index(paths, tmp_path / "rebuilt.db", workers=1, progress=recorder(calls))
    assert list(calls) == ["reindex"] and ends_at(calls["reindex"], total), calls["reindex"][-3:]

    calls = {}
    assert verify_archive(paths, progress=recorder(calls)).ok
    assert list(calls) == ["WARC files", "captures' records"]
    assert ends_at(calls["WARC files"], total)
    with_records = count(archive, "select sum(warc_length) from captures where warc_file is not null")
    assert ends_at(calls["captures' records"], with_records)

    calls = {}
    write_wacz(paths, tmp_path / "out.wacz", progress=recorder(calls))
    assert list(calls) == ["indexing", "packing"]
    assert ends_at(calls["indexing"], total) and ends_at(calls["packing"], total)
