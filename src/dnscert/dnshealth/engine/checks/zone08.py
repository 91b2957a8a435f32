"""ZONE08: the MX record set of the apex is not an alias (CNAME)."""

from __future__ import annotations

import dns.rdatatype

from dnscert.dnshealth.engine.checks.zone_soa import authoritative_answer
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Zone08(TestCase):
    """Ask for MX at the apex; a CNAME in the authoritative answer fails."""

    id = "ZONE08"
    module = "Zone"
    description = "MX is not an alias"
    tags = {
        "MX_RECORD_IS_CNAME": Level.ERROR,
        "MX_RECORD_IS_NOT_CNAME": Level.INFO,
        "NO_RESPONSE_MX_QUERY": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        response = await authoritative_answer(ctx, "MX")
        if response is None:
            return [self.msg("NO_RESPONSE_MX_QUERY")]
        if any(rrset.rdtype == dns.rdatatype.CNAME for rrset in response.message.answer):
            return [self.msg("MX_RECORD_IS_CNAME")]
        return [self.msg("MX_RECORD_IS_NOT_CNAME")]
