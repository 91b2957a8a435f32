"""ZONE10: every name server answers with exactly one SOA record, owned by the zone."""

from __future__ import annotations

import dns.rdatatype

from dnscert.dnshealth.engine.checks.zone_soa import name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Zone10(TestCase):
    """Ask each name server for the SOA and count the SOA records of the answer."""

    id = "ZONE10"
    module = "Zone"
    description = "No multiple SOA records"
    tags = {
        "MULTIPLE_SOA": Level.ERROR,
        "NO_RESPONSE": Level.DEBUG,
        "NO_SOA_IN_RESPONSE": Level.DEBUG,
        "ONE_SOA": Level.INFO,
        "WRONG_SOA": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        messages = [
            problem
            for server in await name_servers(ctx)
            if (problem := await self._problem(ctx, server)) is not None
        ]
        return messages or [self.msg("ONE_SOA")]

    async def _problem(self, ctx: ZoneContext, server: NsIp) -> Message | None:
        assert server.address is not None
        response = await ctx.query(server.address, ctx.zone, "SOA")
        if not isinstance(response, Answer):
            return self.msg("NO_RESPONSE", ns=str(server))
        soas = [
            (rrset.name, rdata)
            for rrset in response.message.answer
            if rrset.rdtype == dns.rdatatype.SOA
            for rdata in rrset
        ]
        if not soas:
            return self.msg("NO_SOA_IN_RESPONSE", ns=str(server))
        if any(owner != ctx.zone for owner, _rdata in soas):
            owners = sorted({owner.to_text(omit_final_dot=True) for owner, _ in soas})
            return self.msg("WRONG_SOA", ns=str(server), owner=";".join(owners))
        if len(soas) > 1:
            return self.msg("MULTIPLE_SOA", ns=str(server), count=len(soas))
        return None
