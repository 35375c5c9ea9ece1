"""Browsing the archive with Datasette: bundled metadata and the turan-crawler plugin.

The ``datasette`` entry point names this package, so Datasette serves its ``templates/`` and ``static/``
itself; the hooks live in ``plugin.py`` and are made attributes of the package here, where pluggy looks.
"""

from .plugin import (
    extra_css_urls,
    extra_template_vars,
    menu_links,
    prepare_connection,
    prepare_jinja2_environment,
    register_facet_classes,
    register_routes,
    render_cell,
)

__all__ = [
    "extra_css_urls",
    "extra_template_vars",
    "menu_links",
    "prepare_connection",
    "prepare_jinja2_environment",
    "register_facet_classes",
    "register_routes",
    "render_cell",
]
