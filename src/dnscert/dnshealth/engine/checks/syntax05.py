"""SYNTAX05: the SOA RNAME does not contain an ``@`` (its first dot stands for it)."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.zone_soa import authoritative_soa
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Syntax05(TestCase):
    """Look for a misused ``@`` in the SOA RNAME."""

    id = "SYNTAX05"
    module = "Syntax"
    description = "Misuse of '@' in the SOA RNAME field"
    tags = {
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
        "RNAME_MISUSED_AT_SIGN": Level.WARNING,
        "RNAME_NO_AT_SIGN": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        soa = await authoritative_soa(ctx)
        if soa is None:
            return [self.msg("NO_RESPONSE_SOA_QUERY")]
        rname = soa.rname.to_text()
        if any(b"@" in label for label in soa.rname.labels):
            return [self.msg("RNAME_MISUSED_AT_SIGN", rname=rname)]
        return [self.msg("RNAME_NO_AT_SIGN", rname=rname)]
