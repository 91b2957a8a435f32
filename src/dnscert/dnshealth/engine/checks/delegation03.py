"""DELEGATION03: referrals fit in a 512-octet UDP message (Zonemaster delegation03)."""

from __future__ import annotations

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from dnscert.dnshealth.engine.context import NsIp, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

LIMIT = 512
MAX_NAME_OCTETS = 255


def longest_name_under(zone: dns.name.Name) -> dns.name.Name:
    """A name below ``zone`` whose wire form is exactly 255 octets (or as near as possible)."""
    labels: list[bytes] = []
    remaining = MAX_NAME_OCTETS - len(zone.to_wire() or b"")
    while remaining >= 2:
        size = min(63, remaining - 1)
        if remaining - (size + 1) == 1:
            size -= 1  # leave room for a last label: one octet alone cannot make one
        labels.append(b"a" * size)
        remaining -= size + 1
    return dns.name.Name([*labels, *zone.labels])


def referral_size(zone: dns.name.Name, servers: list[NsIp], parent: dns.name.Name) -> int:
    """Octets of the worst-case referral for ``zone`` (RFC 1035 compression).

    The referral answers a question for the longest name under the zone: NS records of the
    zone, then one A and one AAAA glue record when every server of that family is under the
    parent. The size is counted as dnspython would render that message (``WireSize``)
    without building it: rendering made this the dearest check of a zone.
    """
    size = WireSize()
    size.name(longest_name_under(zone))
    size.add(4)  # type, class
    for name in dict.fromkeys(server.name for server in servers):
        size.name(zone)
        size.add(10)  # type, class, TTL, rdlength
        size.name(name)
    for is_v6, length in ((False, 4), (True, 16)):
        family = [s for s in servers if s.address is not None and s.is_ipv6 == is_v6]
        if family and all(s.name.is_subdomain(parent) for s in family):
            size.name(family[0].name)
            size.add(10 + length)
    return size.octets


class WireSize:
    """The length of a message being written, names compressed as dnspython compresses them.

    Each suffix of a written name (the root alone excepted) is remembered at its offset
    while the offset fits a pointer (0x3FFF); a later name ends with a pointer to the
    longest remembered suffix. Names compare case-insensitively, as ``dns.name.Name`` keys.
    """

    def __init__(self) -> None:
        self.octets = 12  # the header
        self._offsets: set[tuple[bytes, ...]] = set()

    def add(self, octets: int) -> None:
        """Count ``octets`` written as they are."""
        self.octets += octets

    def name(self, name: dns.name.Name) -> None:
        """Count ``name`` (absolute) as written with compression."""
        labels = tuple(label.lower() for label in name.labels)
        for start, label in enumerate(labels):
            suffix = labels[start:]
            if suffix in self._offsets:
                self.octets += 2
                return
            if len(suffix) > 1 and self.octets <= 0x3FFF:
                self._offsets.add(suffix)
            self.octets += 1 + len(label)


@register
class Delegation03(TestCase):
    """Build the largest referral the parent could send and measure it."""

    id = "DELEGATION03"
    module = "Delegation"
    description = "No truncation of referrals"
    tags = {
        "REFERRAL_SIZE_OK": Level.INFO,
        "REFERRAL_SIZE_TOO_LARGE": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await ctx.get_del_ns_names_and_ips() or []
        if not servers:
            return []
        walk = await ctx.get_parent_walk()
        parents = list(walk.parent_zones())
        if parents:
            parent = parents[0]
        elif ctx.zone == dns.name.root:
            parent = ctx.zone  # the root has no parent: its priming answer is the referral
        else:
            parent = ctx.zone.parent()
        size = referral_size(ctx.zone, servers, parent)
        if size > LIMIT:
            return [self.msg("REFERRAL_SIZE_TOO_LARGE", size=size, limit=LIMIT)]
        return [self.msg("REFERRAL_SIZE_OK", size=size, limit=LIMIT)]
