"""Which hosts are not on the public internet: a capture never follows a redirect to one it was not given
(a redirect to 169.254.169.254 would read a cloud machine's credentials into the archive).

An IP literal is read the way the resolver reads it (``socket.inet_aton``): ``2130706433``,
``0x7f000001``, ``127.1`` and ``0177.0.0.1`` are all 127.0.0.1, and the OS connects to each.
"""

from __future__ import annotations

import ipaddress
import socket

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
