"""ADDRESS03: the reverse DNS entry of each name server address matches its name."""

from __future__ import annotations

import dns.name
import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.address_registry import check_each_address, lookup_ptr
from dnscert.dnshealth.engine.context import NsIp, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register
from dnscert.dnshealth.engine.resolve import LookupResult

#: Zonemaster follows one CNAME (classless in-addr.arpa delegation), no more.
MAX_PTR_ALIASES = 1


@register
class Address03(TestCase):
    """Look up the PTR of every zone name server address and compare it with the name."""

    id = "ADDRESS03"
    module = "Address"
    description = "Reverse DNS entry matches name server name"
    tags = {
        "NAMESERVER_IP_PTR_MATCH": Level.INFO,
        "NAMESERVER_IP_PTR_MISMATCH": Level.NOTICE,
        "NAMESERVER_IP_WITHOUT_REVERSE": Level.WARNING,
        "NO_RESPONSE_PTR_QUERY": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await ctx.get_zone_ns_names_and_ips() or []
        messages, checked = await check_each_address(ctx, servers, self._check)
        if not messages and checked:
            messages.append(self.msg("NAMESERVER_IP_PTR_MATCH"))
        return messages

    async def _check(self, ctx: ZoneContext, server: NsIp) -> Message | None:
        assert server.address is not None
        result = await lookup_ptr(self, ctx, server.address)
        if isinstance(result, Message):
            return result
        names = ptr_names(result)
        if not names:
            return self.msg(
                "NAMESERVER_IP_WITHOUT_REVERSE", ns=str(server.name), ns_ip=server.address
            )
        if server.name.canonicalize() not in names:
            return self.msg(
                "NAMESERVER_IP_PTR_MISMATCH",
                ns=server.name.to_text(omit_final_dot=True),
                ns_ip=server.address,
                names="/".join(sorted(n.to_text(omit_final_dot=True) for n in names)),
            )
        return None


def ptr_names(result: LookupResult) -> set[dns.name.Name]:
    """PTR target names of a lookup, lower-cased; empty when more CNAMEs than allowed."""
    if result.rcode != dns.rcode.NOERROR or len(result.cname_chain) > MAX_PTR_ALIASES:
        return set()
    return {
        rdata.target.canonicalize()
        for rrset in result.rrsets
        if rrset.rdtype == dns.rdatatype.PTR and rrset.name == result.target
        for rdata in rrset
    }
