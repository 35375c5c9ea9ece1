"""A deterministic local replica of turan.az for tests, the demo and benchmarks (never the real site)."""

from datetime import datetime

from .app import FAULTS, ReplicaApp
from .server import ReplicaServer
from .site import DEFAULT_NOW, LAYOUTS, SKINS, Site


def start_replica(
    articles: int = 300,
    seed: int = 1,
    faults: bool = True,
    port: int = 0,
    slow_seconds: float = 2.0,
    now: datetime = DEFAULT_NOW,
    layout: str = "classic",
    skins: bool = True,
    cdn: bool = True,
    cdn_port: int = 0,
) -> ReplicaServer:
    """Build a site and serve it on 127.0.0.1 in a background thread; call ``.stop()`` when done.

    ``now`` is the site's clock: its newest article is a day older than that. The default (14 Jan 2026,
    the seed page's date) keeps every byte deterministic; pass the real time to test refresh windows.
    ``layout`` is ``"classic"`` (news line, ``?page=N``) or ``"sitemaps"`` (no news line, shallow
    path-paginated categories, month sitemaps); ``skins=False`` serves every article in the classic skin.
    ``cdn`` runs the site's CDN on a second port (``cdn_port``, 0: any free one; ``.cdn_url``); pages name it
    by that real base. ``cdn=False``: one host serves everything (the CDN's paths included).
    """
    site = Site(articles=articles, seed=seed, faults=faults, now=now, layout=layout, skins=skins)
    app = ReplicaApp(site, slow_seconds=slow_seconds)
    return ReplicaServer(app, port=port, cdn=cdn, cdn_port=cdn_port).start()


__all__ = ["FAULTS", "LAYOUTS", "SKINS", "ReplicaApp", "ReplicaServer", "Site", "start_replica"]
