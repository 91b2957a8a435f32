"""DELEGATION05: name server names must not be CNAME aliases (Zonemaster delegation05)."""

from __future__ import annotations

import dns.name
import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


def _text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True)


@register
class Delegation05(TestCase):
    """Ask for each name server name's A record and look for a CNAME in the way."""

    id = "DELEGATION05"
    module = "Delegation"
    description = "Name server must not point at CNAME alias"
    tags = {
        "NO_NS_CNAME": Level.INFO,
        "NO_RESPONSE": Level.DEBUG,
        "NS_IS_CNAME": Level.ERROR,
        "UNEXPECTED_RCODE": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        names = list(
            dict.fromkeys(
                [*(await ctx.get_del_ns_names() or []), *(await ctx.get_zone_ns_names() or [])]
            )
        )
        messages: list[Message] = []
        for name in names:
            if name.is_subdomain(ctx.zone):
                messages += await self._in_domain(ctx, name)
            elif (await ctx.lookup(name, "A")).cname_chain:
                messages.append(self.msg("NS_IS_CNAME", nsname=_text(name)))
        if not any(message.tag == "NS_IS_CNAME" for message in messages):
            messages.append(self.msg("NO_NS_CNAME"))
        return messages

    async def _in_domain(self, ctx: ZoneContext, name: dns.name.Name) -> list[Message]:
        messages: list[Message] = []
        for server in await queryable_name_servers(ctx):
            response = await ctx.query(address_of(server), name, "A")
            if not isinstance(response, Answer):
                messages.append(self.msg("NO_RESPONSE", ns=str(server), nsname=_text(name)))
            elif response.rcode != dns.rcode.NOERROR:
                rcode = dns.rcode.to_text(dns.rcode.Rcode.make(response.rcode))
                messages.append(self.msg("UNEXPECTED_RCODE", ns=str(server), rcode=rcode))
            elif response.owners(dns.rdatatype.CNAME) or (
                response.is_referral() and (await ctx.lookup(name, "A")).cname_chain
            ):
                messages.append(self.msg("NS_IS_CNAME", nsname=_text(name), ns=str(server)))
        return messages
