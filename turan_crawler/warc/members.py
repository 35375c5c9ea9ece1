"""The gzip members of a .warc.gz file (one record each), inflated one at a time, with damage found and
stepped over: for checking a file, for reading every intact record of a damaged one, and for repair.

warcio's reader prints a gzip CRC error ("incorrect data check") and carries on, so ``warcio check``
passes a file with a flipped byte in it, and stops at the first member it cannot inflate, dropping every
record after it. Here a damaged member is reported with its offset and the scan resynchronises on the
next member that inflates whole (its gzip header is findable: ``1f 8b 08``). Memory holds one member at
a time, and a member that would inflate beyond ``max_size`` is refused, not inflated. (zlib-ng inflates
1.8x faster than zlib.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from zlib_ng import zlib_ng

GZIP_MAGIC = b"\x1f\x8b\x08"
CHUNK = 1 << 17  # a read; most members (a compressed page) are smaller
# A record holds at most one body as received (DOWNLOAD_MAXSIZE, 64 MiB) and its headers.
MAX_MEMBER = 80 * 1024 * 1024


@dataclass
class Member:
    """One gzip member: where it lies and what it inflates to; ``data`` is None when it is damaged
    (``problem`` says how). A damaged member's ``length`` runs to the next intact member or the end."""

    offset: int
    length: int
    data: bytes | None
    problem: str | None = None


def _inflate(fh, offset: int, max_size: int) -> Member:
    """Inflate the member that starts at ``offset``."""
    fh.seek(offset)
    inflater = zlib_ng.decompressobj(16 + zlib_ng.MAX_WBITS)
    parts: list[bytes] = []
    size = consumed = 0
    while chunk := fh.read(CHUNK):
        pending = chunk
        while pending:
            try:
                data = inflater.decompress(pending, max_size + 1 - size)
            except zlib_ng.error as exc:
                return Member(
                    offset, consumed + len(chunk), None, f"damaged gzip member at offset {offset} ({exc})"
                )
            parts.append(data)
            size += len(data)
            if size > max_size:
                problem = f"gzip member at offset {offset} inflates beyond {max_size} bytes"
                return Member(offset, consumed + len(chunk), None, problem)
            if inflater.eof:
                length = consumed + len(chunk) - len(inflater.unused_data)
                return Member(offset, length, b"".join(parts))
            pending = inflater.unconsumed_tail
        consumed += len(chunk)
    return Member(
        offset, consumed, None, f"incomplete gzip member at offset {offset} (the file ends inside it)"
    )


def _next_intact(fh, after: int, max_size: int) -> Member | None:
    """The first member after offset ``after`` that inflates whole, or None."""
    position = after
    while True:
        fh.seek(position)
        window = fh.read(CHUNK + len(GZIP_MAGIC))
        if len(window) < len(GZIP_MAGIC):
            return None
        found = window.find(GZIP_MAGIC)
        if found < 0:
            position += CHUNK
            continue
        member = _inflate(fh, position + found, max_size)
        if member.problem is None:
            return member
        position += found + 1


def iter_members(path: Path, max_size: int = MAX_MEMBER) -> Iterator[Member]:
    """Every member of the file in order; each damaged stretch as one Member with its problem."""
    size = Path(path).stat().st_size
    with open(path, "rb") as fh:
        offset = 0
        while offset < size:
            member = _inflate(fh, offset, max_size)
            if member.problem is None:
                yield member
                offset += member.length
                continue
            following = _next_intact(fh, offset + 1, max_size)
            end = following.offset if following else size
            yield Member(offset, end - offset, None, member.problem)
            if following is None:
                return
            yield following
            offset = following.offset + following.length


@dataclass
class MemberScan:
    """``complete_end``: the offset just after the last member of the intact run from the start of the
    file. ``problem``: the first damage found (None when the whole file is sound)."""

    complete_end: int
    members: int
    problem: str | None


def scan_members(path: Path) -> MemberScan:
    """Where the file's intact run of members ends (what a cut-back repair keeps), and the first problem."""
    end = members = 0
    for member in iter_members(path):
        if member.problem:
            return MemberScan(end, members, member.problem)
        end, members = member.offset + member.length, members + 1
    return MemberScan(end, members, None)
