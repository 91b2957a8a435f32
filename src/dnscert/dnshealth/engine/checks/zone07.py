"""ZONE07: the SOA master name (MNAME) is not an alias and has an address."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.zone_soa import authoritative_soa
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Zone07(TestCase):
    """Look up the MNAME's A and AAAA records from the root and watch for CNAMEs."""

    id = "ZONE07"
    module = "Zone"
    description = "SOA master is not an alias"
    tags = {
        "MNAME_HAS_NO_ADDRESS": Level.WARNING,
        "MNAME_IS_CNAME": Level.NOTICE,
        "MNAME_IS_NOT_CNAME": Level.INFO,
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        soa = await authoritative_soa(ctx)
        if soa is None:
            return [self.msg("NO_RESPONSE_SOA_QUERY")]
        mname = soa.mname.to_text(omit_final_dot=True)
        lookups = [await ctx.lookup(soa.mname, rdtype) for rdtype in ("A", "AAAA")]
        messages = []
        if any(result.cname_chain for result in lookups):
            messages.append(self.msg("MNAME_IS_CNAME", mname=mname))
        else:
            messages.append(self.msg("MNAME_IS_NOT_CNAME", mname=mname))
        if not any(result.records() for result in lookups):
            messages.append(self.msg("MNAME_HAS_NO_ADDRESS", mname=mname))
        return messages
