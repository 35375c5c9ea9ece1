"""Browsing with Datasette: facets, folded relevance search, canned queries, the article page, archived
pages in a sandbox, word-level diffs, the Atom feed, escaping, a crawl of the whole UI like a user's, and a
real `turan-crawler serve` reading while a crawl writes."""

from __future__ import annotations

import asyncio
import html
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import datetime
from html.parser import HTMLParser
from importlib import resources
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import pytest
import sqlite_utils
import yaml
from conftest import crawl_args, free_port, start_crawl, wait_for_url
from datasette.app import Datasette
from markupsafe import escape

from turan_crawler.datasette.serve import SETTINGS
from turan_crawler.fold import fold_words
from turan_crawler.index import ArchiveStore, open_index
from turan_crawler.replica import start_replica
from turan_crawler.warc.reader import read_record_at

METADATA = yaml.safe_load(resources.files("turan_crawler.datasette").joinpath("metadata.yml").read_text())


def get(ds: Datasette, path: str):
    return asyncio.run(ds.client.get(path))


@pytest.fixture
def ds(history_archive, tmp_path) -> Datasette:
    """Datasette over a copy of the archive's index (the WARCs beside it), as `serve` configures it."""
    shutil.copytree(history_archive, tmp_path / "a")
    return Datasette([str(tmp_path / "a" / "turan.db")], metadata=METADATA, settings=SETTINGS)


def rows(ds: Datasette, sql: str, *params) -> list[sqlite3.Row]:
    """The index under ``ds``, read directly (what the pages should show)."""
    conn = sqlite3.connect(ds.get_database("turan").path)
    conn.row_factory = sqlite3.Row
    with conn:
        return conn.execute(sql, params).fetchall()


def test_facets_come_back_labelled(ds):
    data = get(ds, "/turan/articles.json?_facet=category&_facet=lang&_facet=paywalled").json()
    facets = data["facet_results"]
    assert {r["value"] for r in facets["lang"]["results"]} == {"en", "az", "ru"}
    assert "Politics" in {r["label"] for r in facets["category"]["results"]}
    first = get(ds, "/turan/articles.json?_shape=array&_size=20").json()
    assert len(first) == 20
    assert [r["published_at"] for r in first] == sorted((r["published_at"] for r in first), reverse=True)


def test_the_plugin_package_brings_its_stylesheet_and_templates(ds):
    """Datasette serves the package's static/ and templates/ itself: every page links the stylesheet."""
    ours = next(p for p in get(ds, "/-/plugins.json").json() if p["name"] == "turan-crawler")
    assert ours["static"] and ours["templates"]
    linked = re.findall(
        r'<link rel="stylesheet" href="(/-/static-plugins/turan-crawler/[^"]+)"', get(ds, "/turan").text
    )
    assert linked == ["/-/static-plugins/turan-crawler/turan.css"]
    css = get(ds, linked[0])
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert css.text == resources.files("turan_crawler.datasette").joinpath("static/turan.css").read_text()


def test_search_ranks_the_matching_article_first_with_a_snippet(ds):
    found = get(ds, "/turan/search.json?q=Lachin&lang=&_shape=array").json()
    assert (
        found[0]["title"].startswith("'Peace Is Possible'") and "<mark>Lachin</mark>" in found[0]["snippet"]
    )
    assert get(ds, "/turan/search.json?q=Lachin&lang=ru&_shape=array").json() == []
    page = get(ds, "/turan/search?q=Lachin&lang=").text
    assert "<mark>Lachin</mark>" in page and "[Lachin]" not in page
    assert f"href='/-/turan/article/{found[0]['id']}'" in page  # the title leads to the article page
    assert f"href='/-/turan/capture/{found[0]['capture_id']}'" in page  # and its archived copy


def test_canned_queries_return_their_rows(ds):
    edited = get(ds, "/turan/edited.json?_shape=array").json()
    assert edited and all(r["version"] > 1 for r in edited)
    removed = get(ds, "/turan/removed.json?_shape=array").json()
    assert len(removed) == 1 and removed[0]["removed_at"]
    runs = get(ds, "/turan/recent_runs.json?_shape=array").json()
    assert [r["finish_reason"] for r in runs] == ["finished", "finished"]
    problems = get(ds, "/turan/last_run_problems.json?_shape=array").json()
    assert problems and {r["outcome"] for r in problems} <= {"blocked", "error"}
    latest = get(ds, "/turan/latest.json?_shape=array").json()
    dates = [r["published_at"] for r in latest]
    assert len(dates) >= 2 and dates == sorted(dates, reverse=True)


def test_the_feed_address_is_the_atom_feed_not_a_canned_query(ds):
    assert get(ds, "/turan/feed").status_code == 404
    assert get(ds, "/turan/feed.atom").headers["content-type"].startswith("application/atom+xml")


def test_the_plugin_registers_only_the_sql_functions_the_queries_use(ds):
    registered = {
        r["name"]
        for r in get(
            ds,
            "/turan.json?_shape=array&sql=select+name+from+pragma_function_list+where+name+like+'turan%25'",
        ).json()
    }
    used = {
        name
        for query in METADATA["databases"]["turan"]["queries"].values()
        for name in re.findall(r"\b(turan_\w+)\(", query["sql"])
    }
    assert registered == used == {"turan_match", "turan_snippet"}


def test_archived_page_route_serves_the_captured_bytes_in_a_sandbox(ds, history_archive):
    conn = sqlite3.connect(history_archive / "turan.db")
    capture_id, warc_file, offset = conn.execute(
        "select id, warc_file, warc_offset from captures where outcome = 'ok' and url like '%/en/politics/%' "
        "limit 1"
    ).fetchone()
    raw = get(ds, f"/-/turan/capture/{capture_id}/raw")
    assert raw.status_code == 200
    assert raw.headers["content-security-policy"].startswith("sandbox; default-src 'none'")
    archived = read_record_at(history_archive / "warc" / warc_file, offset).decoded_payload().decode()
    served = raw.content.decode()
    # the captured page, its links and requisites pointed into the archive (never to the live site)
    text = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
    assert text.search(served).group(1) == text.search(archived).group(1)
    live = re.findall(r'(?:src|href)="(https?://[^"]+)"', served)
    assert not live and re.search(r'href="/-/turan/at/\d{14}/https?://', served)
    page = get(ds, f"/-/turan/capture/{capture_id}")
    assert "<iframe sandbox src='/-/turan/capture/" in page.text and "Archived page:" in page.text


def test_a_revisit_shows_the_original_body(ds, history_archive):
    conn = sqlite3.connect(history_archive / "turan.db")
    revisit, original = conn.execute(
        "select id, refers_to_capture_id from captures where outcome = 'revisit' limit 1"
    ).fetchone()

    # the same bytes, their links pointed into the archive as of each capture's own time
    def served(capture_id):
        return re.sub(
            rb"/-/turan/at/\d{14}/",
            b"/-/turan/at/TIME/",
            get(ds, f"/-/turan/capture/{capture_id}/raw").content,
        )

    assert b"<h1" in served(revisit) and served(revisit) == served(original)


def test_capture_cells_link_to_the_archived_page_not_to_a_label(ds):
    for table, column in (("articles", "capture_id"), ("article_versions", "capture_id")):
        page = get(ds, f"/turan/{table}")
        assert page.status_code == 200
        linked = {int(n) for n in re.findall(r"href='/-/turan/capture/(\d+)'", page.text)}
        expected = {r[0] for r in rows(ds, f"select {column} from {table} order by id limit 50")}
        assert expected and expected <= linked, table
        assert "{&#39;value&#39;" not in page.text and "%7B" not in page.text
        for capture_id in sorted(linked)[:5]:
            assert get(ds, f"/-/turan/capture/{capture_id}").status_code == 200


def test_tables_read_well(ds):
    page = get(ds, "/turan/articles?_size=10").text
    first = rows(ds, "select id, title, body, published_at from articles order by published_at desc limit 1")[
        0
    ]
    # the title leads to the article page, the body is an excerpt, the date is in words (raw on hover)
    assert f"<a class='article-link' href='/-/turan/article/{first['id']}'>" in page
    assert html.escape(first["body"], quote=False) not in page and "class='excerpt'" in page
    when = datetime.fromisoformat(first["published_at"])
    assert f"title='{first['published_at']}'>{when.day} {when:%b %Y}, {when:%H:%M}</time>" in page
    # pagination above the table too, and the reader's columns first
    table_at = page.index('<table class="rows-and-columns">')
    assert 'rel="next"' in page[:table_at]
    headers = re.findall(r'data-column="([^"]+)"', page[table_at:])
    assert headers[:4] == ["id", "title", "published_at", "author_id"]
    row_page = get(ds, f"/turan/articles/{first['id']}").text
    assert f"<title>{html.escape(first['title'], quote=False)} (article {first['id']})</title>" in row_page
    paragraphs = [p for p in first["body"].split("\n\n") if p.strip()]
    assert row_page.count("<p>") >= len(paragraphs)


def test_the_article_page_shows_the_article_and_everything_archived_about_it(ds):
    edited = rows(ds, "select * from articles where version = 2 limit 1")[0]
    page = get(ds, f"/-/turan/article/{edited['id']}")
    assert page.status_code == 200
    text = page.text
    assert f"<h1>{html.escape(edited['title'], quote=False)}</h1>" in text
    when = datetime.fromisoformat(edited["published_at"])
    assert f'title="{edited["published_at"]}">{when.day} {when:%B %Y}, {when:%H:%M}' in text
    paragraphs = [p.strip() for p in edited["body"].split("\n\n") if p.strip()]
    body = text[text.index('<div class="body">') : text.index("</div>", text.index('<div class="body">'))]
    assert body.count("<p>") == len(paragraphs)
    captures = [
        r["id"]
        for r in rows(
            ds,
            "select id from captures where url = ? and warc_file is not null order by fetched_at desc",
            edited["url"],
        )
    ]
    assert len(captures) >= 2
    archived = text[text.index("<h2>Archived copies</h2>") : text.index("<h2>Versions</h2>")]
    assert [
        int(n) for n in re.findall(r'href="/-/turan/capture/(\d+)"', archived)
    ] == captures  # newest first
    assert f'href="/-/turan/article/{edited["id"]}/diff?from=1&amp;to=2"' in text
    assert f'href="{html.escape(edited["url"])}"' in text  # the live page
    translated = rows(
        ds,
        "select a.id, a.url, t.id as other, t.lang from articles a join links l on l.src_url = a.url "
        "and l.kind = 'translation' join articles t on t.url = l.dst_url limit 1",
    )[0]
    other = get(ds, f"/-/turan/article/{translated['id']}").text
    assert f'href="/-/turan/article/{translated["other"]}" hreflang="{translated["lang"]}"' in other
    removed = rows(ds, "select id, removed_at from articles where removed_at is not null")[0]
    assert "Removed from the site on" in get(ds, f"/-/turan/article/{removed['id']}").text


def test_a_bad_id_answers_404_with_a_message(ds):
    known = rows(ds, "select id from articles where version = 2 limit 1")[0]["id"]
    huge = "99999999999999999999999"
    for path, status, message in (
        ("/-/turan/article/0", 404, "There is no article 0 in this archive."),
        (f"/-/turan/article/{huge}", 404, f"There is no article {huge} in this archive."),
        ("/-/turan/article/0/diff", 404, "There is no article 0 in this archive."),
        (
            f"/-/turan/article/{known}/diff?from=1&to=9",
            404,
            f"Article {known} has versions 1, 2: there is no version 9.",
        ),
        (f"/-/turan/article/{known}/diff?from=x", 400, "from= and to= are version numbers (1, 2, ...)."),
        ("/-/turan/capture/0", 404, "There is no capture 0 in this archive."),
        (f"/-/turan/capture/{huge}/raw", 404, f"There is no capture {huge} in this archive."),
        ("/turan/articles/999999999", 404, "Record not found"),
    ):
        page = get(ds, path)
        assert page.status_code == status, path
        assert message in page.text, path
        if "/diff" in path:  # a sentence, not a diff
            assert "<del>" not in page.text and "<ins>" not in page.text and "<h2>Version" not in page.text


def test_the_diff_shows_changed_words_with_the_title_dates_and_links_back(ds):
    article = rows(ds, "select id, title from articles where version = 2 limit 1")[0]
    old, new = rows(
        ds, "select body, fetched_at from article_versions where article = ? order by version", article["id"]
    )
    page = get(ds, f"/-/turan/article/{article['id']}/diff").text
    assert html.escape(article["title"], quote=False) in page
    body = page[page.index('<div class="text">') :]
    assert f'href="/-/turan/article/{article["id"]}"' in page  # back to the article
    for version in (old, new):
        assert f'title="{version["fetched_at"]}"' in page
    inserted = [html.unescape(m) for m in re.findall(r"<ins>(.*?)</ins>", body, re.S)]
    deleted = [html.unescape(m) for m in re.findall(r"<del>(.*?)</del>", body, re.S)]
    assert inserted or deleted
    for piece, text in [(p, new["body"]) for p in inserted] + [(p, old["body"]) for p in deleted]:
        at = text.index(piece)  # a whole run of words, never cut mid-word
        before, after = text[at - 1 : at], text[at + len(piece) : at + len(piece) + 1]
        assert not (before.isalnum() and piece[:1].isalnum()) and not (
            after.isalnum() and piece[-1:].isalnum()
        )


def add_spellings(ds: Datasette) -> dict[str, int]:
    """Three articles naming Aliyev in three scripts, written as the crawl writes them (ArchiveStore)."""
    db = open_index(ds.get_database("turan").path)
    store = ArchiveStore(db)
    texts = {
        "az": (
            "Prezident İlham Əliyev Şuşada",
            "Bakı: Prezident İlham Əliyev məktəbi açdı.\n\nƏliyevin sözləri.",
        ),
        "ru": (
            "Алиев обсудил поставки газа",
            "Баку: Президент Ильхам Алиев провел переговоры.\n\nПо словам Алиева.",
        ),
        "en": ("Aliyev opens a school", "Baku: President Ilham Aliyev opened a school."),
    }
    ids = {}
    with db.atomic():
        for lang, (title, body) in texts.items():
            url = f"http://x/{lang}/politics/spelling-{lang}-790900"
            row = {"lang": lang, "text_lang": lang, "title": title, "body": body, "author": None}
            store.save_article(url, {**row, "word_count": len(body.split())}, None, "2026-01-10T00:00:00Z")
            ids[lang] = db.execute("select id from articles where url = ?", [url]).fetchone()[0]
    db.close()
    return ids


def test_search_finds_every_spelling_of_a_name(ds):
    ids = add_spellings(ds)
    for typed in ("Aliyev", "aliyev", "Əliyev", "Алиев", "ALIYEV"):
        found = {r["id"] for r in get(ds, f"/turan/search.json?q={typed}&lang=&_shape=array").json()}
        assert set(ids.values()) <= found, typed
    az = get(ds, "/turan/search.json?q=Aliyev&lang=az&_shape=array").json()
    assert ids["az"] in {r["id"] for r in az} and {r["lang"] for r in az} == {"az"}
    snippets = {
        r["id"]: r["snippet"] for r in get(ds, "/turan/search.json?q=Aliyev&lang=&_shape=array").json()
    }
    assert "<mark>Əliyev</mark>" in snippets[ids["az"]] and "<mark>Əliyevin</mark>" in snippets[ids["az"]]
    assert "<mark>Алиев</mark>" in snippets[ids["ru"]] and "<mark>Алиева</mark>" in snippets[ids["ru"]]
    nothing = get(ds, "/turan/search.json?q=&lang=&_shape=array")
    assert nothing.status_code == 200 and nothing.json() == []


def test_the_author_facet_groups_spellings_of_a_name(ds):
    facet = get(ds, "/turan/articles.json?_facet=author_id&_size=0").json()["facet_results"]["author_id"]
    by_label = {r["label"]: r["count"] for r in facet["results"]}
    groups: dict[str, Counter] = {}
    for r in rows(ds, "select author from articles where author is not null"):
        groups.setdefault(" ".join(fold_words(r["author"])), Counter())[r["author"]] += 1
    assert len(by_label) == len(groups) < sum(len(spellings) for spellings in groups.values())
    for spellings in groups.values():  # one facet entry per name, counting every spelling
        (label,) = set(spellings) & set(by_label)
        assert by_label[label] == sum(spellings.values())


def test_the_atom_feed_is_valid_atom_with_authors_and_article_links(ds):
    feed = get(ds, "/-/turan/feed.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    documented = ElementTree.fromstring(get(ds, "/turan/feed.atom").content)  # the README's address
    assert len(documented.findall("a:entry", ns)) == len(
        ElementTree.fromstring(feed.content).findall("a:entry", ns)
    )
    root = ElementTree.fromstring(feed.content)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
        assert root.find(required, ns) is not None and root.find(required, ns).text, required
    assert root.find("a:link[@rel='self']", ns) is not None
    entries = root.findall("a:entry", ns)
    assert len(entries) == min(50, rows(ds, "select count(*) from articles")[0][0])
    ids = [e.find("a:id", ns).text for e in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
            assert (entry.find(required, ns).text or "").strip(), required
        datetime.fromisoformat(entry.find("a:updated", ns).text)  # RFC 3339 date-times
        link = entry.find("a:link[@rel='alternate']", ns).get("href")
        assert re.fullmatch(r"http://localhost/-/turan/article/\d+", link)
    assert get(ds, urlsplit(link).path).status_code == 200


def test_a_feed_reader_reads_every_entry_with_its_author_date_and_article_page(ds):
    import feedparser

    response = get(ds, "/-/turan/feed.atom")
    feed = feedparser.parse(
        response.content, response_headers={"content-type": response.headers["content-type"]}
    )
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.author
    newest = rows(ds, "select id, title from articles order by published_at desc limit 50")
    assert [e.title for e in feed.entries] == [r["title"] for r in newest]
    for entry, row in zip(feed.entries, newest, strict=True):
        assert entry.author and entry.updated_parsed, entry.id
        assert entry.link == f"http://localhost/-/turan/article/{row['id']}"  # rel=alternate
        page = get(ds, urlsplit(entry.link).path)
        assert page.status_code == 200 and f"<h1>{escape(row['title'])}</h1>" in page.text


def test_a_stored_script_stays_inert(ds):
    db = sqlite_utils.Database(ds.get_database("turan").path)
    store = ArchiveStore(db)
    row = {
        "title": "<script>alert(1)</script>",
        "body": "<img src=x onerror=alert(2)>\n\n</mark><b>x",
        "lang": "en",
    }
    with db.atomic():
        store.save_article(
            "http://x/en/politics/evil-790999", {**row, "word_count": 3}, None, "2026-01-01T00:00:00Z"
        )
    evil = db.execute("select id from articles where url = 'http://x/en/politics/evil-790999'").fetchone()[0]
    db.close()
    for path in (
        "/turan/articles?_search=alert",
        "/turan/latest",
        f"/turan/articles/{evil}",
        f"/-/turan/article/{evil}",
        "/turan/search?q=alert&lang=",
        "/turan/search?q=onerror&lang=",
        "/-/turan/feed.atom",
    ):
        page = get(ds, path)
        assert page.status_code == 200, path
        assert "<script>alert(1)</script>" not in page.text and "<img src=x onerror" not in page.text, path
        assert "<b>x" not in page.text, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in get(ds, f"/-/turan/article/{evil}").text


class Links(HTMLParser):
    """Every href and src of a page."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


def test_a_user_following_every_link_never_meets_a_server_error(ds):
    """From the database page, every link of every table's first page and of every canned query, the
    article page, the dashboard and the feed, two clicks deep: none answers 5xx."""
    article = rows(ds, "select id from articles where version = 2 limit 1")[0]["id"]
    seeds = [
        "/turan",
        f"/-/turan/article/{article}",
        "/-/turan/dashboard",
        "/-/turan/feed.atom",
        "/turan/search?q=Aliyev&lang=",
    ]
    seen, failures, frontier = set(seeds), [], [(path, 0) for path in seeds]
    statuses = Counter()
    while frontier:
        path, depth = frontier.pop(0)
        page = get(ds, path)
        statuses[page.status_code // 100] += 1
        if page.status_code >= 500:
            failures.append((path, page.status_code))
        if (
            depth >= 2
            or "html" not in page.headers.get("content-type", "")
            and "xml" not in page.headers.get("content-type", "")
        ):
            continue
        parser = Links()
        parser.feed(page.text)
        for href in parser.found:
            url = urlsplit(urljoin("http://localhost" + path, href))
            if url.netloc != "localhost" or url.path.startswith("/-/static"):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target not in seen and len(seen) < 4000:
                seen.add(target)
                frontier.append((target, depth + 1))
    assert not failures, failures
    tables = {r[0] for r in rows(ds, "select name from sqlite_master where type = 'table'")}
    assert {
        f"/turan/{t}" for t in ("articles", "article_versions", "captures", "runs", "links", "authors")
    } <= seen
    assert {f"/turan/{q}" for q in METADATA["databases"]["turan"]["queries"]} <= seen
    assert any(p.startswith("/-/turan/capture/") for p in seen) and any(p.endswith("/diff") for p in seen)
    assert statuses[2] > 300 and len(seen) < 4000 and tables


def test_serve_reads_while_a_crawl_writes(tmp_path):
    server = start_replica(articles=60, seed=21, faults=False)
    first = subprocess.run(
        [
            sys.executable,
            "-m",
            "turan_crawler",
            *crawl_args(tmp_path, server.url, "--lang", "en", "--delay", "0"),
        ],
        capture_output=True,
        timeout=300,
    )
    assert first.returncode == 0
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "turan_crawler", "serve", "--archive", str(tmp_path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    crawl = None
    try:
        url = f"http://127.0.0.1:{port}/turan/captures.json?_shape=array&_size=1&_sort_desc=id"
        wait_for_url(url, 30, serve)
        crawl = start_crawl(tmp_path, server, "--lang", "az,ru", "--backfill-pages", "all", "--delay", "0.02")
        seen = []
        while crawl.poll() is None:
            with urllib.request.urlopen(url, timeout=10) as resp:
                body = resp.read().decode()
                assert resp.status == 200 and "locked" not in body
                seen.append(body)
            time.sleep(0.1)
        assert crawl.returncode == 0
        assert len(seen) > 5 and len(set(seen)) > 2  # it saw the crawl's new rows as they came
    finally:
        if crawl and crawl.poll() is None:
            crawl.kill()
        serve.terminate()
        serve.wait(timeout=10)
        server.stop()


def test_the_dashboard_fits_the_window_and_is_linked(ds, history_archive):
    page = get(ds, "/-/turan/dashboard")
    assert page.status_code == 200
    content = page.text.split('<section class="content">')[1].split("</section>")[0]
    svgs = re.findall(r"<svg [^>]*>", content)
    assert len(svgs) == 3 and "<script" not in content
    for svg in svgs:  # drawn at the window's width: a viewBox, no fixed width or height
        assert "viewBox='0 0 " in svg and " width=" not in svg and " height=" not in svg
    assert "Articles per month, by language" in page.text
    langs = {
        r[0]
        for r in sqlite3.connect(history_archive / "turan.db").execute("select distinct lang from articles")
    }
    for lang in langs:
        assert f"class='legend'>{lang}</text>" in page.text
    conn = sqlite3.connect(history_archive / "turan.db")
    runs = conn.execute("select id, pages from runs").fetchall()
    assert len(runs) == 2
    for run_id, pages in runs:  # each run is a bar whose tooltip gives its page count
        assert f"<title>#{run_id}: pages {pages}</title>" in page.text
    assert 'href="/-/turan/dashboard"' in get(ds, "/turan").text
    article = conn.execute("select id from articles limit 1").fetchone()[0]
    assert 'href="/-/turan/dashboard"' in get(ds, f"/-/turan/article/{article}").text


def test_a_diff_marks_whole_words():
    from turan_crawler.datasette.plugin import word_diff

    marked, removed, added = word_diff(
        "The minister met the ambassador on Monday.", "The minister met the ambassadors on Tuesday."
    )
    assert "<del>ambassador</del><ins>ambassadors</ins>" in marked
    assert "<del>Monday</del><ins>Tuesday</ins>" in marked
    assert (removed, added) == (2, 2)
    hostile, _, _ = word_diff("<b>old</b>", "<script>new</script>")
    assert "<" not in re.sub(r"</?(del|ins)>", "", hostile) and "&lt;" in hostile


def test_later_pages_show_the_facets_of_the_first(ds):
    first = get(ds, "/turan/articles.json?_size=5&_facet=lang").json()
    later = get(ds, first["next_url"].replace("http://localhost", "")).json()
    counted = {
        name: [(r["value"], r["count"]) for r in f["results"]] for name, f in first["facet_results"].items()
    }
    again = {
        name: [(r["value"], r["count"]) for r in f["results"]] for name, f in later["facet_results"].items()
    }
    assert (
        counted["category"] and again["category"] == counted["category"]
    )  # not just the rows after the cursor
    assert sum(n for _, n in counted["lang"]) == rows(ds, "select count(*) from articles")[0][0]


def test_an_index_named_otherwise_gets_links_to_its_own_name():
    from turan_crawler.datasette.serve import bundled_metadata

    metadata = bundled_metadata("news.2026")
    assert list(metadata["databases"]) == ["news.2026"]
    descriptions = metadata["description_html"] + metadata["databases"]["news.2026"]["description_html"]
    links = re.findall(r'href="(/[^"]*)"', descriptions)
    assert "/news~2E2026/search" in links and "/news~2E2026/articles" in links
    assert all(link.startswith(("/news~2E2026/", "/-/")) for link in links), links
