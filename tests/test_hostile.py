"""Hostile pages and damaged archives: every body bounded, every redirect scoped, every failure recorded
and recoverable, never a hang, a traceback or an unbounded allocation. The site is `tests/hostile.py`."""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import capture_args, crawl_args, index, run_cli, run_measured, running_serve, tiny_site
from hostile import HostileServer

from turan_crawler.archiving.lock import ArchiveLock

MB = 1024 * 1024


@pytest.fixture(scope="module")
def hostile():
    with HostileServer(trickle_seconds=20, bomb_bytes=1024**3) as server:
        yield server


def capture_row(archive: Path, url: str) -> sqlite3.Row:
    return index(archive).execute("select * from captures where url = ? order by id", [url]).fetchall()[-1]


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-2000:]


# -- bodies ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bomb_archive(hostile, tmp_path_factory) -> Path:
    """An archive holding a 1 GiB gzip bomb, captured (archived as received: 1 MB of gzip)."""
    archive = tmp_path_factory.mktemp("bomb")
    result, peak, seconds = run_measured(*capture_args(archive, hostile.url_of("gzip-bomb-1g")))
    assert result.returncode == 1 and peak < 400 and seconds < 30, (peak, seconds, result.stderr)
    no_traceback(result)
    return archive


def test_a_gzip_bomb_is_archived_as_received_marked_too_large_and_never_read(bomb_archive, hostile):
    row = capture_row(bomb_archive, hostile.url_of("gzip-bomb-1g"))
    assert row["outcome"] == "error" and row["error"].startswith("too large")
    assert row["warc_length"] < 2 * MB  # the gzip bytes as they came, not what they inflate to
    assert not index(bomb_archive).execute("select count(*) from articles").fetchone()[0]


def test_the_web_view_of_a_bomb_says_so_without_inflating_it(bomb_archive, hostile):
    capture_id = capture_row(bomb_archive, hostile.url_of("gzip-bomb-1g"))["id"]
    with running_serve(bomb_archive) as (base, serve):
        started = time.monotonic()
        with pytest.raises(urllib.error.HTTPError) as raw:
            urllib.request.urlopen(f"{base}/-/turan/capture/{capture_id}/raw", timeout=30)
        assert raw.value.code == 413 and b"inflates beyond" in raw.value.read()
        page = urllib.request.urlopen(f"{base}/-/turan/capture/{capture_id}", timeout=30).read().decode()
        assert "Not shown" in page and "inflates beyond" in page
        assert time.monotonic() - started < 10
        with open(f"/proc/{serve.pid}/status") as status:
            peak_kb = int(next(line for line in status if line.startswith("VmHWM")).split()[1])
        assert peak_kb / 1024 < 400


def test_reindex_of_an_archive_with_a_bomb_stays_bounded(bomb_archive, tmp_path):
    result, peak, seconds = run_measured(
        "reindex", "--archive", str(bomb_archive), "--into", str(tmp_path / "r.db")
    )
    assert result.returncode == 0 and peak < 400 and seconds < 60, (peak, seconds, result.stderr)
    row = (
        sqlite3.connect(tmp_path / "r.db")
        .execute("select outcome, error from captures where url like '%gzip-bomb%' and warc_file is not null")
        .fetchone()
    )
    assert row[0] == "error" and row[1].startswith("too large")  # the same verdict as the capture's


def test_a_body_too_large_to_inflate_names_the_limit_that_refused_it(tmp_path):
    with HostileServer(front=["gzip-bomb-1g"], bomb_bytes=MB) as hostile:
        limit = "DOWNLOAD_MAXSIZE=8000000"
        result = run_cli(*crawl_args(tmp_path, hostile.url + "/en", "--delay", "0", "--set", limit))
        url = hostile.url_of("gzip-bomb-1g")
    no_traceback(result)
    row = capture_row(tmp_path, url)
    assert row["outcome"] == "error" and "inflates beyond 8000000 bytes" in row["error"], row["error"]


def test_a_page_with_100000_links_is_read_within_bounds(hostile, tmp_path):
    result, peak, seconds = run_measured(*capture_args(tmp_path, hostile.url_of("links-100k")))
    assert result.returncode == 0 and seconds < 30 and peak < 500, (peak, seconds, result.stderr)
    assert index(tmp_path).execute("select count(*) from articles").fetchone()[0] == 1
    assert index(tmp_path).execute("select count(*) from links").fetchone()[0] <= 3000  # not 100,000 rows


def test_a_trickling_body_is_cut_at_the_timeout(hostile, tmp_path):
    started = time.monotonic()
    result = run_cli(*capture_args(tmp_path, "--timeout", "2", hostile.url_of("trickle")), timeout=60)
    assert result.returncode == 1 and time.monotonic() - started < 30
    assert "TimeoutError" in result.stdout or "took longer" in result.stdout
    no_traceback(result)


def test_a_robots_txt_beyond_512_kib_is_not_downloaded(tmp_path):
    rules = b"User-agent: *\nAllow: /\n" + b"# a comment\n" * (4 * MB // 12)
    page = b"<html><body><h1>A page</h1><p>Text.</p></body></html>"

    def respond(path: str):
        return (
            200,
            [("Content-Type", "text/plain" if path == "/robots.txt" else "text/html")],
            (rules if path == "/robots.txt" else page),
        )

    with tiny_site(respond) as base:
        result, _peak, seconds = run_measured(*capture_args(tmp_path, base + "/page"))
    assert result.returncode == 0 and seconds < 30, result.stdout + result.stderr
    no_traceback(result)
    robots = (
        index(tmp_path).execute("select count(*) from captures where url like '%/robots.txt'").fetchone()[0]
    )
    assert robots == 0  # cut at 512 KiB: never archived, never parsed


# -- every page at once -------------------------------------------------------------------------------
# What a capture of each page of tests/hostile.py says: (outcome, words of its line). A page added there
# needs its line here.
TOO_LARGE = ("error", "exceeded DOWNLOAD_MAXSIZE")  # inflates past 64 MiB: archived as received, not read
TIMED_OUT = ("error", "took longer than 3.0 seconds")
CUT_AT_64_MIB = ("error", "DownloadCancelledError")
PLAIN = ("ok", "'A plain article of the hostile site'")
EVERY_PAGE = {
    "gzip-bomb": TOO_LARGE,
    "gzip-bomb-1g": TOO_LARGE,
    "gzip-bomb-double": TOO_LARGE,
    "gzip-file": ("error", "too large: the body inflates beyond"),  # gzip without Content-Encoding
    "links-100k": ("ok", "'An article with a hundred thousand links'"),
    "links-500k": ("error", "parse failed: MemoryError"),  # its worker's 1 GiB runs out; the worker lives
    "trickle": TIMED_OUT,
    "trickle-chunked": TIMED_OUT,
    "slow-headers": TIMED_OUT,
    "endless": CUT_AT_64_MIB,
    "endless-close": CUT_AT_64_MIB,
    "redirect-other-host": ("refused", "127.0.0.2 is a loopback address"),
    "redirect-metadata": ("refused", "169.254.169.254 is a link-local address"),
    "redirect-private": ("refused", "10.0.0.1 is a private address"),
    "redirect-ipv6": ("refused", "::1 is a loopback address"),
    "redirect-decimal-ip": ("refused", "2130706434 is a loopback address"),
    "redirect-relative": PLAIN,
    "redirect-file": ("ok", "302"),  # the redirect itself is archived; file:///etc/passwd is never read
    "redirect-bad-bytes": PLAIN,
    "redirected-story": PLAIN,
    "deep-nesting": ("ok", "not an article (no_text)"),  # libxml2 reads 256 levels: the text is deeper
    "long-line": ("ok", "'A 50 MB line'"),
    "ld-json-flood": ("ok", "'Headline number 0'"),
    "ld-json-deep": ("ok", "'JSON-LD nested 100,000 deep'"),
    "bad-header-bytes": ("error", "InvalidHeaderName"),  # Twisted refuses a header name that is not ASCII
    "bad-header-values": ("ok", "'Bad bytes in header values'"),
    "many-headers": ("ok", "'Ten thousand cookies'"),
    "huge-header": ("error", "Connection was closed cleanly"),  # Twisted's header line limit
    "bad-escape": PLAIN,
}


@pytest.fixture(scope="module")
def every_page(hostile, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """One capture of every page of the hostile site, measured: (its archive, its line for each page)."""
    archive = tmp_path_factory.mktemp("every-page")
    urls = {hostile.url_of(name): name for name in hostile.pages}
    result, peak, seconds = run_measured(*capture_args(archive, "--timeout", "3", *urls))
    no_traceback(result)
    # a page-reading worker may use its whole 1 GiB (links-500k does, then fails), the crawl ~300 MB beside it
    assert result.returncode == 1 and peak < 1500 and seconds < 45, (peak, seconds, result.stderr[-2000:])
    return archive, {urls[line.split()[2]]: line for line in result.stdout.splitlines() if line.strip()}


def test_every_page_of_the_hostile_site_has_an_expected_outcome():
    assert set(EVERY_PAGE) == set(HostileServer().pages)


@pytest.mark.parametrize("name", sorted(EVERY_PAGE))
def test_each_hostile_page_is_captured_as_expected_within_bounds(every_page, name):
    _archive, lines = every_page
    outcome, words = EVERY_PAGE[name]
    line = lines[name]
    # a page reached twice in the run (directly and through a redirect) is a revisit the second time
    assert line.split()[0] in ({outcome, "revisit"} if outcome == "ok" else {outcome}), line
    assert words in line, line


def test_an_archive_of_every_hostile_page_verifies(every_page):
    archive, _lines = every_page
    result = run_cli("verify", "--archive", str(archive), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# -- redirects ---------------------------------------------------------------------------------------------
def test_a_crawl_never_follows_a_redirect_off_its_hosts(tmp_path):
    redirects = ["redirect-other-host", "redirect-metadata", "redirect-private", "redirect-decimal-ip"]
    with HostileServer(front=redirects, bomb_bytes=1024**2) as hostile:
        result = run_cli(*crawl_args(tmp_path, hostile.url + "/en", "--delay", "0"))
        reached = hostile.by_address["127.0.0.2"]
    no_traceback(result)
    refused = dict(
        index(tmp_path).execute("select url, error from captures where outcome = 'refused'").fetchall()
    )
    assert any(url.startswith("http://127.0.0.2:") for url in refused)
    assert any(url.startswith("http://169.254.169.254/") for url in refused)
    assert reached == 0  # refused before any connection


def test_a_capture_follows_no_redirect_to_an_internal_address(hostile, tmp_path):
    urls = [hostile.url_of("redirect-metadata"), hostile.url_of("redirect-other-host")]
    result = run_cli(*capture_args(tmp_path, *urls))
    assert result.returncode == 1
    no_traceback(result)
    refused = index(tmp_path).execute("select url, error from captures where outcome = 'refused'").fetchall()
    reasons = {url.split("/")[2]: error for url, error in refused}
    assert "link-local" in reasons["169.254.169.254"] and "loopback" in reasons[f"127.0.0.2:{hostile.port}"]
    assert hostile.by_address["127.0.0.2"] == 0


def test_a_url_argument_with_bad_bytes_is_a_usage_error_and_leaves_no_lock(tmp_path):
    bad = "http://127.0.0.1:9/" + b"\xff".decode("utf-8", "surrogateescape")
    for command in (crawl_args(tmp_path, bad), capture_args(tmp_path, bad)):
        result = run_cli(*command, timeout=30)
        assert result.returncode == 2 and "not valid UTF-8" in result.stderr
    ArchiveLock(tmp_path).acquire().release()  # nobody holds it


def test_an_archive_that_cannot_open_ends_the_run_at_once_and_frees_the_lock(tmp_path, fresh_replica):
    (tmp_path / "warc" / "turan-20260101000000-00000.warc.gz.open").mkdir(parents=True)  # repair fails
    started = time.monotonic()
    result = run_cli(*crawl_args(tmp_path, fresh_replica.url), timeout=60)
    assert result.returncode == 1 and time.monotonic() - started < 30
    assert "archive" in result.stderr
    no_traceback(result)
    ArchiveLock(tmp_path).acquire().release()


# -- damaged archives --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sound_archive(tmp_path_factory) -> Path:
    from turan_crawler.replica import start_replica

    archive = tmp_path_factory.mktemp("sound")
    server = start_replica(articles=40, seed=21, faults=False)
    try:
        assert (
            run_cli(*crawl_args(archive, server.url, "--delay", "0", "--requisites", "none")).returncode == 0
        )
    finally:
        server.stop()
    return archive


def copy_of(archive: Path, where: Path) -> Path:
    shutil.copytree(archive, where)
    return where


def test_reindex_keeps_every_record_after_damage_and_names_what_it_lost(sound_archive, tmp_path):
    archive = copy_of(sound_archive, tmp_path / "a")
    warc = next((archive / "warc").glob("*.warc.gz"))
    data = bytearray(warc.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4] = bytes(b ^ 0xFF for b in data[middle : middle + 4])
    warc.write_bytes(bytes(data))
    before = index(archive).execute("select count(*) from articles").fetchone()[0]
    result = run_cli("reindex", "--archive", str(archive))
    assert result.returncode == 1
    lost = [line for line in result.stdout.splitlines() if line.startswith("LOST ")]
    assert len(lost) == 1 and warc.name in lost[0] and "damaged gzip member" in lost[0]
    after = index(archive).execute("select count(*) from articles").fetchone()[0]
    assert before - 1 <= after <= before  # one record at most was an article


def test_verify_repair_cuts_a_truncated_closed_warc_and_reports_what_was_lost(sound_archive, tmp_path):
    archive = copy_of(sound_archive, tmp_path / "a")
    warc = next((archive / "warc").glob("*.warc.gz"))
    data = warc.read_bytes()
    warc.write_bytes(data[: int(len(data) * 0.6)])
    assert run_cli("verify", "--archive", str(archive)).returncode == 1
    repaired = run_cli("verify", "--repair", "--archive", str(archive))
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    lost = [line for line in repaired.stdout.splitlines() if line.startswith("LOST capture ")]
    assert lost and "rewrote 1 damaged WARC file(s)" in repaired.stderr
    assert (archive / "warc" / (warc.name + ".damaged")).read_bytes() == data[: int(len(data) * 0.6)]
    assert run_cli("verify", "--archive", str(archive)).returncode == 0


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_missing_or_corrupt_index_gives_one_sentence_and_the_way_out(sound_archive, tmp_path, damage):
    archive = copy_of(sound_archive, tmp_path / "a")
    db = archive / "turan.db"
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if damage == "missing":
        db.unlink()
    else:
        db.write_bytes(os.urandom(4096) + db.read_bytes()[4096:])
    for command in (["verify"], ["verify", "--repair"], ["wacz", str(tmp_path / "x.wacz")]):
        result = run_cli(*command, "--archive", str(archive), timeout=60)
        assert result.returncode == 1, (command, result.stderr)
        assert "turan-crawler reindex" in result.stdout + result.stderr, (command, result.stderr)
        no_traceback(result)
    rebuilt = run_cli("reindex", "--archive", str(archive))
    assert rebuilt.returncode == 0, rebuilt.stderr
    no_traceback(rebuilt)
    assert run_cli("verify", "--archive", str(archive)).returncode == 0


def test_the_web_view_never_answers_500_for_a_record_it_cannot_show(sound_archive, tmp_path):
    import asyncio

    from datasette.app import Datasette

    from turan_crawler.datasette.serve import bundled_metadata

    archive = copy_of(sound_archive, tmp_path / "a")
    conn = sqlite3.connect(archive / "turan.db")
    ids = [r[0] for r in conn.execute("select capture_id from articles order by id limit 3")]
    conn.execute("update captures set warc_offset = warc_offset + 7 where id = ?", [ids[0]])  # a bad offset
    conn.execute("update captures set payload_digest = 'sha1:AAAA' where id = ?", [ids[1]])  # a failed digest
    conn.execute("update captures set warc_file = 'gone.warc.gz' where id = ?", [ids[2]])  # a missing file
    conn.commit()
    ds = Datasette(
        [str(archive / "turan.db")], metadata=bundled_metadata(), settings={"suggest_facets": False}
    )

    def get(path: str):
        return asyncio.run(ds.client.get(path))

    expected = {ids[0]: (422, "cannot be read"), ids[1]: (422, "fails its digest"), ids[2]: (404, "missing")}
    for capture_id, (status, words) in expected.items():
        for path in (f"/-/turan/capture/{capture_id}", f"/-/turan/capture/{capture_id}/raw"):
            response = get(path)
            assert response.status_code == status and words in response.text, (path, response.text[:200])
    for path in ("/-/turan/capture/99999999999999999999", "/-/turan/capture/abc", "/-/turan/capture/-1/raw"):
        assert get(path).status_code == 404, path


def test_a_gzip_member_of_a_hostile_size_is_refused_by_the_reader(tmp_path):
    from turan_crawler.warc.members import iter_members

    path = tmp_path / "x.warc.gz"
    path.write_bytes(gzip.compress(b"\0" * (8 * MB)))
    [member] = list(iter_members(path, max_size=MB))
    assert member.data is None and "inflates beyond" in member.problem
