"""One run per archive folder: an OS file lock (released by the kernel when its process dies)."""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path


class LockHeld(RuntimeError):
    """Another live process holds the archive."""


class ArchiveLock:
    """``flock`` on ``ARCHIVE/.lock``; the file says who holds it (pid and start time) for the message."""

    def __init__(self, archive_dir: Path):
        self.path = Path(archive_dir) / ".lock"
        self._fd: int | None = None

    def acquire(self) -> ArchiveLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown process"
            os.close(fd)
            raise LockHeld(f"another crawl ({holder}) holds {self.path}") from None
        os.ftruncate(fd, 0)
        os.pwrite(
            fd, f"pid {os.getpid()}, started {datetime.now(UTC).isoformat(timespec='seconds')}".encode(), 0
        )
        self._fd = fd
        return self

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
