"""BASIC02: the zone has at least one working name server (Zonemaster Basic-TP/basic02)."""

from __future__ import annotations

import dns.rcode

from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.query import FailureReason
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Basic02(TestCase):
    """Ask every delegated name server address for the SOA; one good answer suffices."""

    id = "BASIC02"
    module = "Basic"
    description = "The domain must have at least one working name server"
    tags = {
        "B02_AUTH_RESPONSE_SOA": Level.INFO,
        "B02_NO_DELEGATION": Level.CRITICAL,
        "B02_NO_WORKING_NS": Level.CRITICAL,
        "B02_NS_BROKEN": Level.ERROR,
        "B02_NS_NOT_AUTH": Level.ERROR,
        "B02_NS_NO_IP_ADDR": Level.ERROR,
        "B02_NS_NO_RESPONSE": Level.WARNING,
        "B02_UNEXPECTED_RCODE": Level.ERROR,
        "IPV4_DISABLED": Level.DEBUG,
        "IPV6_DISABLED": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        domain = ctx.zone.to_text(omit_final_dot=True) or "."
        servers = await ctx.get_del_ns_names_and_ips()
        if not servers:
            return [self.msg("B02_NO_DELEGATION", domain=domain)]
        working: list[NsIp] = []
        problems: list[Message] = []
        for server in servers:
            outcome = await self._probe(ctx, server)
            if outcome is None:
                working.append(server)
            else:
                problems.append(outcome)
        if working:
            return [self.msg("B02_AUTH_RESPONSE_SOA", ns_list=ns_list(working), domain=domain)]
        return [self.msg("B02_NO_WORKING_NS", domain=domain), *problems]

    async def _probe(self, ctx: ZoneContext, server: NsIp) -> Message | None:
        """None when ``server`` answers the SOA authoritatively; else the problem."""
        if server.address is None:
            return self.msg("B02_NS_NO_IP_ADDR", nsname=server.name.to_text(omit_final_dot=True))
        response = await ctx.query(server.address, ctx.zone, "SOA")
        if not isinstance(response, Answer):
            if response.reason is FailureReason.DISABLED:
                tag = "IPV6_DISABLED" if server.is_ipv6 else "IPV4_DISABLED"
                return self.msg(tag, ns=str(server), rrtype="SOA")
            return self.msg("B02_NS_NO_RESPONSE", ns=str(server))
        if response.rcode != dns.rcode.NOERROR:
            rcode = dns.rcode.to_text(dns.rcode.Rcode.make(response.rcode))
            return self.msg("B02_UNEXPECTED_RCODE", ns=str(server), rcode=rcode)
        if not response.aa:
            return self.msg("B02_NS_NOT_AUTH", ns=str(server))
        if ctx.zone not in response.owners("SOA"):
            return self.msg("B02_NS_BROKEN", ns=str(server))
        return None
