"""The turan-crawler Datasette plugin: the article page, archived pages from the WARCs, word-level
diffs, the dashboard, the Atom feed, the folded search's SQL functions, and cells that read well.

Routes (every id that is not there answers 404 with a sentence, never a 500):

- ``/-/turan/article/ID``: the article as a person reads it, with its captures, versions, translations;
- ``/-/turan/article/ID/diff`` (``?from=V&to=W``): what changed between versions, word by word;
- ``/-/turan/capture/ID`` and ``/-/turan/capture/ID/raw``: the archived page as captured, sandboxed;
- ``/-/turan/dashboard``, ``/-/turan/feed.atom`` (also at ``/DB/feed.atom``).

Datasette serves the package's ``templates/`` and ``static/`` itself (the entry point names the package):
the stylesheet is ``/-/static-plugins/turan-crawler/turan.css``.

Archived HTML is only ever shown inside a sandboxed frame whose response carries
``Content-Security-Policy: sandbox; default-src 'none'``: no script runs, nothing is fetched from the
live site. Everywhere else, stored text is escaped (Jinja autoescape, markupsafe).
"""

from __future__ import annotations

import asyncio
import difflib
import re
import weakref
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response
from markupsafe import Markup, escape
from warcio.archiveiterator import ArchiveIterator

from ..archiving.paths import ArchivePaths
from ..extract.decode import decode_html
from ..fold import WORD
from ..warc.reader import BodyTooLarge, StoredResponse, is_too_large_error, read_record_at
from ..warc.records import payload_digest
from . import atom, charts, display, facets, search
from .replay import rewrite_css, rewrite_html, stamp


def sandbox_csp(request) -> str:
    """No script, nothing from anywhere but this server's archive routes (and data: URLs)."""
    here = f"{request.scheme}://{request.host}"
    return (
        f"sandbox; default-src 'none'; img-src {here} data:; style-src {here} 'unsafe-inline'; "
        f"font-src {here} data:; media-src {here}"
    )


_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def database_name(datasette) -> str:
    """The archive's database: the plugin's ``database`` setting (``serve`` sets it), else the first one.
    Remembered per Datasette: render_cell asks for every cell, and plugin_config() merges the metadata
    each time (80 ms of a 50-row table page)."""
    name = _NAMES.get(datasette)
    if name is None:
        config = datasette.plugin_config("turan-crawler") or {}
        names = [name for name in datasette.databases if name != "_internal"]
        name = config.get("database") or (names[0] if names else "turan")
        if names:
            _NAMES[datasette] = name
    return name


def _database(datasette):
    return datasette.get_database(database_name(datasette))


STYLESHEET = "/-/static-plugins/turan-crawler/turan.css"  # static/turan.css, served by Datasette
MAX_ID = 2**63 - 1  # SQLite's largest integer: a larger id is simply not there


class Unavailable(Exception):
    """An archived page that cannot be shown: the status to answer and a sentence saying why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _id(request) -> int | None:
    value = int(request.url_vars["id"])
    return value if value <= MAX_ID else None


async def _capture(datasette, capture_id: int | None) -> dict | None:
    if capture_id is None:
        return None
    rows = await _database(datasette).execute("select * from captures where id = ?", [capture_id])
    row = rows.first()
    return dict(row) if row else None


async def _record_capture(datasette, capture: dict) -> dict:
    """The capture whose record holds the body: itself, or the original of a revisit."""
    if capture.get("refers_to_capture_id"):
        return await _capture(datasette, capture["refers_to_capture_id"]) or capture
    return capture


def _warc_path(datasette, warc_file: str) -> Path:
    """The file a captures row names, in the archive's warc folder; Unavailable for a name with a folder
    in it: the index is data, and data never chooses which file of the machine is read."""
    if Path(warc_file).name != warc_file or warc_file == ".." or "\0" in warc_file:
        raise Unavailable(404, f"{warc_file!r} is not the name of a file in the archive's warc folder.")
    return ArchivePaths(Path(_database(datasette).path).parent).warc_dir / warc_file


def _read(path: Path, source: dict, reader):
    """``reader(path, offset)`` for the record of ``source`` (a captures row); Unavailable when the file
    is missing or its bytes cannot be parsed."""
    if not path.exists():
        raise Unavailable(404, f"The WARC file {source['warc_file']} is missing from the archive.")
    try:
        return reader(path, source["warc_offset"])
    except Exception as exc:  # noqa: BLE001 (any way damaged bytes fail to parse: say so, never a 500)
        where = f"{source['warc_file']} at offset {source['warc_offset']}"
        raise Unavailable(422, f"The record in {where} cannot be read ({type(exc).__name__}).") from None


def _check(source: dict, record_type: str | None, url: str | None, digest: str | None) -> None:
    """Unavailable unless the record found is the response the index names, with its digest."""
    where = f"{source['warc_file']} at offset {source['warc_offset']}"
    if record_type is None or url is None:
        raise Unavailable(422, f"The record in {where} cannot be read (no WARC record starts there).")
    if record_type != "response" or url != source["url"]:
        raise Unavailable(422, f"{where} holds another record than the index says ({url}).")
    if digest != source["payload_digest"]:
        raise Unavailable(422, f"The record in {where} fails its digest: its bytes changed after archiving.")


def _read_checked(path: Path, source: dict) -> StoredResponse:
    """The record of ``source``, read whole and its payload's digest computed and checked."""
    stored = _read(path, source, read_record_at)
    _check(source, stored.record_type, stored.url, payload_digest(stored.payload))
    return stored


def _record_head(path: Path, offset: int) -> tuple[str | None, str | None, str | None]:
    """(type, target URI, declared payload digest) of the record at ``offset``: its headers only (the
    first block of its gzip member), whatever the size of its payload."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            headers = record.rec_headers
            return (
                record.rec_type,
                headers.get_header("WARC-Target-URI"),
                headers.get_header("WARC-Payload-Digest"),
            )
    return None, None, None


def _head_checked(path: Path, source: dict) -> None:
    """The checks the archived-page frame can make cheaply (file, offset, record, declared digest); the
    payload itself is read, hashed and decoded once, by the frame's ``/raw``."""
    _check(source, *_read(path, source, _record_head))


async def _source(datasette, request) -> tuple[dict, dict]:
    """(capture, the capture holding the body) for the route's id; Unavailable otherwise."""
    capture = await _capture(datasette, _id(request))
    if capture is None:
        raise Unavailable(404, f"There is no capture {request.url_vars['id']} in this archive.")
    if not capture.get("warc_file"):
        raise Unavailable(404, f"Capture {capture['id']} has no archived record ({capture['error']}).")
    return capture, await _record_capture(datasette, capture)


async def _archived(datasette, request) -> tuple[dict, dict, StoredResponse]:
    """(capture, the capture holding the body, its record, checked) for the route's id."""
    capture, source = await _source(datasette, request)
    stored = await asyncio.to_thread(_read_checked, _warc_path(datasette, source["warc_file"]), source)
    return capture, source, stored


def _page(title: str, body: Markup, status: int = 200) -> Response:
    """The archived-page frame: a bare page (no Datasette chrome) so the frame gets the whole window."""
    html = Markup(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>{}</title><style>"
        "body{{margin:0;font-family:sans-serif}}.banner{{background:#fde68a;padding:.6em 1em;border-bottom:1px solid "
        "#b45309}}.banner a{{margin-left:.8em}}.problem{{padding:1em}}iframe{{width:100%;height:calc(100vh - 4em);"
        "border:0}}</style></head><body>{}</body></html>"
    ).format(title, body)
    return Response.html(str(html), status=status, headers={"Referrer-Policy": "no-referrer"})


async def _render(datasette, request, template: str, context: dict, status: int = 200) -> Response:
    context = {"database": database_name(datasette), **context}
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status, headers={"Referrer-Policy": "no-referrer"})


async def _not_there(datasette, request, message: str, status: int = 404) -> Response:
    return await _render(datasette, request, "turan_problem.html", {"message": message}, status)


def _problem_page(problem: Unavailable) -> Response:
    body = Markup("<div class='problem'><h1>Archived page not available</h1><p>{}</p></div>").format(
        str(problem)
    )
    return _page("Archived page not available", body, problem.status)


async def _article_of_capture(datasette, capture: dict) -> dict | None:
    """The article read from the capture's URL (articles are one row per URL), if any."""
    rows = await _database(datasette).execute(
        "select id, title from articles where url = ?", [capture["url"]]
    )
    row = rows.first()
    return dict(row) if row else None


async def archived_page(request, datasette) -> Response:
    try:
        capture, source = await _source(datasette, request)
        await asyncio.to_thread(_head_checked, _warc_path(datasette, source["warc_file"]), source)
    except Unavailable as problem:
        return _problem_page(problem)
    article = await _article_of_capture(datasette, capture)
    banner = Markup(
        "<div class='banner'>Archived page: <b>{}</b> as fetched on <b>{}</b> (HTTP {}, {}). "
        "Shown from WARC record {} in {}; scripts and requests to the live site are blocked. "
        "<a href='/{}/captures/{}'>capture row</a>{}</div>"
    ).format(
        capture["url"],
        display.human_date(capture["fetched_at"]),
        capture["status"],
        capture["outcome"],
        source["warc_record_id"],
        source["warc_file"],
        database_name(datasette),
        capture["id"],
        Markup("<a href='/-/turan/article/{}'>the article in the archive</a>").format(article["id"])
        if article
        else "",
    )
    if is_too_large_error(source.get("error")):  # the crawl's verdict: /raw would answer 413
        message = Markup("<div class='problem'><p>Not shown: {}. The record is kept as received.</p></div>")
        return _page(f"Archived: {capture['url']}", banner + message.format(source["error"]))
    frame = Markup("<iframe sandbox src='/-/turan/capture/{}/raw' title='archived page'></iframe>").format(
        capture["id"]
    )
    return _page(f"Archived: {capture['url']}", banner + frame)


REWRITE_LIMIT = 4 * 1024 * 1024  # a larger page is shown as it is: its requisites stay blocked by the CSP


def _sandboxed(request, stored: StoredResponse, body: bytes, url: str, timestamp: str) -> Response:
    """The archived bytes for the sandboxed frame; a page or stylesheet rewritten to take its requisites
    from the archive (``replay.py``)."""
    content_type = stored.header("Content-Type") or "application/octet-stream"
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml") and body.strip() and len(body) <= REWRITE_LIMIT:
        text, _codec = decode_html(body, dict(stored.http_headers))
        body, content_type = rewrite_html(text, url, timestamp).encode("utf-8"), "text/html; charset=utf-8"
    elif kind == "text/css":
        text, _codec = decode_html(body, dict(stored.http_headers))
        body, content_type = rewrite_css(text, url, timestamp).encode("utf-8"), "text/css; charset=utf-8"
    headers = {
        "Content-Security-Policy": sandbox_csp(request),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "private, max-age=3600",
    }
    if _is_font(kind, url):  # the sandboxed frame has an opaque origin: its fonts are cross-origin requests
        headers["Access-Control-Allow-Origin"] = "*"
    return Response(body, status=200, content_type=content_type, headers=headers)


FONT_TYPES = ("font/", "application/font", "application/x-font", "application/vnd.ms-fontobject")
FONT_EXTENSIONS = (".woff", ".woff2", ".ttf", ".otf", ".eot")


def _is_font(kind: str, url: str) -> bool:
    """A font, by its Content-Type or (servers often send octet-stream) its URL's extension."""
    return kind.startswith(FONT_TYPES) or urlsplit(url).path.lower().endswith(FONT_EXTENSIONS)


async def archived_raw(request, datasette) -> Response:
    try:
        capture, _source, stored = await _archived(datasette, request)
        body = await asyncio.to_thread(stored.decoded_payload)
    except BodyTooLarge as exc:
        return Response.text(f"Not shown: {exc}.", status=413)
    except Unavailable as problem:
        return Response.text(str(problem), status=problem.status)
    return await asyncio.to_thread(
        _sandboxed, request, stored, body, capture["url"], stamp(capture["fetched_at"])
    )


async def archived_at(request, datasette) -> Response:
    """``/-/turan/at/TIMESTAMP/URL``: the capture of URL nearest to TIMESTAMP, for an archived page's
    requisites and links; 404 when URL was never archived."""
    timestamp = request.url_vars["ts"]
    url = request.url_vars["url"] + (f"?{request.query_string}" if request.query_string else "")
    when = f"{timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}T{timestamp[8:10]}:{timestamp[10:12]}:{timestamp[12:14]}"
    rows = await _database(datasette).execute(
        "select * from captures where url = ? and warc_file is not null and outcome in ('ok', 'revisit') "
        "order by abs(julianday(substr(fetched_at, 1, 19)) - julianday(?)) limit 1",
        [url, when],
    )
    capture = rows.first()
    if capture is None:
        return Response.text(f"Not in the archive: {url}", status=404)
    capture = dict(capture)
    try:
        source = await _record_capture(datasette, capture)
        stored = await asyncio.to_thread(_read_checked, _warc_path(datasette, source["warc_file"]), source)
        body = await asyncio.to_thread(stored.decoded_payload)
    except BodyTooLarge as exc:
        return Response.text(f"Not shown: {exc}.", status=413)
    except Unavailable as problem:
        return Response.text(str(problem), status=problem.status)
    return await asyncio.to_thread(_sandboxed, request, stored, body, url, timestamp)


# -- the article page ---------------------------------------------------------------------------------
async def _article_row(datasette, article_id: int | None) -> dict | None:
    if article_id is None:
        return None
    row = (await _database(datasette).execute("select * from articles where id = ?", [article_id])).first()
    return dict(row) if row else None


async def _rows(datasette, sql: str, params) -> list[dict]:
    return [dict(r) for r in await _database(datasette).execute(sql, params)]


async def article_page(request, datasette) -> Response:
    article = await _article_row(datasette, _id(request))
    if article is None:
        return await _not_there(
            datasette, request, f"There is no article {request.url_vars['id']} in this archive."
        )
    captures = await _rows(
        datasette,
        "select id, fetched_at, status, outcome, refers_to_capture_id from captures "
        "where url = ? and warc_file is not null order by fetched_at desc limit 100",
        [article["url"]],
    )
    versions = await _rows(
        datasette,
        "select version, fetched_at, capture_id, title, word_count from article_versions "
        "where article = ? order by version desc",
        [article["id"]],
    )
    translations = await _rows(
        datasette,
        "select t.url, a.id, a.title, coalesce(a.lang, '') as lang from ("
        "  select dst_url as url from links where src_url = :url and kind = 'translation'"
        "  union select src_url from links where dst_url = :url and kind = 'translation'"
        ") t left join articles a on a.url = t.url where t.url != :url order by a.lang, t.url",
        {"url": article["url"]},
    )
    authors = await _rows(datasette, "select * from authors where id = ?", [article.get("author_id")])
    context = {
        "article": article,
        "author_group": authors[0] if authors else None,
        "paragraphs": display.paragraphs(article["body"]),
        "captures": captures,
        "versions": versions,
        "translations": translations,
    }
    return await _render(datasette, request, "turan_article.html", context)


# -- diffs --------------------------------------------------------------------------------------------
# A word or sign with the spaces after it: a run of spaces is not a token of its own (one " " token
# matching every other position made SequenceMatcher quadratic: 12 s for 8,000 words, now 0.1 s)
_DIFF_TOKEN = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
_PARAGRAPH_TOKEN = re.compile(r"\S.*?(?:\n\s*\n|\Z)|\s+", re.S)
MAX_DIFF_TOKENS = 20_000  # beyond that (10,000 words a side), compare paragraphs instead of words
KEEP_AROUND = 24  # unchanged tokens kept either side of a change; longer stretches are folded away
DIFF_PAIRS = 5  # version pairs a diff page shows unless asked for one (?from=&to=): the latest


def _words(tokens: list[str]) -> int:
    return sum(len(WORD.findall(token)) for token in tokens)


def _trailing_space(text: str) -> str:
    return text[len(text.rstrip()) :]


def word_diff(old: str, new: str) -> tuple[Markup, int, int]:
    """(``new`` with the words ``old`` had and it lacks in <del>, its own in <ins>, long unchanged
    stretches folded; words removed; words added). Spacing alone is not a change. Escaped: the texts
    are scraped."""
    a, b = _DIFF_TOKEN.findall(old or ""), _DIFF_TOKEN.findall(new or "")
    if len(a) + len(b) > MAX_DIFF_TOKENS:
        a, b = _PARAGRAPH_TOKEN.findall(old or ""), _PARAGRAPH_TOKEN.findall(new or "")
    keys_a, keys_b = [t.rstrip() or " " for t in a], [t.rstrip() or " " for t in b]
    out, removed, added = [], 0, 0
    opcodes = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            same = b[j1:j2]
            if n < len(opcodes) - 1 and not _trailing_space(same[-1]):  # words removed at the new text's end
                same = [*same[:-1], a[i2 - 1]]
            head = KEEP_AROUND if n > 0 else 0
            tail = KEEP_AROUND if n < len(opcodes) - 1 else 0
            if len(same) > head + tail + 2 * KEEP_AROUND:
                skipped = _words(same[head : len(same) - tail])
                out.append(escape("".join(same[:head])))
                out.append(Markup("<span class='skip'>[… {} unchanged words …]</span> ").format(skipped))
                out.append(escape("".join(same[len(same) - tail :])))
            else:
                out.append(escape("".join(same)))
            continue
        gone, came = "".join(a[i1:i2]), "".join(b[j1:j2])
        if gone.strip():
            out.append(Markup("<del>{}</del>").format(gone.rstrip()))
            removed += _words(a[i1:i2])
        if came.strip():
            out.append(Markup("<ins>{}</ins>").format(came.rstrip()))
            added += _words(b[j1:j2])
        out.append(escape(_trailing_space(came or gone)))
    return Markup("").join(out), removed, added


def _version_number(request, name: str) -> int | None | bool:
    """The ?from= / ?to= version asked for: None when absent, False when not a number."""
    value = request.args.get(name)
    if value is None:
        return None
    return int(value) if value.isdigit() and len(value) < 10 else False


async def article_diff(request, datasette) -> Response:
    article = await _article_row(datasette, _id(request))
    if article is None:
        return await _not_there(
            datasette, request, f"There is no article {request.url_vars['id']} in this archive."
        )
    db = _database(datasette)
    rows = await db.execute(
        "select version, fetched_at, capture_id from article_versions where article = ? order by version",
        [article["id"]],
    )
    versions = {r["version"]: dict(r) for r in rows}
    wanted_from, wanted_to = _version_number(request, "from"), _version_number(request, "to")
    if wanted_from is False or wanted_to is False:
        return await _not_there(datasette, request, "from= and to= are version numbers (1, 2, ...).", 400)
    ordered = list(versions)
    all_pairs = list(zip(ordered, ordered[1:], strict=False))[::-1]
    if wanted_from is not None or wanted_to is not None:
        to = wanted_to if wanted_to is not None else (wanted_from or 0) + 1
        start = wanted_from if wanted_from is not None else to - 1
        if start not in versions or to not in versions:
            return await _not_there(
                datasette,
                request,
                f"Article {article['id']} has versions {', '.join(map(str, versions)) or 'none'}: "
                f"there is no version {start if start not in versions else to}.",
            )
        pairs = [(start, to)]
    else:
        pairs = all_pairs[:DIFF_PAIRS]
    needed = sorted({version for pair in pairs for version in pair})
    for row in await db.execute(  # the texts of the versions shown, only
        f"select version, title, body from article_versions where article = ? "
        f"and version in ({', '.join('?' * len(needed))})",
        [article["id"], *needed],
    ):
        versions[row["version"]].update(dict(row))
    changes = [
        {
            "old": versions[old],
            "new": versions[new],
            **await asyncio.to_thread(_diff, versions[old], versions[new]),
        }
        for old, new in pairs
    ]
    context = {
        "article": article,
        "changes": changes,
        "version_count": len(versions),
        "not_shown": 0 if len(pairs) == 1 else len(all_pairs) - len(pairs),  # older changes, by default
    }
    return await _render(datasette, request, "turan_diff.html", context)


def _diff(old: dict, new: dict) -> dict:
    """Two versions' title and body diffs (in a thread: a long text takes a while)."""
    body, removed, added = word_diff(old["body"] or "", new["body"] or "")
    return {
        "title": word_diff(old["title"] or "", new["title"] or "")[0],
        "body": body,
        "removed": removed,
        "added": added,
    }


# -- the dashboard ------------------------------------------------------------------------------------
FIRST_MONTH = "1990-01"  # Turan was founded in 1990: an earlier date is a misread one, not a month to draw


def every_month(months, today: date | None = None) -> list[str]:
    """Every 'YYYY-MM' from the first to the last of ``months`` (a month without articles is a gap, not
    skipped); values that are not months, or not from FIRST_MONTH to next month, are left out (one
    published_at of 0001-01-01 would make 24,000 months)."""
    today = today or date.today()
    latest = f"{today.year + today.month // 12:04d}-{today.month % 12 + 1:02d}"
    valid = sorted(
        m
        for m in set(months)
        if isinstance(m, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", m) and FIRST_MONTH <= m <= latest
    )
    if not valid:
        return []
    (year, month), last = map(int, valid[0].split("-")), valid[-1]
    out = []
    while (current := f"{year:04d}-{month:02d}") <= last:
        out.append(current)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


MONTHLY_SQL = (
    "select substr(published_at, 1, 7) as month, lang, count(*) as n from articles "
    "where published_at is not null group by month, lang order by month"
)
CATEGORIES_SQL = (
    "select coalesce(category, '(none)') || ' (' || coalesce(lang, '?') || ')' as label, count(*) as n "
    "from articles group by label order by n desc limit 25"
)


async def _counted(datasette, sql: str) -> list | None:
    """The rows of a count over every article (4 s at a million: past sql_time_limit_ms), kept per state
    of the index (facets.COUNTS); None while they are being counted in the background."""
    try:
        return list(await facets.COUNTS.execute(datasette, database_name(datasette), sql, None))
    except QueryInterrupted:
        return None


def _counting(title: str) -> Markup:
    return Markup(
        "<p class='counting'><b>{}</b>: counting… (a big index is counted in the background: reload in a "
        "moment)</p>"
    ).format(title)


def _monthly_chart(monthly: list | None) -> Markup:
    title = "Articles per month, by language"
    if monthly is None:
        return _counting(title)
    months = every_month(r["month"] for r in monthly)
    langs = sorted({r["lang"] or "?" for r in monthly})
    per_lang = {lang: [0] * len(months) for lang in langs}
    position = {month: i for i, month in enumerate(months)}
    for r in monthly:
        if r["month"] in position:
            per_lang[r["lang"] or "?"][position[r["month"]]] = r["n"]
    return charts.stacked_bars(title, months, per_lang)


async def dashboard(request, datasette) -> Response:
    monthly, categories = await asyncio.gather(
        _counted(datasette, MONTHLY_SQL), _counted(datasette, CATEGORIES_SQL)
    )
    runs = [
        dict(r)
        for r in await _database(datasette).execute(
            "select id, started_at, pages, articles_new, errors, blocked from runs order by id desc limit 60"
        )
    ][::-1]
    run_series = {
        name: [r[name] or 0 for r in runs] for name in ("pages", "articles_new", "errors", "blocked")
    }
    per_category = "Articles per category"
    charts_html = [
        _monthly_chart(monthly),
        charts.horizontal_bars(per_category, [(r["label"], r["n"]) for r in categories])
        if categories is not None
        else _counting(per_category),
        charts.stacked_bars(
            "Crawl runs: pages, new articles, errors, blocked",
            [f"#{r['id']}" for r in runs],
            run_series,
            grouped=True,
        ),
    ]
    return await _render(datasette, request, "turan_dashboard.html", {"charts": charts_html})


# -- the feed -----------------------------------------------------------------------------------------
async def atom_feed(request, datasette) -> Response:
    rows = [dict(r) for r in await _database(datasette).execute(atom.SQL)]
    base = f"{request.scheme}://{request.host}"
    title = (datasette.metadata("title") or "Turan archive") + ": latest articles"
    body = atom.feed(rows, base, base + request.path, title)
    return Response(body, content_type=atom.CONTENT_TYPE, headers={"Cache-Control": "max-age=300"})


async def no_such_page(request, datasette) -> Response:
    return await _not_there(
        datasette, request, f"Nothing at {request.path}: capture and article ids are whole numbers."
    )


@hookimpl
def register_routes(datasette):
    routes = [
        (r"^/-/turan/capture/(?P<id>\d+)$", archived_page),
        (r"^/-/turan/capture/(?P<id>\d+)/raw$", archived_raw),
        (r"^/-/turan/at/(?P<ts>\d{14})/(?P<url>https?://.+)$", archived_at),
        (r"^/-/turan/article/(?P<id>\d+)$", article_page),
        (r"^/-/turan/article/(?P<id>\d+)/diff$", article_diff),
        (r"^/-/turan/dashboard$", dashboard),
        (r"^/-/turan/feed\.atom$", atom_feed),
    ]
    # the feed's documented address (datasette-atom's, which served it as application/xml without authors)
    routes.append((rf"^/{re.escape(database_name(datasette))}/feed\.atom$", atom_feed))
    routes.append((r"^/-/turan/(?P<rest>.*)$", no_such_page))  # any other id or path: a 404 that says so
    return routes


# -- search -------------------------------------------------------------------------------------------
@hookimpl
def prepare_connection(conn):
    """The folded search's functions (search.py), on every connection Datasette opens."""
    conn.create_function("turan_match", 1, search.match_query, deterministic=True)
    conn.create_function("turan_match", 2, search.match_query, deterministic=True)
    conn.create_function("turan_snippet", 2, search.snippet, deterministic=True)


# -- templates ----------------------------------------------------------------------------------------
# Columns shown first in table views (the rest follow in table order): what a reader looks for, first.
LEAD_COLUMNS = {
    "articles": [
        "id",
        "title",
        "published_at",
        "author_id",
        "lang",
        "category",
        "body",
        "capture_id",
        "version",
    ],
    "article_versions": ["id", "article", "version", "title", "fetched_at", "capture_id"],
    "captures": ["id", "url", "fetched_at", "status", "outcome"],
    "authors": ["id", "name", "spellings"],
}


def lead_order(columns: list[dict], table: str | None) -> list[int]:
    """Indexes of ``columns`` (Datasette's display columns) with the table's lead columns first."""
    lead = LEAD_COLUMNS.get(table or "", [])
    names = [c["name"] for c in columns]
    first = [names.index(name) for name in lead if name in names]
    return first + [i for i in range(len(names)) if i not in first]


@hookimpl
def prepare_jinja2_environment(env):
    """The filters our templates use (Datasette finds the templates themselves: see the module)."""
    env.filters["http_url"] = display.http_url
    env.filters["human_date"] = display.human_date
    env.filters["date_html"] = display.date_html
    env.filters["lead_order"] = lead_order
    env.filters["paragraphs"] = display.paragraphs


@hookimpl
def extra_template_vars(database, table, view_name, datasette):
    return {
        "turan_archive": database is not None and database == database_name(datasette),
        "turan_database": database_name(datasette),
        "turan_view": view_name,
        "turan_table": table,
    }


@hookimpl
def register_facet_classes():
    return [facets.KeptColumnFacet, facets.KeptDateFacet]


@hookimpl
def extra_css_urls():
    return [STYLESHEET]


@hookimpl
def menu_links(datasette):
    db = database_name(datasette)
    return [
        {"href": f"/{db}/articles", "label": "Articles"},
        {"href": f"/{db}/search", "label": "Search (all spellings)"},
        {"href": "/-/turan/dashboard", "label": "Dashboard"},
        {"href": "/-/turan/feed.atom", "label": "Atom feed"},
    ]


# -- cells --------------------------------------------------------------------------------------------
CAPTURE_CELLS = {
    ("captures", "id"),
    ("captures", "refers_to_capture_id"),
    ("articles", "capture_id"),
    ("article_versions", "capture_id"),
    (None, "capture_id"),
}


def _plain(value):
    """A cell's value; a label-expanded foreign key ({'value': ..., 'label': ...}) as its value."""
    return value.get("value") if isinstance(value, dict) else value


def _article_link(article_id, title) -> Markup:
    return Markup("<a class='article-link' href='/-/turan/article/{}'>{}</a>").format(
        article_id, title or "(untitled)"
    )


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != database_name(datasette) or value is None:
        return None
    plain = _plain(value)
    if (table, column) in CAPTURE_CELLS and isinstance(plain, int):
        return Markup(
            "<a class='capture-link' href='/-/turan/capture/{0}' title='capture {0}'>archived page</a>"
        ).format(plain)
    if (
        column == "title"
        and table in ("articles", None)
        and _has(row, "id")
        and isinstance(_plain(row["id"]), int)
    ):
        return _article_link(_plain(row["id"]), value)
    if column == "title" and table == "article_versions" and _has(row, "article"):
        return _article_link(_plain(row["article"]), value)
    if column in display.DATE_COLUMNS:
        return display.date_html(plain)
    if column == "body" and table in ("articles", "article_versions", None) and isinstance(value, str):
        words = _plain(row["word_count"]) if _has(row, "word_count") else None
        hover = Markup(" title='{} words'").format(words) if isinstance(words, int) else ""
        return Markup("<span class='excerpt'{}>{}</span>").format(hover, display.excerpt(value))
    if column == "snippet" and table is None:
        return search.marked_html(value)
    if table == "articles" and column == "version" and isinstance(value, int) and value > 1:
        return Markup("{} <a href='/-/turan/article/{}/diff'>changes</a>").format(value, _plain(row["id"]))
    return None


def _has(row, key: str) -> bool:
    try:
        return key in row.keys()  # noqa: SIM118 (sqlite3.Row: "in" looks at the values)
    except AttributeError:
        return False
