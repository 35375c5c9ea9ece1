"""Any other site: no URL grammar, no furniture words; pages are read from their metadata (JSON-LD,
OpenGraph) and the generic main-text extractor, and what a page is (an error page, a listing) from its
structure, as on any site. ``capture`` uses it for every host no site owns."""

from __future__ import annotations

from .base import Site

GENERIC = Site(name="generic")
