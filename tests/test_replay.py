"""The archive in the tools archivists use: a WACZ that `wacz validate` accepts, and replay in a real pywb
(of the WARCs, and of the WACZ as pywb unpacks one)."""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import urllib.request
import zipfile
from email.utils import parsedate_to_datetime

import pytest
from conftest import BIN, run_cli, running_wayback


@pytest.fixture
def wayback(history_archive, pywb_bin, tmp_path):
    """pywb serving the archive's WARCs as collection `turan`."""
    with running_wayback(history_archive, pywb_bin, tmp_path) as base:
        yield base


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
            "indexes/index.cdx.gz",
            "indexes/index.idx",
            "pages/pages.jsonl",
            "datapackage.json",
            "datapackage-digest.json",
        } <= names
        assert all(
            zf.getinfo(n).compress_type == zipfile.ZIP_STORED for n in names if n.startswith("archive/")
        )
        keys = [
            line.split(" ", 2)[:2]
            for line in gzip.decompress(zf.read("indexes/index.cdx.gz")).decode().splitlines()
        ]
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
    assert keys == sorted(keys)
    assert pages[0]["format"] == "json-pages-1.0"
    articles = {
        r[0]: r[1]
        for r in sqlite3.connect(history_archive / "turan.db").execute("select url, title from articles")
    }
    assert {p["url"]: p["title"] for p in pages[1:]} == articles


def test_pywb_replays_an_article_from_the_wacz(history_archive, pywb_bin, tmp_path):
    """pywb reads the package's own index (it takes only `indexes/*.cdx[.gz]`) and its WARCs."""
    out = tmp_path / "turan.wacz"
    assert run_cli("wacz", str(out), "--archive", str(history_archive)).returncode == 0
    conn = sqlite3.connect(history_archive / "turan.db")
    url, title, fetched_at = conn.execute(
        "select a.url, a.title, c.fetched_at from articles a join captures c on c.id = a.capture_id "
        "where a.title not like '%''%' order by a.id desc limit 1"
    ).fetchone()
    (tmp_path / "pywb").mkdir()
    with running_wayback(history_archive, pywb_bin, tmp_path / "pywb", wacz=out) as base:
        body, _headers = replay(base, ts14(fetched_at), url)
    assert title in body.decode("utf-8", "replace")
