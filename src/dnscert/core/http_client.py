"""The address of the client behind a request, seen through the reverse proxies we trust.

Deployed behind nginx or a load balancer, ``REMOTE_ADDR`` is the proxy's address. When it is
one of ``DNSCERT_TRUSTED_PROXIES`` (addresses or CIDR networks, IPv4 and IPv6; empty by
default: trust nobody), :func:`client_ip` walks ``X-Forwarded-For`` from the right, skipping
trusted proxies, and returns the first address that is not one. A client can put anything
at the left of that header, but cannot forge what our own proxies append at its right, so
only entries a trusted proxy vouches for are believed.

An entry that is not an address (``unknown``, empty, garbage) is never used and never raises; it
ends the walk, since nothing to its left was vouched for by a trusted proxy, and the answer
is then the nearest trusted hop. This module imports nothing from Django at load time, so
``settings.py`` can parse the setting with :func:`parse_trusted_proxies` and fail at startup.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

from dnscert.env import ConfigError

SETTING = "DNSCERT_TRUSTED_PROXIES"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: ``1.2.3.4:443`` or ``[2001:db8::1]:443``: an address with a port, as some proxies write it.
_WITH_PORT = re.compile(r"^\[(?P<v6>[^\]]+)\](?::\d{1,5})?$|^(?P<v4>[0-9.]+):\d{1,5}$")


def parse_trusted_proxies(entries: Iterable[str], name: str = SETTING) -> tuple[Network, ...]:
    """The networks of ``entries`` (addresses or CIDR networks); :class:`ConfigError` naming
    the first bad entry otherwise."""
    networks: list[Network] = []
    for entry in entries:
        text = entry.strip()
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ConfigError(
                name, f"{text!r} is not an IP address or CIDR network ({exc})"
            ) from exc
    return tuple(networks)


def client_ip(request: Any) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind trusted proxies the first untrusted
    ``X-Forwarded-For`` entry from the right. None when there is no usable address."""
    if request is None:
        return None
    remote = parse_address(str(request.META.get("REMOTE_ADDR") or ""))
    if remote is None:
        return None
    trusted = trusted_networks()
    if not _is_trusted(remote, trusted):
        return str(remote)
    header = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    return str(_walk(remote, header.split(","), trusted))


def trusted_networks() -> tuple[Network, ...]:
    """``DNSCERT_TRUSTED_PROXIES`` as networks (already parsed by settings, or parsed here)."""
    from django.conf import settings

    configured = getattr(settings, SETTING, ())
    if isinstance(configured, str):
        configured = configured.split(",")
    return tuple(
        entry
        if isinstance(entry, ipaddress.IPv4Network | ipaddress.IPv6Network)
        # Settings overridden with strings (tests, a settings module of one's own).
        else parse_trusted_proxies([str(entry)])[0]
        for entry in configured
        if not isinstance(entry, str) or entry.strip()
    )


def parse_address(text: str) -> Address | None:
    """``text`` as an address (IPv4-mapped IPv6 as IPv4, port and zone dropped), else None."""
    candidate = text.strip().strip('"')
    match = _WITH_PORT.match(candidate)
    if match:
        candidate = match.group("v6") or match.group("v4")
    try:
        address = ipaddress.ip_address(candidate.split("%", 1)[0])
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _walk(remote: Address, entries: list[str], trusted: tuple[Network, ...]) -> Address:
    nearest = remote
    for entry in reversed(entries):
        address = parse_address(entry)
        if address is None:
            return nearest
        if not _is_trusted(address, trusted):
            return address
        nearest = address
    return nearest


def _is_trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)
