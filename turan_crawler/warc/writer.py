"""A WARC writer that names files by time and serial, marks the file being written with ``.open``,
opens each file with a ``warcinfo`` record and rolls over at a size limit."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from warcio.warcwriter import WARCWriter

from .records import WARC_VERSION

log = logging.getLogger(__name__)
OPEN_SUFFIX = ".open"


class RotatingWarcWriter:
    """Writes records one gzip member each; ``write`` returns (file name, offset, length) per record."""

    def __init__(self, directory: Path, prefix: str, max_size: int, info: dict[str, str]):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_size = max_size
        self.info = info
        self._serial = 0
        self._fh = None
        self._writer: WARCWriter | None = None
        self.name: str | None = None

    def _open(self) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        while True:
            name = f"{self.prefix}-{stamp}-{self._serial:05d}.warc.gz"
            self._serial += 1
            if not (self.directory / name).exists() and not (self.directory / (name + OPEN_SUFFIX)).exists():
                break
        self.name = name
        self._fh = open(self.directory / (name + OPEN_SUFFIX), "xb")  # noqa: SIM115 (closed in close())
        self._writer = WARCWriter(self._fh, gzip=True, warc_version=WARC_VERSION)
        info = {
            "software": self.info.get("software"),
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            **self.info,
        }
        self._writer.write_record(self._writer.create_warcinfo_record(name, info))
        log.info("writing %s", self.directory / (name + OPEN_SUFFIX))

    @property
    def builder(self) -> WARCWriter:
        """The record builder (records must be built with the writer's WARC version)."""
        if self._writer is None:
            self._open()
        return self._writer

    def write(self, records: list) -> list[tuple[str, int, int]]:
        """Write records back to back in the current file; roll over first if it is full."""
        if self._fh is not None and self._fh.tell() >= self.max_size:
            self.close()
        writer = self.builder
        start = self._fh.tell()
        placed = []
        try:
            for record in records:
                offset = self._fh.tell()
                writer.write_record(record)
                placed.append((self.name, offset, self._fh.tell() - offset))
        except BaseException:
            self._cut_back(start)
            raise
        return placed

    def _cut_back(self, offset: int) -> None:
        """Remove a partly written exchange (disk full...), so the file ends with a complete record."""
        with contextlib.suppress(OSError):
            self._fh.flush()
        self._fh.truncate(offset)
        self._fh.seek(offset)
        log.error("cut %s back to its last complete record at offset %d", self.name, offset)

    def flush(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Flush, fsync and rename ``X.warc.gz.open`` to ``X.warc.gz``."""
        if self._fh is None:
            return
        self.flush()
        self._fh.close()
        os.replace(self.directory / (self.name + OPEN_SUFFIX), self.directory / self.name)
        log.info("closed %s", self.directory / self.name)
        self._fh = self._writer = None
