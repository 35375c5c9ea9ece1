"""Package the archive as WACZ 1.1.1 (the WARCs, a sorted compressed CDXJ index, pages.jsonl, datapackage.json and
its digest), streamed into the zip: nothing is held in memory but one buffer at a time."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cdxj_indexer import CDXJIndexer

from . import __version__
from .archiving.paths import ArchivePaths

CHUNK = 1 << 20
Progress = Callable[[int], None]  # told of each stretch of WARC read, in bytes


class _Indexer(CDXJIndexer):
    """The CDXJ indexer, telling ``read(n)`` (if given) of each stretch of WARC it has read."""

    def __init__(self, read: Progress | None, **kwargs):
        super().__init__(**kwargs)
        self._read, self._at = read, 0

    def process_one(self, input_, output, filename):
        self._at = 0
        super().process_one(input_, output, filename)
        self._read_to(os.path.getsize(filename))

    def process_index_entry(self, it, record, filename, output):
        super().process_index_entry(it, record, filename, output)
        self._read_to(it.offset)

    def _read_to(self, offset: int) -> None:
        if self._read and offset > self._at:
            self._read(offset - self._at)
            self._at = offset


def _add_file(zf: zipfile.ZipFile, source: Path, name: str, read: Progress | None = None) -> dict:
    """Copy ``source`` into the zip as ``name`` (stored: WARCs are already gzip), hashing on the way.

    A member gets a ZIP64 extra field only when it needs one (over ``zipfile.ZIP64_LIMIT``, 2 GiB - 1),
    in its local header and in the central directory alike: a reader that takes the data offset from
    the central directory (ReplayWeb.page's wabac.js does when the entry there has no extra field)
    lands on the wrong bytes when the two disagree. zipfile is not left to decide from ``file_size``: it
    opens a member with a ZIP64 local header from 1/1.05 of the limit on (room for deflate growth) but
    writes the ZIP64 central entry only past the limit; a stored member is exactly its size.
    """
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as src:
        zip64 = os.fstat(src.fileno()).st_size > zipfile.ZIP64_LIMIT
        # file_size stays 0 here: zipfile's own guess would be the 1.05 rule above
        with zf.open(zipfile.ZipInfo(name, date_time=_now_tuple()), "w", force_zip64=zip64) as dst:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                dst.write(chunk)
                if read:
                    read(len(chunk))
    return {"name": Path(name).name, "path": name, "hash": f"sha256:{digest.hexdigest()}", "bytes": size}


def _add_bytes(zf: zipfile.ZipFile, data: bytes, name: str) -> dict:
    zf.writestr(zipfile.ZipInfo(name, date_time=_now_tuple()), data)
    return {
        "name": Path(name).name,
        "path": name,
        "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
        "bytes": len(data),
    }


def _now_tuple() -> tuple:
    return datetime.now(UTC).timetuple()[:6]


def _pages(db_path: Path, out: io.TextIOBase) -> int:
    """pages.jsonl: every archived article, with its title and the time of the capture it was read from."""
    out.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Articles"}) + "\n")
    count = 0
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        query = (
            "select a.id, a.url, a.title, c.fetched_at from articles a join captures c on c.id = a.capture_id "
            "order by c.fetched_at"
        )
        for article_id, url, title, fetched_at in conn.execute(query):
            out.write(
                json.dumps(
                    {"id": f"article-{article_id}", "url": url, "title": title, "ts": fetched_at},
                    ensure_ascii=False,
                )
                + "\n"
            )
            count += 1
    return count


def write_wacz(
    paths: ArchivePaths, out: Path, progress: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """Write ``out`` (atomically: a ``.part`` file renamed at the end); return what went in.
    ``progress(stage, bytes done, bytes total)`` is told how much WARC has been read (twice: to index
    it, then to copy it)."""
    out = Path(out)
    warcs = sorted(paths.warc_dir.glob("*.warc.gz"))
    total = sum(p.stat().st_size for p in warcs)
    done = {"indexing": 0, "packing": 0}

    def reading(stage: str) -> Progress | None:
        def read(n: int) -> None:
            done[stage] += n
            progress(stage, done[stage], total)

        return read if progress else None

    partial = out.with_name(out.name + ".part")
    with tempfile.TemporaryDirectory() as scratch:
        # The index as py-wacz writes it (blocks of CDXJ lines, each a gzip member, and a small index of the
        # blocks): ReplayWeb.page loads a block at a time, and pywb unpacks only an `index.cdx.gz`.
        index, blocks, pages = (Path(scratch) / name for name in ("index.idx", "index.cdx.gz", "pages.jsonl"))
        with open(index, "w", encoding="utf-8") as idx, open(blocks, "wb") as data:
            _Indexer(
                reading("indexing"),
                output=idx,
                inputs=[str(p) for p in warcs],
                sort=True,
                compress=data,
                data_out_name="index.cdx.gz",
            ).process_all()
        with open(pages, "w", encoding="utf-8") as fh:
            page_count = _pages(paths.db, fh)
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            resources = [_add_file(zf, warc, f"archive/{warc.name}", reading("packing")) for warc in warcs]
            resources.append(_add_file(zf, blocks, "indexes/index.cdx.gz"))
            resources.append(_add_file(zf, index, "indexes/index.idx"))
            resources.append(_add_file(zf, pages, "pages/pages.jsonl"))
            package = {
                "profile": "data-package",
                "wacz_version": "1.1.1",
                "title": "Turan Information Agency archive",
                "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "software": f"turan-crawler {__version__}",
                "resources": resources,
            }
            data = json.dumps(package, indent=2).encode("utf-8")
            _add_bytes(zf, data, "datapackage.json")
            digest = {"path": "datapackage.json", "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}
            _add_bytes(zf, json.dumps(digest, indent=2).encode("utf-8"), "datapackage-digest.json")
    os.replace(partial, out)
    return {"warcs": len(warcs), "pages": page_count}
