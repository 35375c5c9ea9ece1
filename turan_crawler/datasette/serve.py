"""How ``serve`` runs Datasette over an archive's index: the bundled metadata (renamed for the index's
database name), read-only but not immutable (it shows what a running crawl adds), tuned settings."""

from __future__ import annotations

import sys
import tempfile
from importlib import resources

import yaml
from datasette.utils import tilde_encode

from ..archiving.paths import ArchivePaths

BUNDLED_DATABASE = "turan"  # the database name metadata.yml is written for
SETTINGS = {  # typed, as Datasette(settings=...) takes them; the command line gets them as text
    "suggest_facets": False,
    "sql_time_limit_ms": 2000,
    "facet_time_limit_ms": 500,
    "default_page_size": 50,
    "num_sql_threads": 4,
    "allow_download": False,
    "truncate_cells_html": 80,  # URLs and errors in table views (row pages show them whole)
}


def bundled_metadata(database: str = BUNDLED_DATABASE) -> dict:
    """metadata.yml, its database section, its links (``/turan/...``) and the plugin's configuration
    under ``database``."""
    text = resources.files(__package__).joinpath("metadata.yml").read_text(encoding="utf-8")
    if database != BUNDLED_DATABASE:
        text = text.replace(f'href="/{BUNDLED_DATABASE}/', f'href="/{tilde_encode(database)}/')
    metadata = yaml.safe_load(text)
    databases = metadata.get("databases", {})
    if database != BUNDLED_DATABASE and BUNDLED_DATABASE in databases:
        databases[database] = databases.pop(BUNDLED_DATABASE)
    metadata.setdefault("plugins", {}).setdefault("turan-crawler", {})["database"] = database
    return metadata


def metadata_file(database: str) -> str:
    """The bundled metadata.yml, or (for an index named otherwise) a copy renamed for ``database``."""
    bundled = resources.files(__package__).joinpath("metadata.yml")
    if database == BUNDLED_DATABASE:
        return str(bundled)
    with tempfile.NamedTemporaryFile("w", prefix="turan-crawler-", suffix=".yml", delete=False) as fh:
        yaml.safe_dump(bundled_metadata(database), fh, allow_unicode=True)
    return fh.name


def datasette_command(paths: ArchivePaths, host: str, port: int) -> list[str]:
    """The command line that serves ``paths``' index."""
    metadata = metadata_file(paths.database_name)
    cmd = [sys.executable, "-m", "datasette", "serve", str(paths.db), "--metadata", metadata]
    cmd += ["--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        text = ("on" if value else "off") if isinstance(value, bool) else str(value)
        cmd += ["--setting", name, text]
    return cmd
