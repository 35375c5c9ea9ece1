"""Any other site: no URL grammar, no furniture words; pages are read from their metadata (JSON-LD,
OpenGraph) and the generic main-text extractor. ``capture`` uses it for every host no site owns."""

from __future__ import annotations

from .base import Site

GENERIC = Site(name="generic")
