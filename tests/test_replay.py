"""The archive in the tools archivists use: a WACZ that `wacz validate` accepts, and replay in a real pywb."""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
import urllib.request
import zipfile
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from conftest import BIN, REPO, free_port, run_cli, wait_for_url

PYWB_VENV = REPO / ".venv-pywb"  # pywb pins old cryptography and brotlipy: it gets a venv of its own


@pytest.fixture(scope="session")
def pywb_bin() -> Path:
    if not (PYWB_VENV / "bin" / "wayback").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PYWB_VENV)], check=True)
        subprocess.run([PYWB_VENV / "bin" / "pip", "install", "-q", "pywb==2.10.*"], check=True, timeout=900)
    return PYWB_VENV / "bin"


@pytest.fixture
def wayback(history_archive, pywb_bin, tmp_path):
    """pywb serving the archive's WARCs as collection `turan`."""
    env = {"PATH": f"{pywb_bin}:/usr/bin:/bin"}
    subprocess.run(
        [pywb_bin / "wb-manager", "init", "turan"], cwd=tmp_path, check=True, env=env, capture_output=True
    )
    warcs = [str(p) for p in sorted((history_archive / "warc").glob("*.warc.gz"))]
    subprocess.run(
        [pywb_bin / "wb-manager", "add", "turan", *warcs],
        cwd=tmp_path,
        check=True,
        env=env,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [pywb_bin / "wayback", "-p", str(port), "-b", "127.0.0.1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for_url(f"{base}/turan/cdx?url=example.com", 60, server)
    yield base
    server.terminate()
    server.wait(timeout=10)


def replay(base: str, timestamp: str, url: str) -> tuple[bytes, dict]:
    with urllib.request.urlopen(f"{base}/turan/{timestamp}id_/{url}", timeout=30) as resp:
        body, headers = resp.read(), dict(resp.headers)
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body, headers


def ts14(warc_date: str) -> str:
    return "".join(ch for ch in warc_date if ch.isdigit())[:14]


def test_pywb_replays_an_archived_article(history_archive, wayback):
    conn = sqlite3.connect(history_archive / "turan.db")
    url, title, fetched_at = conn.execute(
        "select a.url, a.title, c.fetched_at from articles a join captures c on c.id = a.capture_id "
        "where c.outcome = 'ok' and a.title not like '%''%' limit 1"
    ).fetchone()
    body, headers = replay(wayback, ts14(fetched_at), url)
    assert title in body.decode("utf-8", "replace")
    cdx = urllib.request.urlopen(f"{wayback}/turan/cdx?url={url}&output=json", timeout=30).read().decode()
    assert json.loads(cdx.splitlines()[0])["url"] == url


def test_pywb_replays_a_revisit_with_the_original_body(history_archive, wayback):
    conn = sqlite3.connect(history_archive / "turan.db")
    url, revisit_date, original_date = conn.execute(
        "select r.url, r.fetched_at, o.fetched_at from captures r join captures o on o.id = r.refers_to_capture_id "
        "where r.outcome = 'revisit' and r.url like '%/en/%' limit 1"
    ).fetchone()
    replayed, headers = replay(wayback, ts14(revisit_date), url)
    original, _ = replay(wayback, ts14(original_date), url)
    assert replayed == original and b"</html>" in replayed
    memento = parsedate_to_datetime(headers["Memento-Datetime"]).strftime("%Y%m%d%H%M%S")
    assert memento == ts14(revisit_date)  # the revisit itself was replayed, resolved to the original body


def test_wacz_package_is_valid_sorted_and_lists_every_article(history_archive, tmp_path):
    out = tmp_path / "turan.wacz"
    result = run_cli("wacz", str(out), "--archive", str(history_archive))
    assert result.returncode == 0, result.stderr
    check = subprocess.run([BIN / "wacz", "validate", "-f", str(out)], capture_output=True, text=True)
    assert check.returncode == 0 and "Validation succeeded" in check.stdout + check.stderr
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert {
            "indexes/index.cdxj",
            "pages/pages.jsonl",
            "datapackage.json",
            "datapackage-digest.json",
        } <= names
        assert all(
            zf.getinfo(n).compress_type == zipfile.ZIP_STORED for n in names if n.startswith("archive/")
        )
        keys = [line.split(" ", 2)[:2] for line in zf.read("indexes/index.cdxj").decode().splitlines()]
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
    assert keys == sorted(keys)
    assert pages[0]["format"] == "json-pages-1.0"
    articles = {
        r[0]: r[1]
        for r in sqlite3.connect(history_archive / "turan.db").execute("select url, title from articles")
    }
    assert {p["url"]: p["title"] for p in pages[1:]} == articles
