"""Run the replica in a child process (its own interpreter, so it never competes with the crawl's GIL)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def replica_process(articles: int = 300, seed: int = 1, faults: bool = True) -> Iterator[str]:
    """Start ``turan-crawler replica --port 0`` and yield its base URL; stop it on exit."""
    cmd = [
        sys.executable,
        "-m",
        "turan_crawler",
        "replica",
        "--port",
        "0",
        "--articles",
        str(articles),
        "--seed",
        str(seed),
    ] + ([] if faults else ["--no-faults"])
    child = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stderr.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if not match:
            raise RuntimeError(
                f"the replica did not start: {line}{child.stderr.read() if child.poll() else ''}"
            )
        yield match.group(1)
    finally:
        child.terminate()
        child.wait(timeout=10)
