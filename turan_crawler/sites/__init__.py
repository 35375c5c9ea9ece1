"""Sites as plug-ins: which site's rules read a URL.

A site owns hosts (``Site.owns``); every other host is read with the ``generic`` rules. A run can also
give a host (``host:port``, or ``*`` for every host) to a site explicitly: a crawl of the replica on
127.0.0.1 reads it as Turan, and ``capture --site turan`` reads everything as Turan. Those choices are
written into each WARC file's ``warcinfo`` record (``site-rules: 127.0.0.1:8731=turan``), so ``reindex``
reads every record with the rules it was captured with.

Adding a site: write ``sites/<name>.py`` with a ``Site`` (or a subclass with its URL grammar), add it to
``SITES`` below, and add fixture pages for it (README, "Adding a site").
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .base import ArticleUrl, Furniture, Site
from .generic import GENERIC
from .turan import TURAN

SITES: dict[str, Site] = {site.name: site for site in (TURAN, GENERIC)}
EVERY_HOST = "*"


def site_named(name: str) -> Site:
    try:
        return SITES[name]
    except KeyError:
        raise ValueError(f"unknown site {name!r} (known: {', '.join(SITES)})") from None


class SiteRules:
    """Chooses the site whose rules read a URL: an explicit choice for its host, else the site that owns
    the host, else ``generic``."""

    def __init__(self, chosen: dict[str, str] | None = None):
        self.chosen = {key.lower(): name for key, name in (chosen or {}).items()}
        for name in self.chosen.values():
            site_named(name)

    @classmethod
    def for_start_urls(cls, urls: list[str], site: Site) -> SiteRules:
        """``site`` for the hosts of ``urls`` that no site owns (a mirror, the replica)."""
        splits = [urlsplit(url) for url in urls]
        return cls(
            {
                split.netloc.lower(): site.name
                for split in splits
                if split.hostname and site_for_host(split.hostname) is GENERIC
            }
        )

    def for_url(self, url: str) -> Site:
        split = urlsplit(url)
        for key in (split.netloc.lower(), (split.hostname or "").lower(), EVERY_HOST):
            if key in self.chosen:
                return SITES[self.chosen[key]]
        return site_for_host(split.hostname or "")

    def to_text(self) -> str:
        """``host=site`` pairs, as the warcinfo record's ``site-rules`` field carries them."""
        return " ".join(f"{key}={name}" for key, name in sorted(self.chosen.items()))

    @classmethod
    def from_text(cls, text: str | None) -> SiteRules:
        pairs = (item.split("=", 1) for item in (text or "").split() if "=" in item)
        return cls({key: name for key, name in pairs if name in SITES})


def site_for_host(host: str) -> Site:
    return next((site for site in SITES.values() if site.hosts and site.owns(host)), GENERIC)


def site_for_url(url: str) -> Site:
    """The site that owns ``url``'s host (no explicit choices)."""
    return site_for_host(urlsplit(url).hostname or "")


__all__ = [
    "GENERIC",
    "SITES",
    "TURAN",
    "ArticleUrl",
    "Furniture",
    "Site",
    "SiteRules",
    "site_for_host",
    "site_for_url",
    "site_named",
]
