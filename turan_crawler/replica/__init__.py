"""A deterministic local replica of turan.az for tests, the demo and benchmarks (never the real site)."""

from .app import FAULTS, ReplicaApp
from .server import ReplicaServer
from .site import Site


def start_replica(
    articles: int = 300, seed: int = 1, faults: bool = True, port: int = 0, slow_seconds: float = 2.0
) -> ReplicaServer:
    """Build a site and serve it on 127.0.0.1 in a background thread; call ``.stop()`` when done."""
    app = ReplicaApp(Site(articles=articles, seed=seed, faults=faults), slow_seconds=slow_seconds)
    return ReplicaServer(app, port=port).start()


__all__ = ["FAULTS", "ReplicaApp", "ReplicaServer", "Site", "start_replica"]
