"""The SQLite index: schema, migrations and every write, through sqlite-utils."""

from .schema import IndexUnusable, check_index, open_index
from .store import ArchiveStore

__all__ = ["ArchiveStore", "IndexUnusable", "check_index", "open_index"]
