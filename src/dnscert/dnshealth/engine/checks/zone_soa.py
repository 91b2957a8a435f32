"""Shared by the ZONE test cases: the zone's name servers and its authoritative SOA and MX.

Zonemaster's ZONE02-ZONE08 read one authoritative answer: the name servers (delegation, then
the zone's own) are asked in turn until one answers with the AA flag and NOERROR.
"""

from __future__ import annotations

import dns.name
import dns.rcode
import dns.rdatatype
import dns.rdtypes.ANY.SOA

from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext
from dnscert.dnshealth.engine.query import unique


async def name_servers(ctx: ZoneContext) -> list[NsIp]:
    """Delegation and zone name servers with a queryable address, one entry per address."""
    delegated = await ctx.get_del_ns_names_and_ips() or []
    zone = await ctx.get_zone_ns_names_and_ips() or []
    seen: set[str] = set()
    servers = []
    for server in unique([*delegated, *zone]):
        if server.address and server.address not in seen and ctx.can_query(server.address):
            seen.add(server.address)
            servers.append(server)
    return servers


async def authoritative_answer(ctx: ZoneContext, rdtype: str) -> Answer | None:
    """The first authoritative NOERROR answer for ``rdtype`` at the apex, or None."""
    for server in await name_servers(ctx):
        assert server.address is not None
        response = await ctx.query(server.address, ctx.zone, rdtype)
        if isinstance(response, Answer) and response.aa and response.rcode == dns.rcode.NOERROR:
            return response
    return None


async def authoritative_soa(ctx: ZoneContext) -> dns.rdtypes.ANY.SOA.SOA | None:
    """The SOA of the zone from the first authoritative answer that holds one."""
    for server in await name_servers(ctx):
        assert server.address is not None
        response = await ctx.query(server.address, ctx.zone, "SOA")
        if not isinstance(response, Answer) or not response.aa:
            continue
        for rrset in response.message.answer:
            if rrset.rdtype == dns.rdatatype.SOA and rrset.name == ctx.zone:
                soa: dns.rdtypes.ANY.SOA.SOA = next(iter(rrset))
                return soa
    return None


def domain_text(name: dns.name.Name) -> str:
    """A zone name for messages: no final dot, the root as ``.``."""
    return name.to_text(omit_final_dot=True) or "."
