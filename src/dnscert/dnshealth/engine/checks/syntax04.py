"""SYNTAX04: every name server name (delegation and zone) is a valid host name."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.syntax_hostnames import hostname_messages
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.query import unique
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Syntax04(TestCase):
    """Check the host name rules on each name server name."""

    id = "SYNTAX04"
    module = "Syntax"
    description = "Name server names are valid host names"
    tags = {
        "NAMESERVER_DISCOURAGED_DOUBLE_DASH": Level.WARNING,
        "NAMESERVER_NON_ALLOWED_CHARS": Level.ERROR,
        "NAMESERVER_NUMERIC_TLD": Level.ERROR,
        "NAMESERVER_SYNTAX_OK": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        names = unique(
            [*(await ctx.get_del_ns_names() or []), *(await ctx.get_zone_ns_names() or [])]
        )
        messages: list[Message] = []
        for name in names:
            messages.extend(hostname_messages(self.msg, "NAMESERVER", name, "ns"))
        return messages
