"""The commands' shared ground: exit codes (contract, DESIGN.md), the error a command raises to end with
one of them, and the archive lock as a context manager ("another run holds it" -> 75)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..archiving.lock import ArchiveLock, LockHeld
from ..archiving.paths import ArchivePaths

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75


class CommandError(Exception):
    """Ends a command with ``code`` after printing ``turan-crawler COMMAND: message`` on stderr."""

    def __init__(self, message: str, code: int = EXIT_FAILURE):
        super().__init__(message)
        self.code = code


@contextmanager
def holding_lock(paths: ArchivePaths) -> Iterator[ArchiveLock]:
    """The archive's lock for the block; CommandError 75 when another run holds it."""
    try:
        lock = ArchiveLock(paths.root).acquire()
    except LockHeld as held:
        raise CommandError(str(held), EXIT_LOCKED) from None
    except OSError as exc:
        raise CommandError(f"cannot use archive folder {paths.root}: {exc}") from None
    try:
        yield lock
    finally:
        lock.release()
