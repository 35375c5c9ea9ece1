"""Peak memory and time of capture, the web view and reindex on hostile pages (tests/hostile.py).

    .venv/bin/python benchmarks/hostile_memory.py

For each page: `capture` into a fresh archive (peak PSS of the whole process tree, page-reading workers
included: pages they share are counted once), then the archived-page view of that capture in a real `serve` (the server's own peak, VmHWM),
then `reindex` of the archive (tree peak PSS). Figures go to BENCHMARKS.md ("Hostile pages").
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import run_measured, running_serve  # noqa: E402
from hostile import HostileServer  # noqa: E402

PAGES = ["gzip-bomb", "gzip-bomb-1g", "gzip-file", "links-100k", "links-500k", "deep-nesting", "long-line"]


def view_peak(archive: Path, capture_id: int) -> tuple[int, float, float]:
    with running_serve(archive) as (base, serve):
        started = time.monotonic()
        try:
            status = urllib.request.urlopen(f"{base}/-/turan/capture/{capture_id}/raw", timeout=120).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        seconds = time.monotonic() - started
        with open(f"/proc/{serve.pid}/status") as fh:
            peak = int(next(line for line in fh if line.startswith("VmHWM")).split()[1]) / 1024
        return status, peak, seconds


def main() -> None:
    print(f"{'page':<14} {'capture':>26} {'web view':>24} {'reindex':>22}")
    with HostileServer(trickle_seconds=5) as hostile, tempfile.TemporaryDirectory() as scratch:
        for name in PAGES:
            archive = Path(scratch) / name
            result, peak, seconds = run_measured("capture", "--archive", str(archive), "--delay", "0",
                                                 hostile.url_of(name), timeout=300)  # fmt: skip
            conn = sqlite3.connect(archive / "turan.db")
            row = conn.execute(
                "select id, outcome from captures where url = ? and warc_file is not null",
                [hostile.url_of(name)],
            ).fetchone()
            conn.close()
            capture = f"exit {result.returncode} {row[1] if row else '-':<6} {peak:5.0f} MB {seconds:5.1f} s"
            view = "-"
            if row:
                status, vpeak, vseconds = view_peak(archive, row[0])
                view = f"HTTP {status} {vpeak:5.0f} MB {vseconds:5.1f} s"
            reindex, rpeak, rseconds = run_measured("reindex", "--archive", str(archive), timeout=300)
            print(f"{name:<14} {capture:>26} {view:>24} {f'exit {reindex.returncode} {rpeak:5.0f} MB {rseconds:5.1f} s':>22}",
                  flush=True)  # fmt: skip
    print(f"machine: {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
