"""DELEGATION04: name servers answer authoritatively (Zonemaster Delegation-TP/delegation04)."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Delegation04(TestCase):
    """The SOA over UDP and over TCP must come back with the AA bit from every server."""

    id = "DELEGATION04"
    module = "Delegation"
    description = "Name server is authoritative"
    tags = {
        "ARE_AUTHORITATIVE": Level.INFO,
        "IS_NOT_AUTHORITATIVE": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        answering: list[NsIp] = []
        messages = []
        for server in await queryable_name_servers(ctx):
            for tcp in (False, True):
                response = await ctx.query(address_of(server), ctx.zone, "SOA", tcp=tcp)
                if not isinstance(response, Answer):
                    continue
                if not response.aa:
                    protocol = "TCP" if tcp else "UDP"
                    messages.append(
                        self.msg("IS_NOT_AUTHORITATIVE", ns=str(server), proto=protocol)
                    )
                elif server not in answering:
                    answering.append(server)
        if answering and not messages:
            messages.append(self.msg("ARE_AUTHORITATIVE", ns_list=ns_list(answering)))
        return messages
