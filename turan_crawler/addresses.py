"""Which hosts are not on the public internet: a capture never follows a redirect to one it was not given
(a redirect to 169.254.169.254 would read a cloud machine's credentials into the archive)."""

from __future__ import annotations

import ipaddress


def non_public_address(host: str) -> str | None:
    """What kind of non-public address ``host`` is (an IP literal or localhost); None for anything else."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "a loopback address"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    for kind, test in (
        ("a loopback address", address.is_loopback),
        ("a link-local address (such as a cloud metadata service)", address.is_link_local),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved or address.is_multicast or address.is_unspecified),
    ):
        if test:
            return kind
    return None
