"""Which hosts are not on the public internet: a capture never follows a redirect to one it was not given
(a redirect to 169.254.169.254 would read a cloud machine's credentials into the archive).

Checked twice: on a URL's host before any request (``ScopeMiddleware``; an IP literal is read the way the
resolver reads it, ``socket.inet_aton``: ``2130706433``, ``0x7f000001``, ``127.1`` and ``0177.0.0.1`` are
all 127.0.0.1, and the OS connects to each), and on the address a name resolves to (``PublicResolver``).
"""

from __future__ import annotations

import ipaddress
import logging
import socket

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` names when it is an IP literal in any form the resolver accepts; else None."""
    host = host.strip("[]").rstrip(".")
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):  # not a number in any base (a name), or not ASCII
        return None


def non_public_address(host: str) -> str | None:
    """What kind of non-public address ``host`` is (an IP literal or localhost); None for anything else."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "a loopback address"
    address = ip_literal(host)
    if address is None:
        return None
    for kind, test in (
        ("a loopback address", address.is_loopback),
        ("a link-local address (such as a cloud metadata service)", address.is_link_local),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved or address.is_multicast or address.is_unspecified),
        ("a non-public address", not address.is_global),
    ):
        if test:
            return kind
    return None


class PublicResolver(CachingThreadedResolver):
    """Scrapy's resolver (``TWISTED_DNS_RESOLVER``), refusing an answer that is not a public address for a
    host no spider was given: a public-looking name whose DNS says 10.0.0.1 or 127.0.0.1 is not reached
    (the URL's host passed the spider's fence; its address did not). The fetch fails as a DNS lookup."""

    @classmethod
    def from_crawler(cls, crawler, reactor) -> PublicResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.owner = (
            crawler  # Scrapy passes the CrawlerProcess: its crawlers' spiders name the hosts given
        )
        return resolver

    def getHostByName(self, name: str, timeout=()) -> Deferred:  # noqa: N802 (Twisted's name)
        return super().getHostByName(name, timeout).addCallback(self._public, name)

    def _public(self, address: str, name: str) -> str:
        kind = non_public_address(address)
        if kind and not self._given(name):
            log.warning("refused to connect to %s: it resolves to %s, %s", name, address, kind)
            raise DNSLookupError(f"{name} resolves to {address}, {kind}")
        return address

    def _given(self, name: str) -> bool:
        """True when a spider was given ``name``; or, in a look that archives nothing (``scrapy shell
        URL``, ``scrapy fetch URL``: ARCHIVE_ENABLED is off), when no spider keeps a fence: the user
        typed the URL. A spider without a fence in a run that archives reaches no internal host."""
        crawlers = getattr(self.owner, "crawlers", None) or [self.owner]
        spiders = [getattr(crawler, "spider", None) for crawler in crawlers]
        fenced = [spider for spider in spiders if hasattr(spider, "given_hosts")]
        if fenced:
            return any(name.lower() in spider.given_hosts for spider in fenced)
        settings = getattr(self.owner, "settings", None)
        return settings is not None and not settings.getbool("ARCHIVE_ENABLED")
