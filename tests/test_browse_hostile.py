"""Browsing an archive of hostile pages: what a crawled page or a damaged index holds never becomes a
script on the archive's origin, a file read outside the archive or a server error."""

from __future__ import annotations

import asyncio
import gzip
import shutil
import sqlite3
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from datasette.app import Datasette

from turan_crawler.datasette.serve import SETTINGS

METADATA = yaml.safe_load(resources.files("turan_crawler.datasette").joinpath("metadata.yml").read_text())


@pytest.fixture
def archive(history_archive, tmp_path) -> Path:
    """A copy of the history archive, to damage."""
    shutil.copytree(history_archive, tmp_path / "a")
    return tmp_path / "a"


@pytest.fixture
def ds(archive) -> Datasette:
    return Datasette([str(archive / "turan.db")], metadata=METADATA, settings=SETTINGS)


def get(ds: Datasette, path: str):
    return asyncio.run(ds.client.get(path))


def change(archive: Path, sql: str, *params) -> None:
    with sqlite3.connect(archive / "turan.db") as conn:
        conn.execute(sql, params)


def one(archive: Path, sql: str, *params):
    with sqlite3.connect(archive / "turan.db") as conn:
        return conn.execute(sql, params).fetchone()


class Hrefs(HTMLParser):
    """Every href and src of a page."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in ("href", "src") and value is not None]


def hrefs(html: str) -> list[str]:
    parser = Hrefs()
    parser.feed(html)
    return parser.found


def test_a_stored_javascript_url_never_becomes_a_link(archive, ds):
    article_id = one(archive, "select id from articles where version = 2 limit 1")[0]
    change(archive, "update articles set url = 'java\tscript:alert(1)' where id = ?", article_id)
    change(
        archive,
        "update articles set url = 'javascript:alert(2)' where id = (select min(id) from articles where id != ?)",
        article_id,
    )
    change(
        archive,
        "insert into links (src_url, dst_url, kind) values (?, ' JAVASCRIPT:alert(document.domain)', 'translation')",
        "java\tscript:alert(1)",
    )
    pages = [
        f"/-/turan/article/{article_id}",
        f"/turan/articles/{article_id}",
        f"/-/turan/article/{article_id}/diff",
    ]
    for path in pages:
        page = get(ds, path)
        assert page.status_code == 200, path
        found = hrefs(page.text)
        assert found and not [h for h in found if "script:" in h.lower().replace("\t", "")], path
    assert "JAVASCRIPT:alert(document.domain)" in get(ds, pages[0]).text  # shown as text, not as a link
    feed = ElementTree.fromstring(get(ds, "/-/turan/feed.atom").content)
    links = [link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")]
    assert links and all(href.startswith("http") for href in links)


def test_an_archived_page_with_broken_urls_is_still_shown():
    from turan_crawler.datasette.replay import archived_url, rewrite_css, rewrite_html

    for broken in ("http://[::1", "//[oops/x.png", "https://a]b["):
        assert archived_url(broken, "http://x/a/", "20260101000000") == broken
    page = rewrite_html(
        '<html><head><base href="http://[::1"></head><body><a href="http://[::1">a</a>'
        '<img src="/ok.png" srcset="http://[::1 2x, /big.png 3x" style="background: url(http://[::1)">'
        "</body></html>",
        "http://x/a/",
        "20260101000000",
    )
    assert 'href="http://[::1"' in page and 'src="/-/turan/at/20260101000000/http://x/ok.png"' in page
    assert "/-/turan/at/20260101000000/http://x/big.png 3x" in page
    assert rewrite_css("a{background:url(http://[::1)}", "http://x/", "20260101000000")


def test_only_archived_fonts_are_readable_by_other_origins(archive, ds):
    """The sandboxed frame's fonts are cross-origin requests; nothing else of the archive needs to be."""
    kinds = {}
    with sqlite3.connect(archive / "turan.db") as conn:
        for capture_id, content_type in conn.execute(
            "select id, content_type from captures where outcome = 'ok' and warc_file is not null"
        ):
            kinds.setdefault((content_type or "").split("/")[0], capture_id)
    assert {"font", "text", "image"} <= set(kinds)
    for kind, capture_id in kinds.items():
        raw = get(ds, f"/-/turan/capture/{capture_id}/raw")
        assert raw.status_code == 200, kind
        assert raw.headers.get("access-control-allow-origin") == ("*" if kind == "font" else None), kind


def test_a_warc_file_outside_the_warc_folder_is_never_read(archive, ds):
    capture_id, warc_file = one(
        archive,
        "select id, warc_file from captures where outcome = 'ok' and content_type like 'text/html%' limit 1",
    )
    shutil.copy(archive / "warc" / warc_file, archive / "outside.warc.gz")  # a readable record, elsewhere
    for name in ("../outside.warc.gz", str(archive / "outside.warc.gz"), "..", "x\0y"):
        change(archive, "update captures set warc_file = ? where id = ?", name, capture_id)
        for path in (f"/-/turan/capture/{capture_id}", f"/-/turan/capture/{capture_id}/raw"):
            page = get(ds, path)
            assert page.status_code == 404 and "not the name of a file in the archive" in page.text, (
                name,
                path,
            )


def test_the_frame_is_drawn_from_the_index_and_the_bytes_are_checked_where_they_are_served(archive, ds):
    """The archived-page frame reads only the record's headers; its /raw reads, hashes and decodes the
    payload (once). A payload changed after archiving behind intact headers is caught there."""
    capture_id, warc_file, offset, length = one(
        archive,
        "select id, warc_file, warc_offset, warc_length from captures "
        "where outcome = 'ok' and content_type like 'text/html%' and refers_to_capture_id is null limit 1",
    )
    path = archive / "warc" / warc_file
    record = bytearray(gzip.decompress(path.read_bytes()[offset : offset + length]))
    payload_at = record.index(b"\r\n\r\n", record.index(b"\r\n\r\n") + 4) + 4
    record[(payload_at + len(record)) // 2] ^= 0x20  # one bit of the body flipped, headers untouched
    with open(path, "ab") as fh:
        changed_at = fh.tell()
        fh.write(gzip.compress(bytes(record)))
    change(archive, "update captures set warc_offset = ? where id = ?", changed_at, capture_id)
    page = get(ds, f"/-/turan/capture/{capture_id}")
    assert page.status_code == 200 and f"src='/-/turan/capture/{capture_id}/raw'" in page.text
    raw = get(ds, f"/-/turan/capture/{capture_id}/raw")
    assert raw.status_code == 422 and "fails its digest" in raw.text
