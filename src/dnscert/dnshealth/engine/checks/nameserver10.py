"""NAMESERVER10: undefined EDNS version gets BADVERS (Zonemaster nameserver10)."""

from __future__ import annotations

import dns.rcode

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Nameserver10(TestCase):
    """Servers that answer EDNS0 must answer EDNS version 1 with BADVERS and version 0."""

    id = "NAMESERVER10"
    module = "Nameserver"
    description = "Test for undefined EDNS version"
    tags = {
        "N10_EDNS_RESPONSE_ERROR": Level.WARNING,
        "N10_NO_RESPONSE_EDNS1_QUERY": Level.WARNING,
        "N10_UNEXPECTED_RCODE": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        silent: list[NsIp] = []
        unexpected: dict[str, list[NsIp]] = {}
        broken: list[NsIp] = []
        for server in await queryable_name_servers(ctx):
            address = address_of(server)
            version0 = await ctx.query(address, ctx.zone, "SOA", edns=0, bufsize=512)
            if not isinstance(version0, Answer) or version0.rcode != dns.rcode.NOERROR:
                continue
            response = await ctx.query(address, ctx.zone, "SOA", edns=1, bufsize=512)
            if not isinstance(response, Answer):
                silent.append(server)
            elif response.rcode != dns.rcode.BADVERS:
                rcode = dns.rcode.to_text(dns.rcode.Rcode.make(response.rcode))
                unexpected.setdefault(rcode, []).append(server)
            elif response.message.edns != 0 or response.message.answer:
                broken.append(server)
        messages = []
        if silent:
            messages.append(self.msg("N10_NO_RESPONSE_EDNS1_QUERY", ns_ip_list=ns_list(silent)))
        messages += [
            self.msg("N10_UNEXPECTED_RCODE", ns_ip_list=ns_list(servers), rcode=rcode)
            for rcode, servers in unexpected.items()
        ]
        if broken:
            messages.append(self.msg("N10_EDNS_RESPONSE_ERROR", ns_ip_list=ns_list(broken)))
        return messages
