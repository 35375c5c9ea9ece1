"""The turan-crawler Datasette plugin: archived pages from the WARCs, version diffs, links in cells.

Archived HTML is only ever shown inside a sandboxed frame whose response carries
``Content-Security-Policy: sandbox; default-src 'none'``: no script runs, nothing is fetched from the
live site. Everywhere else, stored text goes through Datasette's escaping.
"""

from __future__ import annotations

import asyncio
import difflib
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

from ..extract.decode import decode_html
from ..warc.reader import BodyTooLarge, StoredResponse, read_record_at
from ..warc.records import payload_digest
from . import charts
from .replay import rewrite_css, rewrite_html, stamp


def sandbox_csp(request) -> str:
    """No script, nothing from anywhere but this server's archive routes (and data: URLs)."""
    here = f"{request.scheme}://{request.host}"
    return (
        f"sandbox; default-src 'none'; img-src {here} data:; style-src {here} 'unsafe-inline'; "
        f"font-src {here} data:; media-src {here}"
    )


def database_name(datasette) -> str:
    """The archive's database: the plugin's ``database`` setting (``serve`` sets it), else the only one."""
    config = datasette.plugin_config("turan-crawler") or {}
    names = [name for name in datasette.databases if name != "_internal"]
    return config.get("database") or (names[0] if names else "turan")


def _database(datasette):
    return datasette.get_database(database_name(datasette))


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
    return Path(_database(datasette).path).parent / "warc" / warc_file


def _read_checked(path: Path, source: dict) -> StoredResponse:
    """The record of ``source`` (a captures row), read and checked against the index: Unavailable when
    the file is missing, the bytes cannot be read, the offset holds another record or the digest fails."""
    where = f"{source['warc_file']} at offset {source['warc_offset']}"
    if not path.exists():
        raise Unavailable(404, f"The WARC file {source['warc_file']} is missing from the archive.")
    try:
        stored = read_record_at(path, source["warc_offset"])
    except Exception as exc:  # noqa: BLE001 (any way damaged bytes fail to parse: say so, never a 500)
        raise Unavailable(422, f"The record in {where} cannot be read ({type(exc).__name__}).") from None
    if stored.record_type is None or stored.url is None:
        raise Unavailable(422, f"The record in {where} cannot be read (no WARC record starts there).")
    if stored.record_type != "response" or stored.url != source["url"]:
        raise Unavailable(422, f"{where} holds another record than the index says ({stored.url}).")
    if payload_digest(stored.payload) != source["payload_digest"]:
        raise Unavailable(422, f"The record in {where} fails its digest: its bytes changed after archiving.")
    return stored


async def _archived(datasette, request) -> tuple[dict, dict, StoredResponse]:
    """(capture, the capture holding the body, its record) for the route's id; Unavailable otherwise."""
    capture = await _capture(datasette, _id(request))
    if capture is None:
        raise Unavailable(404, f"There is no capture {request.url_vars['id']} in this archive.")
    if not capture.get("warc_file"):
        raise Unavailable(404, f"Capture {capture['id']} has no archived record ({capture['error']}).")
    source = await _record_capture(datasette, capture)
    stored = await asyncio.to_thread(_read_checked, _warc_path(datasette, source["warc_file"]), source)
    return capture, source, stored


def _page(title: str, body: Markup, status: int = 200) -> Response:
    html = Markup(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>{}</title><style>"
        "body{{margin:0;font-family:sans-serif}}.banner{{background:#fde68a;padding:.6em 1em;border-bottom:1px solid "
        "#b45309}}.problem{{padding:1em}}iframe{{width:100%;height:calc(100vh - 4em);border:0}}table.diff{{font-family:"
        "monospace;font-size:13px}}.diff_add{{background:#bbf7d0}}.diff_sub{{background:#fecaca}}.diff_chg{{background:"
        "#fde68a}}</style></head><body>{}</body></html>"
    ).format(title, body)
    return Response.html(str(html), status=status, headers={"Referrer-Policy": "no-referrer"})


def _problem_page(problem: Unavailable) -> Response:
    body = Markup("<div class='problem'><h1>Archived page not available</h1><p>{}</p></div>").format(
        str(problem)
    )
    return _page("Archived page not available", body, problem.status)


async def archived_page(request, datasette) -> Response:
    try:
        capture, source, stored = await _archived(datasette, request)
    except Unavailable as problem:
        return _problem_page(problem)
    banner = Markup(
        "<div class='banner'>Archived page: <b>{}</b> as fetched on <b>{}</b> (HTTP {}, {}). "
        "Shown from WARC record {} in {}; scripts and requests to the live site are blocked. "
        "<a href='/{}/captures/{}'>capture row</a></div>"
    ).format(
        capture["url"],
        capture["fetched_at"],
        capture["status"],
        capture["outcome"],
        source["warc_record_id"],
        source["warc_file"],
        database_name(datasette),
        capture["id"],
    )
    try:
        await asyncio.to_thread(stored.decoded_payload)
    except BodyTooLarge as exc:
        message = Markup("<div class='problem'><p>Not shown: {}. The record is kept as received.</p></div>")
        return _page(f"Archived: {capture['url']}", banner + message.format(str(exc)))
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
    return Response(
        body,
        status=200,
        content_type=content_type,
        headers={
            "Content-Security-Policy": sandbox_csp(request),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "private, max-age=3600",
            # the sandboxed frame has an opaque origin: its fonts are cross-origin requests
            "Access-Control-Allow-Origin": "*",
        },
    )


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


async def article_diff(request, datasette) -> Response:
    article_id = _id(request)
    rows = await _database(datasette).execute(
        "select version, fetched_at, title, body from article_versions where article = ? order by version",
        [article_id],
    )
    versions = [dict(r) for r in rows]
    if not versions:
        return Response.text("No such article", status=404)
    parts = [Markup("<div class='banner'>Article {}: {} version(s)</div>").format(article_id, len(versions))]
    differ = difflib.HtmlDiff(wrapcolumn=70)
    for old, new in zip(versions, versions[1:], strict=False):
        table = differ.make_table(
            f"{old['title']}\n\n{old['body']}".splitlines(),
            f"{new['title']}\n\n{new['body']}".splitlines(),
            f"version {old['version']} ({old['fetched_at']})",
            f"version {new['version']} ({new['fetched_at']})",
            context=True,
            numlines=1,
        )
        parts.append(Markup(table))  # difflib.HtmlDiff escapes the texts it lays out
    return _page(f"Versions of article {article_id}", Markup("").join(parts))


async def dashboard(request, datasette) -> Response:
    db = _database(datasette)
    monthly = await db.execute(
        "select substr(published_at, 1, 7) as month, lang, count(*) as n from articles "
        "where published_at is not null group by month, lang order by month"
    )
    months = sorted({r["month"] for r in monthly})
    langs = sorted({r["lang"] or "?" for r in monthly})
    per_lang = {lang: [0] * len(months) for lang in langs}
    for r in monthly:
        per_lang[r["lang"] or "?"][months.index(r["month"])] = r["n"]
    categories = await db.execute(
        "select coalesce(category, '(none)') || ' (' || lang || ')' as label, count(*) as n from articles "
        "group by label order by n desc limit 25"
    )
    runs = [
        dict(r)
        for r in await db.execute(
            "select id, started_at, pages, articles_new, errors, blocked from runs order by id desc limit 60"
        )
    ][::-1]
    run_series = {
        name: [r[name] or 0 for r in runs] for name in ("pages", "articles_new", "errors", "blocked")
    }
    body = (
        Markup(
            "<div class='banner'>Archive dashboard · <a href='/{}'>tables and queries</a></div><div "
            "style='padding:1em'>"
        ).format(database_name(datasette))
        + charts.stacked_bars("Articles per month, by language", months, per_lang)
        + Markup("<br>")
        + charts.horizontal_bars("Articles per category", [(r["label"], r["n"]) for r in categories])
        + Markup("<br>")
        + charts.stacked_bars(
            "Crawl runs: pages, new articles, errors, blocked", [f"#{r['id']}" for r in runs], run_series
        )
        + Markup("</div>")
    )
    return _page("Turan archive dashboard", body)


async def no_such_page(request, datasette) -> Response:
    return Response.text(f"Nothing at {request.path}: capture and article ids are whole numbers.", status=404)


@hookimpl
def register_routes():
    return [
        (r"^/-/turan/capture/(?P<id>\d+)$", archived_page),
        (r"^/-/turan/capture/(?P<id>\d+)/raw$", archived_raw),
        (r"^/-/turan/at/(?P<ts>\d{14})/(?P<url>https?://.+)$", archived_at),
        (r"^/-/turan/(?P<rest>.*)$", no_such_page),  # any other id or path: a 404 that says so
        (r"^/-/turan/article/(?P<id>\d+)/diff$", article_diff),
        (r"^/-/turan/dashboard$", dashboard),
    ]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != database_name(datasette) or value is None:
        return None
    if (table, column) in (
        ("captures", "id"),
        ("articles", "capture_id"),
        ("article_versions", "capture_id"),
    ):
        return Markup("{} <a href='/-/turan/capture/{}'>archived page</a>").format(value, value)
    if table == "articles" and column == "version" and isinstance(value, int) and value > 1:
        return Markup("{} <a href='/-/turan/article/{}/diff'>changes</a>").format(value, row["id"])
    return None
