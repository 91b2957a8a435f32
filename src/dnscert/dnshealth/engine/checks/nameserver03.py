"""NAMESERVER03: zone transfer (AXFR) availability (Zonemaster Nameserver-TP/nameserver03)."""

from __future__ import annotations

import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import Question, TestCase, register


@register
class Nameserver03(TestCase):
    """Ask every server for AXFR over TCP; an answer starting with the SOA means it is open."""

    id = "NAMESERVER03"
    module = "Nameserver"
    description = "Test availability of zone transfer (AXFR)"
    asks_every_server = (Question("AXFR", tcp=True),)
    tags = {
        "AXFR_AVAILABLE": Level.WARNING,
        "AXFR_FAILURE": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        domain = ctx.zone.to_text(omit_final_dot=True) or "."
        messages = []
        for server in await queryable_name_servers(ctx):
            response = await ctx.query(address_of(server), ctx.zone, "AXFR", tcp=True)
            if isinstance(response, Answer) and self._starts_with_soa(response, ctx):
                messages.append(self.msg("AXFR_AVAILABLE", ns=str(server), domain=domain))
            else:
                messages.append(self.msg("AXFR_FAILURE", ns=str(server), domain=domain))
        return messages

    @staticmethod
    def _starts_with_soa(response: Answer, ctx: ZoneContext) -> bool:
        answer = response.message.answer
        return (
            response.rcode == dns.rcode.NOERROR
            and bool(answer)
            and answer[0].rdtype == dns.rdatatype.SOA
            and answer[0].name == ctx.zone
        )
