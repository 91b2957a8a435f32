"""NAMESERVER05: behaviour against AAAA queries (Zonemaster Nameserver-TP/nameserver05)."""

from __future__ import annotations

import dns.rcode

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.query import FailureReason
from dnscert.dnshealth.engine.registry import TestCase, register

AAAA_PROBLEMS = {"AAAA_QUERY_DROPPED", "AAAA_UNEXPECTED_RCODE", "AAAA_BAD_RDATA"}


def _rcode(value: int) -> str:
    return dns.rcode.to_text(dns.rcode.Rcode.make(value))


@register
class Nameserver05(TestCase):
    """Ask A then AAAA at the apex; old servers drop, refuse or garble AAAA (RFC 4074)."""

    id = "NAMESERVER05"
    module = "Nameserver"
    description = "Behaviour against AAAA query"
    tags = {
        "AAAA_BAD_RDATA": Level.ERROR,
        "AAAA_QUERY_DROPPED": Level.ERROR,
        "AAAA_UNEXPECTED_RCODE": Level.ERROR,
        "AAAA_WELL_PROCESSED": Level.INFO,
        "A_UNEXPECTED_RCODE": Level.WARNING,
        "NO_RESPONSE": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        messages: list[Message] = []
        well: list[NsIp] = []
        for server in await queryable_name_servers(ctx):
            problem = await self._probe(ctx, server)
            if problem is None:
                well.append(server)
            else:
                messages.append(problem)
        if well and not any(message.tag in AAAA_PROBLEMS for message in messages):
            servers = ";".join(sorted(str(server) for server in well))
            messages.append(self.msg("AAAA_WELL_PROCESSED", ns_list=servers))
        return messages

    async def _probe(self, ctx: ZoneContext, server: NsIp) -> Message | None:
        address = address_of(server)
        a_response = await ctx.query(address, ctx.zone, "A")
        if not isinstance(a_response, Answer):
            return self.msg("NO_RESPONSE", ns=str(server))
        if a_response.rcode != dns.rcode.NOERROR:
            return self.msg("A_UNEXPECTED_RCODE", ns=str(server), rcode=_rcode(a_response.rcode))
        response = await ctx.query(address, ctx.zone, "AAAA")
        if not isinstance(response, Answer):
            if response.reason is FailureReason.MALFORMED:
                return self.msg("AAAA_BAD_RDATA", ns=str(server), detail=response.detail)
            return self.msg("AAAA_QUERY_DROPPED", ns=str(server))
        if response.rcode != dns.rcode.NOERROR:
            rcode = _rcode(response.rcode)
            return self.msg("AAAA_UNEXPECTED_RCODE", ns=str(server), rcode=rcode)
        return None
