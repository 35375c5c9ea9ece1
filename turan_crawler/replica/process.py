"""Run the replica in a child process (its own interpreter, so it never competes with the crawl's GIL)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


def port_or_free(preferred: int) -> int:
    """``preferred`` if nothing listens there on 127.0.0.1, else 0 (any free port)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: TIME_WAIT is fine
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            return 0
    return preferred


@contextmanager
def replica_process(
    articles: int = 300,
    seed: int = 1,
    faults: bool = True,
    port: int = 0,
    layout: str = "classic",
    skins: bool = True,
    cdn: bool = True,
    cdn_port: int = 0,
) -> Iterator[str]:
    """Start ``turan-crawler replica`` in a child process and yield its base URL; stop it on exit.

    The defaults add no option, so the command line is the same as before layouts, skins and the CDN
    existed; ``layout`` passes ``--layout``, ``skins=False`` passes ``--no-skins``, ``cdn=False`` passes
    ``--no-cdn`` and a ``cdn_port`` other than 0 passes ``--cdn-port`` (the CDN is on by default, on any
    free port; the truth's ``requisites.cdn`` says where).
    """
    cmd = [
        sys.executable,
        "-m",
        "turan_crawler",
        "replica",
        "--port",
        str(port),
        "--articles",
        str(articles),
        "--seed",
        str(seed),
    ]
    if not faults:
        cmd.append("--no-faults")
    if layout != "classic":
        cmd += ["--layout", layout]
    if not skins:
        cmd.append("--no-skins")
    if not cdn:
        cmd.append("--no-cdn")
    elif cdn_port:
        cmd += ["--cdn-port", str(cdn_port)]
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
