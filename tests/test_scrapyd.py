"""The project under Scrapyd, as Scrapyd documents it: `scrapyd-deploy` builds and uploads the egg, crawls
are scheduled through the HTTP API with ARCHIVE_DIR, and one archive has one writer at a time.

Scrapyd runs spiders in its own Python, so it gets a venv of its own (cached under
~/.cache/turan-crawler/scrapyd-venv-KEY, rebuilt when pyproject.toml or the pins below change) with
scrapyd, scrapyd-client and the project's dependencies, but not the project itself: the deployed egg is
the only copy of the code there.
"""

from __future__ import annotations

import configparser
import fcntl
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from turan_crawler.replica import start_replica

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "turan-crawler"
# scrapyd 1.6's runner imports pkg_resources, which setuptools 82 removed (scrapyd issue #528)
PINS = ["scrapyd==1.6.0", "scrapyd-client==2.0.3", "setuptools>=68,<82"]
PROJECT = "turan_crawler"
FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS=8", "TURAN_BACKFILL_PAGES=-1"]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # the first run builds the venv


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_env() -> dict[str, str]:
    """This process's environment without what would point Scrapy or pip at the test's own venv."""
    drop = ("SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    return {k: v for k, v in os.environ.items() if k not in drop}


@pytest.fixture(scope="module")
def scrapyd_venv() -> Path:
    key = hashlib.sha256(
        json.dumps([PINS, sys.version_info[:2], (REPO / "pyproject.toml").read_text()]).encode()
    ).hexdigest()[:12]
    venv = CACHE / f"scrapyd-venv-{key}"
    done = venv / ".complete"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"scrapyd-venv-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run may be building the same venv
        if not done.exists():
            build_venv(venv)
            done.write_text(" ".join(PINS) + "\n")
    return venv


def build_venv(venv: Path) -> None:
    shutil.rmtree(venv, ignore_errors=True)  # a half-built one
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    installed = subprocess.run(
        [*pip, "install", *PINS, str(REPO)], capture_output=True, text=True, timeout=900, env=clean_env()
    )
    assert installed.returncode == 0, f"pip install into {venv} failed (PyPI reachable?):\n{installed.stderr}"
    # keep the dependencies, drop the project: only the deployed egg may provide turan_crawler
    subprocess.run([*pip, "uninstall", "-y", "turan-crawler"], check=True, timeout=120)


@dataclass
class Scrapyd:
    url: str
    home: Path
    venv: Path

    def get(self, endpoint: str, **params: str) -> dict:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}/{endpoint}?{query}", timeout=30) as resp:
            return json.load(resp)

    def schedule(self, start_url: str, archive: Path, *settings: str) -> str:
        form = [("project", PROJECT), ("spider", "turan"), ("start_url", start_url)]
        form += [("setting", s) for s in (f"ARCHIVE_DIR={archive}", *settings)]
        data = urllib.parse.urlencode(form).encode()
        with urllib.request.urlopen(f"{self.url}/schedule.json", data=data, timeout=30) as resp:
            answer = json.load(resp)
        assert answer["status"] == "ok", answer
        return answer["jobid"]

    def wait(self, *jobs: str, timeout: float = 240) -> dict[str, dict]:
        deadline = time.monotonic() + timeout
        while True:
            finished = {j["id"]: j for j in self.get("listjobs.json", project=PROJECT)["finished"]}
            if all(job in finished for job in jobs):
                return {job: finished[job] for job in jobs}
            assert time.monotonic() < deadline, f"jobs {jobs} did not finish; scrapyd said:\n{self.output()}"
            time.sleep(0.5)

    def job_log(self, job: str) -> str:
        return (self.home / "logs" / PROJECT / "turan" / f"{job}.log").read_text(errors="replace")

    def output(self) -> str:
        return (self.home / "scrapyd.out").read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def scrapyd(scrapyd_venv, tmp_path_factory) -> Iterator[Scrapyd]:
    """A real scrapyd on a free 127.0.0.1 port, configured by a scrapyd.conf in its own folder."""
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\njobs_to_keep = 20\npoll_interval = 0.5\nmax_proc = 4\n"
    )
    with open(home / "scrapyd.out", "wb") as out:
        proc = subprocess.Popen(
            [str(scrapyd_venv / "bin" / "scrapyd")],
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**clean_env(), "HOME": str(home)},  # no ~/.scrapyd.conf or ~/.scrapy.cfg of the user's
        )
    server = Scrapyd(f"http://127.0.0.1:{port}", home, scrapyd_venv)
    deadline = time.monotonic() + 60
    while True:
        try:
            assert server.get("daemonstatus.json")["status"] == "ok"
            break
        except (urllib.error.URLError, ConnectionError):
            assert proc.poll() is None, f"scrapyd exited:\n{server.output()}"
            assert time.monotonic() < deadline, f"scrapyd did not answer:\n{server.output()}"
            time.sleep(0.2)
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def deployed(scrapyd) -> dict:
    """`scrapyd-deploy test` from a copy of the project (it writes setup.py, build/ and an egg-info there)
    whose scrapy.cfg adds a [deploy:test] target with the test server's url; the rest comes from [deploy]."""
    project = scrapyd.home / "project"
    project.mkdir()
    for name in ("scrapy.cfg", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, project / name)
    shutil.copytree(
        REPO / "turan_crawler", project / "turan_crawler", ignore=shutil.ignore_patterns("__pycache__")
    )
    with open(project / "scrapy.cfg", "a") as cfg:
        cfg.write(f"\n[deploy:test]\nurl = {scrapyd.url}/\n")
    deploy = subprocess.run(
        [str(scrapyd.venv / "bin" / "scrapyd-deploy"), "test"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(),
    )
    assert deploy.returncode == 0, f"scrapyd-deploy failed:\n{deploy.stdout}\n{deploy.stderr}"
    answer = json.loads(deploy.stdout)
    assert answer["status"] == "ok" and answer["project"] == PROJECT, answer
    return answer


def runs_of(archive: Path) -> list[dict]:
    conn = sqlite3.connect(archive / "turan.db")
    conn.row_factory = sqlite3.Row
    return [dict(row) for row in conn.execute("select * from runs order by id")]


def verify(archive: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "turan_crawler", "verify", "--archive", str(archive)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_scrapy_cfg_deploys_to_local_scrapyd_and_the_egg_names_its_settings(scrapyd, deployed):
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "scrapy.cfg")
    assert dict(cfg["deploy"]) == {"url": "http://localhost:6800/", "project": PROJECT}
    assert cfg["settings"]["default"] == "turan_crawler.settings"
    (egg,) = (scrapyd.home / "eggs" / PROJECT).glob("*.egg")
    with zipfile.ZipFile(egg) as zf:
        entry_points = configparser.ConfigParser()
        entry_points.read_string(zf.read("EGG-INFO/entry_points.txt").decode())
        names = set(zf.namelist())
    assert entry_points["scrapy"]["settings"] == "turan_crawler.settings"
    assert {"turan_crawler/replica/data/seed-article.txt", "turan_crawler/datasette/metadata.yml"} <= names
    assert "turan" in scrapyd.get("listspiders.json", project=PROJECT)["spiders"]


def test_scheduled_crawl_archives_a_replica(scrapyd, deployed, tmp_path):
    archive = tmp_path / "archive"
    server = start_replica(articles=40, seed=7)
    try:
        job = scrapyd.schedule(server.url, archive, *FAST)
        scrapyd.wait(job)
    finally:
        server.stop()
    log = scrapyd.job_log(job)
    assert f"archiving into {archive}" in log, log[-3000:]
    verify(archive)
    (run,) = runs_of(archive)
    assert run["finish_reason"] == "finished", run
    articles = sqlite3.connect(archive / "turan.db").execute("select count(*) from articles").fetchone()[0]
    assert articles >= 40 and run["articles_new"] == articles
    assert len(list((archive / "warc").glob("*.warc.gz"))) == 1


def test_two_jobs_on_one_archive_one_writes(scrapyd, deployed, tmp_path):
    """Scheduled together on the same ARCHIVE_DIR: the job that takes ARCHIVE/.lock archives, the other
    logs who holds it and closes (reason `locked`) without writing a run, a WARC or a capture."""
    archive = tmp_path / "archive"
    server = start_replica(articles=40, seed=7)
    try:
        # a short delay keeps the first crawl busy while the second starts
        slow = ["DOWNLOAD_DELAY=0.05", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        jobs = [scrapyd.schedule(server.url, archive, *slow), scrapyd.schedule(server.url, archive, *slow)]
        scrapyd.wait(*jobs)
    finally:
        server.stop()
    logs = {job: scrapyd.job_log(job) for job in jobs}
    writers = [job for job in jobs if f"archiving into {archive}" in logs[job]]
    assert len(writers) == 1, "both jobs archived: they did not overlap" if len(writers) == 2 else logs
    (loser,) = set(jobs) - set(writers)
    assert f"holds {archive / '.lock'}" in logs[loser], logs[loser][-3000:]
    assert "'finish_reason': 'locked'" in logs[loser], logs[loser][-3000:]
    (run,) = runs_of(archive)
    assert run["finish_reason"] == "finished"
    assert len(list((archive / "warc").glob("*.warc*"))) == 1
    verify(archive)
