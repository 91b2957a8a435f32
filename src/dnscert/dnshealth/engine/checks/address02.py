"""ADDRESS02: every name server address has a reverse DNS entry (a PTR record)."""

from __future__ import annotations

import dns.rcode
import dns.rdatatype
import dns.reversename

from dnscert.dnshealth.engine.checks.address01 import all_name_servers
from dnscert.dnshealth.engine.context import NsIp, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Address02(TestCase):
    """Look up the PTR of each delegation and zone name server address."""

    id = "ADDRESS02"
    module = "Address"
    description = "Reverse DNS entry exists for name server IP address"
    tags = {
        "NAMESERVER_IP_WITHOUT_REVERSE": Level.WARNING,
        "NAMESERVERS_IP_WITH_REVERSE": Level.INFO,
        "NO_RESPONSE_PTR_QUERY": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        messages: list[Message] = []
        seen: set[str] = set()
        for server in await all_name_servers(ctx):
            assert server.address is not None
            if server.address in seen:
                continue
            seen.add(server.address)
            problem = await self._check(ctx, server)
            if problem is not None:
                messages.append(problem)
        if seen and not messages:
            messages.append(self.msg("NAMESERVERS_IP_WITH_REVERSE"))
        return messages

    async def _check(self, ctx: ZoneContext, server: NsIp) -> Message | None:
        assert server.address is not None
        reverse = dns.reversename.from_address(server.address)
        result = await ctx.lookup(reverse, "PTR")
        if result.rcode is None:
            return self.msg("NO_RESPONSE_PTR_QUERY", domain=reverse.to_text())
        has_ptr = any(rrset.rdtype == dns.rdatatype.PTR for rrset in result.rrsets)
        if result.rcode != dns.rcode.NOERROR or not has_ptr:
            return self.msg(
                "NAMESERVER_IP_WITHOUT_REVERSE",
                ns=server.name.to_text(omit_final_dot=True),
                ns_ip=server.address,
            )
        return None
