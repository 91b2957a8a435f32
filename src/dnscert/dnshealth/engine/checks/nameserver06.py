"""NAMESERVER06: every name server name resolves to an address (Zonemaster nameserver06)."""

from __future__ import annotations

from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Nameserver06(TestCase):
    """Names from the delegation and the zone must have an A or AAAA address."""

    id = "NAMESERVER06"
    module = "Nameserver"
    description = "NS can be resolved"
    tags = {
        "CAN_BE_RESOLVED": Level.INFO,
        "CAN_NOT_BE_RESOLVED": Level.ERROR,
        "NO_RESOLUTION": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await ctx.get_all_ns()
        names = list(dict.fromkeys(server.name for server in servers))
        resolved = {server.name for server in servers if server.address is not None}
        unresolved = [name for name in names if name not in resolved]
        messages = [
            self.msg("CAN_NOT_BE_RESOLVED", nsname=name.to_text(omit_final_dot=True))
            for name in unresolved
        ]
        if names and len(unresolved) == len(names):
            messages.append(self.msg("NO_RESOLUTION"))
        elif names and not unresolved:
            messages.append(self.msg("CAN_BE_RESOLVED"))
        return messages
