"""ADDRESS02: every name server address has a reverse DNS entry (a PTR record)."""

from __future__ import annotations

import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.address01 import all_name_servers
from dnscert.dnshealth.engine.checks.address_registry import check_each_address, lookup_ptr
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
        servers = await all_name_servers(ctx)
        assert all(server.address is not None for server in servers)
        messages, checked = await check_each_address(ctx, servers, self._check)
        if checked and not messages:
            messages.append(self.msg("NAMESERVERS_IP_WITH_REVERSE"))
        return messages

    async def _check(self, ctx: ZoneContext, server: NsIp) -> Message | None:
        assert server.address is not None
        result = await lookup_ptr(self, ctx, server.address)
        if isinstance(result, Message):
            return result
        has_ptr = any(rrset.rdtype == dns.rdatatype.PTR for rrset in result.rrsets)
        if result.rcode != dns.rcode.NOERROR or not has_ptr:
            return self.msg(
                "NAMESERVER_IP_WITHOUT_REVERSE",
                ns=server.name.to_text(omit_final_dot=True),
                ns_ip=server.address,
            )
        return None
