"""The SQLite index: schema, migrations and every write, through sqlite-utils."""

from .schema import open_index
from .store import ArchiveStore

__all__ = ["ArchiveStore", "open_index"]
