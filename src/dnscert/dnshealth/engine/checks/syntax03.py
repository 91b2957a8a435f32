"""SYNTAX03: no ``--`` in positions 3 and 4 of a label, except the IDNA ``xn--`` prefix."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.syntax_rules import (
    discouraged_double_dash,
    label_text,
    labels,
)
from dnscert.dnshealth.engine.checks.zone_soa import domain_text
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Syntax03(TestCase):
    """Report labels with a reserved double dash."""

    id = "SYNTAX03"
    module = "Syntax"
    description = "No double dash in positions 3 and 4"
    tags = {
        "DISCOURAGED_DOUBLE_DASH": Level.WARNING,
        "NO_DOUBLE_DASH": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        domain = domain_text(ctx.zone)
        messages = [
            self.msg("DISCOURAGED_DOUBLE_DASH", label=label_text(label), domain=domain)
            for label in labels(ctx.zone)
            if discouraged_double_dash(label)
        ]
        return messages or [self.msg("NO_DOUBLE_DASH", domain=domain)]
