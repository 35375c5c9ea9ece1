"""The project's Scrapy settings as every command sees them (``settings.py`` plus the command's own)."""

from __future__ import annotations

from scrapy.settings import Settings


def project_settings(overrides: dict | None = None) -> Settings:
    """``turan_crawler.settings`` with ``overrides`` on top (at command-line priority)."""
    settings = Settings()
    settings.setmodule("turan_crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings
