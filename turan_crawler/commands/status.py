"""``status [--json]``: what the archive holds and how it is doing; exit 0 when healthy, 1 when not (the
last run failed, the archive needs ``verify --repair``, the last verify failed, the index is unusable),
so that cron or a monitoring check can act on it."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime

from ..archiving.paths import ArchivePaths
from ..index.schema import IndexUnusable
from ..status import archive_status
from . import EXIT_FAILURE, EXIT_OK, CommandError


def status(args: argparse.Namespace) -> int:
    paths = ArchivePaths.at(args.archive)
    try:
        if not paths.db.exists() and not paths.warc_dir.is_dir():
            raise CommandError(f"no archive at {paths.root} (nothing has been crawled into it)")
        facts = archive_status(paths)
    except (CommandError, IndexUnusable) as exc:
        if args.json:  # a monitoring check reads stdout: give it the verdict too
            print(json.dumps({"archive": str(paths.root), "healthy": False, "problems": [str(exc)]}))
        raise
    try:
        print(json.dumps(facts, indent=2, ensure_ascii=False) if args.json else render(facts), flush=True)
    except BrokenPipeError:  # `status | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK if facts["healthy"] else EXIT_FAILURE


# -- the text view --------------------------------------------------------------------------------
def _n(value: int | None) -> str:
    return f"{value:,}" if value is not None else "-"


def _size(count: int) -> str:
    value = float(count)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("not reached")


def _took(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _when(iso: str | None, now: str | None = None) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM:SS`` (UTC), and how long before ``now``."""
    if not iso:
        return "-"
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return iso
    shown = when.strftime("%Y-%m-%d %H:%M:%S")
    if now is None:
        return shown
    return f"{shown} ({_took(max(0.0, (datetime.fromisoformat(now) - when).total_seconds()))} ago)"


def _plural(count: int, word: str) -> str:
    return f"{_n(count)} {word}{'' if count == 1 else 's'}"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {_n(n)}" for key, n in counts.items())


def _tally(label: str, total: int, counts: dict[str, int], tail: str) -> str:
    """``articles   101 (en 35, az 33, ru 33)`` and what follows."""
    return f"{label:<11}{_n(total)}" + (f" ({_counts(counts)})" if counts else "") + tail


def render(s: dict) -> str:
    arts, caps, warc = s["articles"], s["captures"], s["warc"]
    now = s["checked_at"]
    lines = [f"archive    {s['archive']}   (times in UTC; now {_when(now)})"]
    published = (
        f"; published {(arts['first_published'] or '?')[:10]} .. {(arts['last_published'] or '?')[:10]}"
        if arts["total"]
        else ""
    )
    lines.append(
        _tally("articles", arts["total"], arts["by_lang"], f"; {_n(arts['versions'])} versions{published}")
    )
    fetched = (
        f"; fetched {_when(caps['first_fetched'])} .. {_when(caps['last_fetched'], now)}"
        if caps["total"]
        else ""
    )
    lines.append(_tally("captures", caps["total"], caps["by_outcome"], fetched))
    open_files = f", {len(warc['open'])} open ({', '.join(warc['open'])})" if warc["open"] else ""
    if warc["damaged_originals"]:  # what verify --repair kept of files it rewrote
        open_files += f", {warc['damaged_originals']} damaged original(s) kept (*.damaged)"
    lines.append(
        f"storage    {_plural(warc['files'], 'WARC file')}{open_files}, {_size(warc['bytes'])}; "
        f"index {_size(s['index']['bytes'])}"
    )
    lines.append(f"running    {_running(s)}")
    lines.append(f"verify     {_verify(s['last_verify'], now)}")
    lines += ["", *_runs(s["runs"], s["running"]["id"] if s["running"] else None)]
    if s["last_run"]:
        lines += ["", *_last_run_problems(s["last_run"], now)]
    lines.append("")
    if s["healthy"]:
        lines.append("healthy")
    else:
        lines.append("NOT HEALTHY")
        lines += [f"- {problem}" for problem in s["problems"]]
    return "\n".join(lines)


def _running(s: dict) -> str:
    lock, run = s["lock"], s["running"]
    if run:
        return (
            f"yes: run {run['id']} ({run['command']}, pid {run.get('pid')}), started {_when(run['started_at'])}, "
            f"{_n(run['captures_so_far'])} captures so far"
        )
    if lock["held"]:
        return f"yes: {lock['holder'] or 'a process'} holds the lock (reindex, verify --repair, or a run starting)"
    return "no" + (f" (the last holder, {lock['holder']}, is gone)" if lock["holder"] else "")


def _verify(record: dict | None, now: str) -> str:
    if record is None:
        return "never run (turan-crawler verify checks WARCs and index)"
    if not record.get("ok") and record.get("during_run"):
        return (
            f"{_when(record.get('finished_at'), now)}: {record.get('problems')} problem(s) while a run was "
            "going on (its unfinished WARC file): no verdict; verify again when no run is going on"
        )
    if not record.get("ok"):
        shown = "; ".join(record.get("first_problems", [])[:2])
        return (
            f"{_when(record.get('finished_at'), now)}: FAILED, {record.get('problems')} problem(s): {shown}"
        )
    return (
        f"{_when(record.get('finished_at'), now)}: OK ({record.get('files')} WARC files, {_n(record.get('captures'))} "
        f"captures, {_n(record.get('articles'))} articles, {record.get('seconds')} s)"
    )


RUN_COLUMNS = "{:>5}  {:<19}  {:>6}  {:<8}  {:<13}  {:>7}  {:>6}  {:>7}  {:>6}  {:>7}"


def _runs(runs: list[dict], running_id: int | None) -> list[str]:
    if not runs:
        return ["runs       none yet"]
    lines = [
        f"last runs ({len(runs)} shown; all in the `runs` table)",
        RUN_COLUMNS.format(
            "id", "started (UTC)", "took", "command", "ended", "pages", "new", "updated", "errors", "blocked"
        ),
    ]
    for r in runs:
        ended = r["finish_reason"] or ("running" if r["id"] == running_id else "never ended")
        lines.append(
            RUN_COLUMNS.format(
                r["id"],
                _when(r["started_at"]),
                _took(r["seconds"]) if r["finished_at"] else "...",
                r["command"] or "-",
                ended,
                _n(r["pages"]),
                _n(r["articles_new"]),
                _n(r["articles_updated"]),
                _n(r["errors"]),
                _n(r["blocked"]),
            )
        )
    return lines


def _last_run_problems(run: dict, now: str) -> list[str]:
    lines = [
        f"last run   {run['id']} ({run['command']}) ended {_when(run['finished_at'], now)}: "
        f"{run['finish_reason']}{', FAILED' if run['failed'] else ''}"
    ]
    if not run["problems"]:
        return [*lines, "problems   none: no blocked or failed fetch"]
    lines.append(f"problems   {_problem_counts(run['problems'])}; the last ones:")
    for p in run["problem_examples"]:
        status = p["status"] or "-"
        lines.append(f"           {p['outcome']:<8} {status!s:>3}  {p['url']}  {p['error'] or ''}".rstrip())
    return lines


def _problem_counts(problems: list[dict]) -> str:
    """``14 errors (429 x3, 500 x3, ...), 1 blocked (403)``"""
    parts = []
    for outcome, word in (("error", "error"), ("blocked", "blocked")):
        mine = [p for p in problems if p["outcome"] == outcome]
        if mine:
            total = sum(p["count"] for p in mine)
            each = ", ".join(
                f"{p['status'] or 'no response'}" + (f" x{p['count']}" if p["count"] > 1 else "")
                for p in mine
            )
            parts.append(f"{_n(total)} {word if total == 1 or word == 'blocked' else word + 's'} ({each})")
    return ", ".join(parts)
