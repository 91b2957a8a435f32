"""IP expert: canonical address and prefix forms; optionally refuse non-public addresses.

Parsers already validate addresses; this expert makes events from any source (including
ones built by hand or replayed from storage) canonical: IPv6 compressed and lower case,
IPv4-mapped IPv6 addresses unwrapped to IPv4, prefixes with host bits cleared. With
``reject_non_global=True`` an event whose ``source.ip`` is private, loopback, link-local,
multicast, reserved or a documentation address becomes a failed record: such data in a feed
is a feed error, not something to send to a constituent.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from dnscert.intel.experts import reject
from dnscert.intel.schema import (
    CANONICAL_IPV4,
    Event,
    FailedRecord,
    InvalidValue,
    normalise_network,
)

_ADDRESS_FIELDS = ("source.ip", "destination.ip")
_NETWORK_FIELDS = ("source.network", "destination.network")


@lru_cache(maxsize=65536)
def canonical_ip(value: str) -> tuple[str, bool]:
    """``(canonical text, is globally routable)``; raises InvalidValue for a bad address."""
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        raise InvalidValue("ip", f"{value[:60]!r} is not an IP address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address), address.is_global


class IpExpert:
    """Normalises ``*.ip`` and ``*.network``; rejects bad (and, if asked, non-global) ones."""

    name = "ip"

    def __init__(self, reject_non_global: bool = False) -> None:
        self.reject_non_global = reject_non_global

    def __call__(self, event: Event) -> Event | FailedRecord:
        """The event with canonical addresses, or a failed record naming the bad one."""
        try:
            for field in _ADDRESS_FIELDS:
                if field in event:
                    if not self.reject_non_global and CANONICAL_IPV4.fullmatch(str(event[field])):
                        continue  # already canonical: nothing to do
                    event[field], is_global = canonical_ip(str(event[field]))
                    if self.reject_non_global and field == "source.ip" and not is_global:
                        return reject(event, self.name, f"{field} {event[field]} is not public")
            for field in _NETWORK_FIELDS:
                if field in event:
                    event[field] = normalise_network(str(event[field]), field)
        except InvalidValue as exc:
            return reject(event, self.name, str(exc))
        return event
