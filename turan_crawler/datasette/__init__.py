"""Browsing the archive with Datasette: bundled metadata and the turan-crawler plugin."""
