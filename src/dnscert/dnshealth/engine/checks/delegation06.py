"""DELEGATION06: the zone has an SOA record (Zonemaster Delegation-TP/delegation06)."""

from __future__ import annotations

import dns.rcode

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Delegation06(TestCase):
    """A NOERROR answer to the apex SOA query must carry the SOA, at every name server."""

    id = "DELEGATION06"
    module = "Delegation"
    description = "Existence of SOA"
    tags = {
        "SOA_EXISTS": Level.INFO,
        "SOA_NOT_EXISTS": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        messages = []
        for server in await queryable_name_servers(ctx):
            response = await ctx.query(address_of(server), ctx.zone, "SOA")
            if not isinstance(response, Answer) or response.rcode != dns.rcode.NOERROR:
                continue
            tag = "SOA_EXISTS" if ctx.zone in response.owners("SOA") else "SOA_NOT_EXISTS"
            messages.append(self.msg(tag, ns=str(server)))
        return messages
