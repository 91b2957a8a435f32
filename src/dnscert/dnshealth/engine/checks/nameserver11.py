"""NAMESERVER11: unknown EDNS OPTION-CODE is ignored (Zonemaster Nameserver-TP/nameserver11)."""

from __future__ import annotations

import dns.rcode

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

#: An OPTION-CODE in IANA's "reserved for local/experimental use" range (65001-65534).
UNKNOWN_OPTION = 65023


def _good_soa(response: Answer, ctx: ZoneContext) -> bool:
    return (
        response.has_edns
        and response.rcode == dns.rcode.NOERROR
        and response.aa
        and ctx.zone in response.owners("SOA")
    )


@register
class Nameserver11(TestCase):
    """Servers that answer EDNS well must answer the same with an unknown option, unechoed."""

    id = "NAMESERVER11"
    module = "Nameserver"
    description = "Test for unknown EDNS OPTION-CODE"
    tags = {
        "N11_NO_EDNS": Level.WARNING,
        "N11_NO_RESPONSE": Level.WARNING,
        "N11_RETURNS_UNKNOWN_OPTION_CODE": Level.WARNING,
        "N11_UNEXPECTED_ANSWER_SECTION": Level.WARNING,
        "N11_UNEXPECTED_RCODE": Level.WARNING,
        "N11_UNSET_AA": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        found: dict[str, list[NsIp]] = {}
        rcodes: dict[str, list[NsIp]] = {}
        for server in await queryable_name_servers(ctx):
            address = address_of(server)
            plain = await ctx.query(address, ctx.zone, "SOA", edns=0)
            if not isinstance(plain, Answer) or not _good_soa(plain, ctx):
                continue
            response = await ctx.query(
                address, ctx.zone, "SOA", edns=0, edns_options=((UNKNOWN_OPTION, b""),)
            )
            problem = self._problem(response, ctx)
            if problem == "N11_UNEXPECTED_RCODE" and isinstance(response, Answer):
                rcode = dns.rcode.to_text(dns.rcode.Rcode.make(response.rcode))
                rcodes.setdefault(rcode, []).append(server)
            elif problem:
                found.setdefault(problem, []).append(server)
        messages = [
            self.msg("N11_UNEXPECTED_RCODE", ns_ip_list=ns_list(servers), rcode=rcode)
            for rcode, servers in rcodes.items()
        ]
        messages += [
            self.msg(tag, ns_ip_list=ns_list(servers)) for tag, servers in sorted(found.items())
        ]
        return messages

    @staticmethod
    def _problem(response: Answer | object, ctx: ZoneContext) -> str:
        if not isinstance(response, Answer):
            return "N11_NO_RESPONSE"
        if response.rcode != dns.rcode.NOERROR:
            return "N11_UNEXPECTED_RCODE"
        if not response.has_edns:
            return "N11_NO_EDNS"
        if ctx.zone not in response.owners("SOA"):
            return "N11_UNEXPECTED_ANSWER_SECTION"
        if not response.aa:
            return "N11_UNSET_AA"
        if any(int(option.otype) == UNKNOWN_OPTION for option in response.message.options):
            return "N11_RETURNS_UNKNOWN_OPTION_CODE"
        return ""
