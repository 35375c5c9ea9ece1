"""Shared fixtures: a replica of the site on a free 127.0.0.1 port, and plain HTTP helpers."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from turan_crawler.replica import ReplicaServer, start_replica


@dataclass
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def fetch(base_url: str, path: str, headers: dict[str, str] | None = None, timeout: float = 30) -> Fetched:
    """One GET with http.client: no redirects followed, no decompression, headers as sent."""
    netloc = urlsplit(base_url).netloc
    conn = http.client.HTTPConnection(netloc, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return Fetched(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def crawl_args(archive, url: str, *extra: str) -> list[str]:
    """The ``turan-crawler crawl`` arguments the tests use: ``url`` into ``archive``, quiet, plus ``extra``."""
    return ["crawl", "--archive", str(archive), "--start-url", url, "--quiet", *extra]


def truth_of(server: ReplicaServer) -> dict:
    return json.loads(fetch(server.url, "/_replica/truth.json").body)


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaServer]:
    """A shared, read-only replica with 300 articles and every fault. Do not publish or edit on it."""
    server = start_replica(articles=300, seed=1, slow_seconds=1.0)
    yield server
    server.stop()


@pytest.fixture
def fresh_replica() -> Iterator[ReplicaServer]:
    """A small replica of the test's own, free to publish, edit and remove articles."""
    server = start_replica(articles=40, seed=7, slow_seconds=0.5)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def replica_truth(replica: ReplicaServer) -> dict:
    return truth_of(replica)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_url(url: str, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers (any status); fail if ``proc`` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            assert time.monotonic() < deadline, f"{url} did not answer"
            assert proc is None or proc.poll() is None, f"the server for {url} exited"
            time.sleep(0.2)
