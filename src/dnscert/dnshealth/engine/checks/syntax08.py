"""SYNTAX08: the mail exchanges of the apex MX records are valid host names."""

from __future__ import annotations

import dns.name
import dns.rdatatype

from dnscert.dnshealth.engine.checks.syntax_hostnames import hostname_messages
from dnscert.dnshealth.engine.checks.zone_soa import authoritative_answer
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Syntax08(TestCase):
    """Check the host name rules on each MX exchange (the null MX ``.`` is skipped)."""

    id = "SYNTAX08"
    module = "Syntax"
    description = "MX names are valid host names"
    tags = {
        "MX_DISCOURAGED_DOUBLE_DASH": Level.WARNING,
        "MX_NON_ALLOWED_CHARS": Level.WARNING,
        "MX_NUMERIC_TLD": Level.WARNING,
        "MX_SYNTAX_OK": Level.INFO,
        "NO_RESPONSE_MX_QUERY": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        response = await authoritative_answer(ctx, "MX")
        if response is None:
            return [self.msg("NO_RESPONSE_MX_QUERY")]
        exchanges = [
            rdata.exchange
            for rrset in response.message.answer
            if rrset.rdtype == dns.rdatatype.MX and rrset.name == ctx.zone
            for rdata in rrset
            if rdata.exchange != dns.name.root
        ]
        messages: list[Message] = []
        for exchange in dict.fromkeys(exchanges):
            messages.extend(hostname_messages(self.msg, "MX", exchange, "mx"))
        return messages
