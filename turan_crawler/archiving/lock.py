"""One run per archive folder: an OS file lock (released by the kernel when its process dies)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..clock import utc_now
from .paths import ArchivePaths


class LockHeld(RuntimeError):
    """Another live process holds the archive."""


class ArchiveLock:
    """``flock`` on ``ARCHIVE/.lock``; the file says who holds it (pid and start time) for the message."""

    def __init__(self, archive_dir: Path):
        self.path = ArchivePaths(Path(archive_dir)).lock_file
        self._fd: int | None = None

    def acquire(self) -> ArchiveLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockHeld(
                f"another crawl ({self.holder() or 'unknown process'}) holds {self.path}"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {utc_now()}".encode(), 0)
        self._fd = fd
        return self

    def holder(self) -> str | None:
        """What the lock file says of the process holding it (``pid N, started T``); a holder that died
        without releasing it leaves its words; None when the file is missing or empty."""
        try:
            with open(self.path, "rb") as fh:
                return fh.read(200).decode("utf-8", "replace").strip() or None
        except FileNotFoundError:
            return None

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
