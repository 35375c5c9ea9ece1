"""`turan-crawler capture`: exactly the given URLs, archived now, one line of outcome each."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from conftest import capture_args, fetch, index, run_cli, truth_of, warcio_check

from turan_crawler.replica import ReplicaServer, start_replica


def capture(archive, *args: str):
    return run_cli(*capture_args(archive, *args))


def lines(result) -> dict[str, str]:
    """URL -> its line of output."""
    return {line.split()[2]: line for line in result.stdout.splitlines() if line.strip()}


def article_of(truth: dict, **wanted) -> dict:
    return next(a for a in truth["articles"] if all(a[k] == v for k, v in wanted.items()))


def test_capturing_an_article_indexes_it(tmp_path, replica, replica_truth):
    art = article_of(replica_truth, lang="az", paywalled=0, variant=None)
    paywalled = article_of(replica_truth, lang="ru", paywalled=1)
    urls = [replica.url + art["url"], replica.url + paywalled["url"]]
    result = capture(tmp_path, "--site", "turan", *urls)
    assert result.returncode == 0, result.stderr
    out = lines(result)
    assert (
        out[urls[0]].startswith("ok       200")
        and repr(art["title"]) in out[urls[0]]
        and "(article " in out[urls[0]]
    )
    rows = {r["url"]: r for r in index(tmp_path).execute("select * from articles")}
    assert rows[urls[0]]["body"] == art["body"] and rows[urls[0]]["published_at"] == art["published_at"]
    assert rows[urls[1]]["paywalled"] == 1
    assert result.stderr.strip().endswith("(finished)") and "2 new articles" in result.stderr


def test_nothing_but_the_given_urls_is_fetched(tmp_path, fresh_replica):
    art = truth_of(fresh_replica)["articles"][5]
    before = len(json.loads(fetch(fresh_replica.url, "/_replica/requests.json").body))
    url = fresh_replica.url + art["url"]
    assert capture(tmp_path, "--site", "turan", "--requisites", "none", url).returncode == 0
    requests = json.loads(fetch(fresh_replica.url, "/_replica/requests.json").body)[before:]
    assert sorted(requests) == sorted(["GET /robots.txt", f"GET {art['url']}"])


def test_a_capture_takes_the_pages_requisites_and_nothing_else(tmp_path, fresh_replica):
    art = next(a for a in truth_of(fresh_replica)["articles"] if a.get("skin") == "magazine")
    before = len(json.loads(fetch(fresh_replica.url, "/_replica/requests.json").body))
    url = fresh_replica.url + art["url"]
    assert capture(tmp_path, "--site", "turan", url).returncode == 0
    requests = json.loads(fetch(fresh_replica.url, "/_replica/requests.json").body)[before:]
    others = {r.split(" ", 1)[1] for r in requests} - {"/robots.txt", art["url"]}
    needed = {
        urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "") for u in art["requisites"]
    }
    assert f"GET {art['url']}" in requests and others and others <= needed  # its requisites, nothing else
    archived = {u for (u,) in index(tmp_path).execute("select url from captures where outcome = 'ok'")}
    assert set(art["requisites"]) <= archived  # all of them, the CDN's too


@pytest.mark.parametrize(
    "kind,expected",
    [
        ("challenge", "blocked  403"),
        ("not_found", "error    404"),
        ("gone", "error    410"),
    ],
)
def test_failed_pages_say_why_and_exit_1(tmp_path, replica, replica_truth, kind, expected):
    url = replica.url + next(f["url"] for f in replica_truth["faults"] if f["kind"] == kind)
    result = capture(tmp_path, "--site", "turan", url)
    assert result.returncode == 1
    assert lines(result)[url].startswith(expected)
    assert "Traceback" not in result.stderr
    assert not index(tmp_path).execute("select count(*) from articles").fetchone()[0]


def test_a_redirect_is_followed_and_the_article_kept_under_its_final_url(tmp_path, replica, replica_truth):
    url = replica.url + "/en/politics/redirect-chain-fault-3"
    result = capture(tmp_path, "--site", "turan", "--json", url)
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout)
    assert (
        entry["final_url"]
        == replica.url
        + "/en/politics/peace-is-possible-blinken-tells-aliyev-on-a-sunday-call-as-washington-talks-kick-off-764817"
    )
    assert entry["outcome"] == "ok" and entry["status"] == 200 and entry["article"]
    statuses = [
        r[0] for r in index(tmp_path).execute("select status from captures where url like '%redirect-chain%'")
    ]
    assert statuses == [301, 301, 301]


def test_binary_files_are_archived_but_not_articles(tmp_path, replica, replica_truth):
    urls = [
        replica.url + next(f["url"] for f in replica_truth["faults"] if f["kind"] == kind)
        for kind in ("binary_pdf", "binary_mislabelled")
    ]
    result = capture(tmp_path, "--site", "turan", *urls)
    assert result.returncode == 0, result.stderr
    assert all("archived; not an article (not_html)" in lines(result)[u] for u in urls)
    assert (
        index(tmp_path)
        .execute(
            "select count(*) from captures where outcome = 'ok' and warc_file is not null "
            "and url not like '%robots.txt'"
        )
        .fetchone()[0]
        == 2
    )
    assert warcio_check(tmp_path).returncode == 0


def test_generic_extraction_on_another_site(tmp_path, other_site):
    url = other_site + "/2025/05/notes-from-baku"
    result = capture(tmp_path, url)  # --site auto: not a Turan host, so generic rules
    assert result.returncode == 0, result.stderr
    row = index(tmp_path).execute("select * from articles").fetchone()
    assert row["title"] == "Notes from Baku" and row["author"] == "Jane Doe"
    assert row["published_at"] == "2025-05-02T08:00:00+00:00" and row["extracted_by"] == "generic"
    assert row["body"].startswith("The boulevard along the Caspian") and row["body"].count("\n\n") == 2
    assert row["lang"] == "en" and row["text_lang"] == "en" and row["category_slug"] is None


def test_an_article_of_another_site_at_a_turan_shaped_path_is_indexed(tmp_path, other_site):
    """Turan's listing rules (``/en/<slug>`` is a category there) must not apply to another host."""
    url = other_site + "/en/notes-from-baku"
    result = capture(tmp_path, url)
    assert result.returncode == 0, result.stderr
    assert lines(result)[url].startswith("ok       200") and "(article 1)" in lines(result)[url]
    row = index(tmp_path).execute("select url, title, extracted_by from articles").fetchone()
    assert tuple(row) == (url, "Notes from Baku", "generic")


def test_capturing_twice_unchanged_writes_a_revisit_and_changed_text_a_new_version(tmp_path, fresh_replica):
    art = truth_of(fresh_replica)["articles"][4]
    url = fresh_replica.url + art["url"]
    for _ in range(2):
        assert capture(tmp_path, "--site", "turan", url).returncode == 0
    outcomes = [
        r[0] for r in index(tmp_path).execute("select outcome from captures where url = ? order by id", [url])
    ]
    assert outcomes == ["ok", "revisit"]
    fetch(fresh_replica.url, f"/_replica/edit?url={art['url']}")
    changed = capture(tmp_path, "--site", "turan", url)
    assert changed.returncode == 0 and "1 updated" in changed.stderr
    row = index(tmp_path).execute("select version, body from articles where url = ?", [url]).fetchone()
    assert row["version"] == 2 and row["body"].endswith("(rev. 2)")
    assert run_cli("verify", "--archive", str(tmp_path)).returncode == 0


@pytest.fixture
def slow_replica() -> Iterator[ReplicaServer]:
    """A replica whose slow article takes 8 s to answer: far beyond a 3 s timeout, whatever the load."""
    server = start_replica(articles=40, seed=7, slow_seconds=8)
    yield server
    server.stop()


def test_bad_inputs_each_get_a_one_line_reason_and_the_rest_is_still_archived(tmp_path, slow_replica):
    replica, replica_truth = slow_replica, truth_of(slow_replica)
    good = replica.url + article_of(replica_truth, lang="en", variant=None, paywalled=0)["url"]
    huge = replica.url + article_of(replica_truth, variant="huge")["url"]
    slow = replica.url + article_of(replica_truth, variant="slow")["url"]
    bad = {
        "not a url": "invalid",
        "ftp://turan.az/file": "invalid",
        "file:///etc/passwd": "invalid",
        "javascript:alert(1)": "invalid",
        "http://no-such-host.invalid/en": "error",
        "http://127.0.0.1:9/en/politics/x": "error",
        slow: "error",
    }
    result = capture(tmp_path, "--site", "turan", "--timeout", "3", good, huge, *bad)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    out = lines(result)
    assert out[good].startswith("ok       200") and out[huge].startswith("ok       200")
    for url, outcome in bad.items():
        line = next(line for line in result.stdout.splitlines() if f"  {url}  " in line)
        assert line.startswith(outcome), line
    assert "unsupported scheme 'ftp'" in result.stdout and "DNS lookup failed" in result.stdout
    assert "Connection was refused" in result.stdout and "TimeoutError" in result.stdout
    assert index(tmp_path).execute("select count(*) from articles").fetchone()[0] == 2


def test_urls_can_come_from_a_file(tmp_path, fresh_replica):
    arts = truth_of(fresh_replica)["articles"][:3]
    listing = tmp_path / "urls.txt"
    listing.write_text("# to save today\n" + "\n".join(fresh_replica.url + a["url"] for a in arts) + "\n")
    result = capture(tmp_path / "archive", "--site", "turan", "--from-file", str(listing))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3 and "3 new articles" in result.stderr
