"""NAMESERVER02: EDNS0 support (Zonemaster Nameserver-TP/nameserver02)."""

from __future__ import annotations

import dns.rcode

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, QueryResult, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import Question, TestCase, register


@register
class Nameserver02(TestCase):
    """SOA with EDNS0 (512 octets): a compliant answer, a clean FORMERR, or a problem."""

    id = "NAMESERVER02"
    module = "Nameserver"
    description = "Test of EDNS0 support"
    asks_every_server = (Question("SOA", dnssec=True),)
    tags = {
        "BREAKS_ON_EDNS": Level.ERROR,
        "EDNS_RESPONSE_WITHOUT_EDNS": Level.ERROR,
        "EDNS_VERSION_ERROR": Level.ERROR,
        "EDNS0_SUPPORT": Level.INFO,
        "NO_EDNS_SUPPORT": Level.WARNING,
        "NO_RESPONSE": Level.DEBUG,
        "NS_ERROR": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        messages: list[Message] = []
        compliant: list[NsIp] = []
        for server in await queryable_name_servers(ctx):
            problem = await self._probe(ctx, server)
            if problem is None:
                compliant.append(server)
            else:
                messages.append(problem)
        if compliant and not messages:
            servers = ";".join(sorted(str(server) for server in compliant))
            messages.append(self.msg("EDNS0_SUPPORT", ns_list=servers))
        return messages

    async def _probe(self, ctx: ZoneContext, server: NsIp) -> Message | None:
        address = address_of(server)
        # The DNSSEC test cases ask the SOA with DO set (an EDNS0 query with one more flag);
        # a compliant EDNS0 answer to it is the answer this test wants. Anything else and the
        # plain EDNS0 question is asked as Zonemaster does, its answer judged below.
        if _compliant(await ctx.query(address, ctx.zone, "SOA", dnssec=True), ctx):
            return None
        response = await ctx.query(address, ctx.zone, "SOA", edns=0, bufsize=512)
        if not isinstance(response, Answer):
            plain = await ctx.query(address, ctx.zone, "SOA")
            tag = "BREAKS_ON_EDNS" if isinstance(plain, Answer) else "NO_RESPONSE"
            return self.msg(tag, ns=str(server))
        if response.rcode == dns.rcode.FORMERR and not response.has_edns:
            return self.msg("NO_EDNS_SUPPORT", ns=str(server))
        if response.rcode == dns.rcode.NOERROR:
            if not response.has_edns:
                return self.msg("EDNS_RESPONSE_WITHOUT_EDNS", ns=str(server))
            if response.message.edns != 0:
                return self.msg("EDNS_VERSION_ERROR", ns=str(server))
            if ctx.zone in response.owners("SOA"):
                return None
        return self.msg("NS_ERROR", ns=str(server))


def _compliant(response: QueryResult, ctx: ZoneContext) -> bool:
    """A NOERROR answer with an OPT record of version 0 and the zone's SOA."""
    return (
        isinstance(response, Answer)
        and response.rcode == dns.rcode.NOERROR
        and response.has_edns
        and response.message.edns == 0
        and ctx.zone in response.owners("SOA")
    )
