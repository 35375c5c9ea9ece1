"""Where an archive keeps things: the folder (contract: ``warc/``, the index, ``logs/``, ``.lock``) and the
names that come from settings (the index file, the WARC file prefix), so no module spells them out."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from scrapy.settings import BaseSettings


@dataclass(frozen=True)
class ArchivePaths:
    root: Path
    db_name: str = "turan.db"
    warc_prefix: str = "turan"

    @classmethod
    def from_settings(cls, settings: BaseSettings, root: str | Path | None = None) -> ArchivePaths:
        """``root`` (default: the ARCHIVE_DIR setting), named by ARCHIVE_DB_NAME and ARCHIVE_WARC_PREFIX."""
        return cls(
            Path(root or settings.get("ARCHIVE_DIR")).resolve(),
            settings.get("ARCHIVE_DB_NAME"),
            settings.get("ARCHIVE_WARC_PREFIX"),
        )

    @classmethod
    def at(cls, root: str | Path | None = None) -> ArchivePaths:
        """The archive at ``root`` (default $TURAN_ARCHIVE or ./archive), with the project's settings."""
        from ..config import project_settings

        return cls.from_settings(project_settings(), root or os.environ.get("TURAN_ARCHIVE") or "archive")

    @property
    def db(self) -> Path:
        return self.root / self.db_name

    @property
    def database_name(self) -> str:
        """The index as Datasette names it (the file name without ``.db``)."""
        return Path(self.db_name).stem

    @property
    def warc_dir(self) -> Path:
        return self.root / "warc"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def lock_file(self) -> Path:
        return self.root / ".lock"
