"""SYNTAX01: the domain name uses only letters, digits and hyphens."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.syntax_rules import non_ldh_labels
from dnscert.dnshealth.engine.checks.zone_soa import domain_text
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Syntax01(TestCase):
    """Look for characters RFC 1035 section 2.3.1 does not allow in the zone name."""

    id = "SYNTAX01"
    module = "Syntax"
    description = "No illegal characters in the domain name"
    tags = {
        "NON_ALLOWED_CHARS": Level.ERROR,
        "ONLY_ALLOWED_CHARS": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        domain = domain_text(ctx.zone)
        if non_ldh_labels(ctx.zone):
            return [self.msg("NON_ALLOWED_CHARS", domain=domain)]
        return [self.msg("ONLY_ALLOWED_CHARS", domain=domain)]
