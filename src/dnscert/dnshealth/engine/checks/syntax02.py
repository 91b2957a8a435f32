"""SYNTAX02: no label of the domain name starts or ends with a hyphen."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.syntax_rules import label_text, labels
from dnscert.dnshealth.engine.checks.zone_soa import domain_text
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Syntax02(TestCase):
    """Report every label with a leading or trailing hyphen."""

    id = "SYNTAX02"
    module = "Syntax"
    description = "No hyphen at the start or end of labels"
    tags = {
        "INITIAL_HYPHEN": Level.ERROR,
        "NO_ENDING_HYPHENS": Level.INFO,
        "TERMINAL_HYPHEN": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        domain = domain_text(ctx.zone)
        messages = []
        for label in labels(ctx.zone):
            if label.startswith(b"-"):
                messages.append(self.msg("INITIAL_HYPHEN", label=label_text(label), domain=domain))
            if label.endswith(b"-"):
                messages.append(self.msg("TERMINAL_HYPHEN", label=label_text(label), domain=domain))
        return messages or [self.msg("NO_ENDING_HYPHENS", domain=domain)]
