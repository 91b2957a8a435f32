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
    """Octets of the worst-case referral for ``zone`` (RFC 1035 compression)."""
    message = dns.message.Message()
    message.question.append(
        dns.rrset.RRset(longest_name_under(zone), dns.rdataclass.IN, dns.rdatatype.A)
    )
    names = list(dict.fromkeys(server.name for server in servers))
    ns = dns.rrset.RRset(zone, dns.rdataclass.IN, dns.rdatatype.NS)
    for name in names:
        ns.add(dns.rdata.from_text("IN", "NS", name.to_text()), 86400)
    message.authority.append(ns)
    for rdtype, is_v6 in (("A", False), ("AAAA", True)):
        family = [s for s in servers if s.address is not None and s.is_ipv6 == is_v6]
        if family and all(s.name.is_subdomain(parent) for s in family):
            glue = dns.rrset.from_text(family[0].name, 86400, "IN", rdtype, family[0].address)
            message.additional.append(glue)
    return len(message.to_wire())


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
