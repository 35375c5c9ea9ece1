"""Where the complete gzip members of a .warc.gz end: for checking a file and for repairing a cut one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zlib_ng import zlib_ng


@dataclass
class MemberScan:
    """``complete_end``: the offset just after the last complete, CRC-checked member.
    ``problem``: what stopped the scan before the end of the file (None when the whole file is sound)."""

    complete_end: int
    members: int
    problem: str | None


def scan_members(path: Path) -> MemberScan:
    """Decompress every gzip member and check its CRC, streaming (one member in memory at a time).

    warcio's reader prints a gzip CRC error ("incorrect data check") and carries on, so ``warcio check``
    passes a file with a flipped byte in it; this scan does not. (zlib-ng inflates 1.8x faster than zlib.)
    """
    member_start = position = members = 0
    inflater = zlib_ng.decompressobj(16 + zlib_ng.MAX_WBITS)
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                while chunk:
                    inflater.decompress(chunk)  # a member holds one record: at most DOWNLOAD_MAXSIZE
                    if not inflater.eof:
                        position += len(chunk)
                        break
                    rest = inflater.unused_data
                    position += len(chunk) - len(rest)
                    member_start, chunk, members = position, rest, members + 1
                    inflater = zlib_ng.decompressobj(16 + zlib_ng.MAX_WBITS)
    except zlib_ng.error as exc:
        return MemberScan(member_start, members, f"damaged gzip member at offset {member_start} ({exc})")
    if position != member_start:
        return MemberScan(member_start, members, f"incomplete gzip member at offset {member_start}")
    return MemberScan(member_start, members, None)
