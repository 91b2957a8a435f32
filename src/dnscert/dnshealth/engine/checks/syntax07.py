"""SYNTAX07: the SOA MNAME is a valid host name."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.syntax_hostnames import hostname_messages
from dnscert.dnshealth.engine.checks.zone_soa import authoritative_soa
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Syntax07(TestCase):
    """Check the host name rules on the SOA MNAME."""

    id = "SYNTAX07"
    module = "Syntax"
    description = "SOA MNAME is a valid host name"
    tags = {
        "MNAME_DISCOURAGED_DOUBLE_DASH": Level.WARNING,
        "MNAME_NON_ALLOWED_CHARS": Level.WARNING,
        "MNAME_NUMERIC_TLD": Level.WARNING,
        "MNAME_SYNTAX_OK": Level.INFO,
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        soa = await authoritative_soa(ctx)
        if soa is None:
            return [self.msg("NO_RESPONSE_SOA_QUERY")]
        return hostname_messages(self.msg, "MNAME", soa.mname, "mname")
