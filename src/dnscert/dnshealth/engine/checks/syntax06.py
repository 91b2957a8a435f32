"""SYNTAX06: the SOA RNAME is a valid e-mail address whose domain can receive mail.

Each name server is asked for the SOA; its RNAME becomes an address (first dot -> ``@``), the
local part must be an RFC 5322 dot-atom and the mail domain must resolve to mail exchanges
(or, without MX, to addresses) that are neither aliases nor localhost.
"""

from __future__ import annotations

import ipaddress

import dns.name
import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.syntax_rules import mailbox_of, valid_local_part
from dnscert.dnshealth.engine.checks.zone_soa import name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

LOCALHOST = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}


@register
class Syntax06(TestCase):
    """Validate the SOA RNAME as a mailbox and look its mail domain up."""

    id = "SYNTAX06"
    module = "Syntax"
    description = "SOA RNAME is a valid mailbox"
    tags = {
        "NO_RESPONSE": Level.DEBUG,
        "NO_RESPONSE_SOA_QUERY": Level.DEBUG,
        "RNAME_MAIL_DOMAIN_INVALID": Level.WARNING,
        "RNAME_MAIL_DOMAIN_LOCALHOST": Level.WARNING,
        "RNAME_MAIL_ILLEGAL_CNAME": Level.WARNING,
        "RNAME_RFC822_INVALID": Level.WARNING,
        "RNAME_RFC822_VALID": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        messages: list[Message] = []
        judged: dict[dns.name.Name, list[Message]] = {}
        answered = False
        for server in await name_servers(ctx):
            rname = await self._rname(ctx, server, messages)
            if rname is None:
                continue
            answered = True
            if rname not in judged:
                judged[rname] = await self._judge(ctx, rname)
        for found in judged.values():
            messages.extend(found)
        tags = {message.tag for messages_ in judged.values() for message in messages_}
        if answered and not tags & {"RNAME_MAIL_DOMAIN_INVALID", "RNAME_RFC822_INVALID"}:
            rnames = sorted(name.to_text() for name in judged)
            messages.append(self.msg("RNAME_RFC822_VALID", rname=";".join(rnames)))
        return messages

    async def _rname(
        self, ctx: ZoneContext, server: NsIp, messages: list[Message]
    ) -> dns.name.Name | None:
        assert server.address is not None
        response = await ctx.query(server.address, ctx.zone, "SOA")
        if not isinstance(response, Answer):
            messages.append(self.msg("NO_RESPONSE", ns=str(server)))
            return None
        for rrset in response.message.answer:
            if rrset.rdtype == dns.rdatatype.SOA:
                rname: dns.name.Name = next(iter(rrset)).rname
                return rname
        messages.append(self.msg("NO_RESPONSE_SOA_QUERY", ns=str(server)))
        return None

    async def _judge(self, ctx: ZoneContext, rname: dns.name.Name) -> list[Message]:
        mailbox = mailbox_of(rname)
        if mailbox is None or not valid_local_part(mailbox[0]):
            return [self.msg("RNAME_RFC822_INVALID", rname=rname.to_text())]
        domain = mailbox[1]
        mx = await ctx.lookup(domain, "MX")
        if mx.rcode != dns.rcode.NOERROR:
            return [self.msg("RNAME_MAIL_DOMAIN_INVALID", domain=domain.to_text())]
        exchanges = [
            rdata.exchange
            for rrset in mx.rrsets
            if rrset.rdtype == dns.rdatatype.MX and rrset.name == mx.target
            for rdata in rrset
        ]
        targets = exchanges or [mx.target]
        messages: list[Message] = []
        for target in targets:
            messages.extend(await self._judge_host(ctx, target))
        return messages

    async def _judge_host(self, ctx: ZoneContext, host: dns.name.Name) -> list[Message]:
        lookups = [await ctx.lookup(host, rdtype) for rdtype in ("A", "AAAA")]
        text = host.to_text()
        if any(result.cname_chain for result in lookups):
            return [self.msg("RNAME_MAIL_ILLEGAL_CNAME", domain=text)]
        addresses = {ipaddress.ip_address(a) for result in lookups for a in result.records()}
        if addresses & LOCALHOST:
            return [
                self.msg("RNAME_MAIL_DOMAIN_LOCALHOST", domain=text),
                self.msg("RNAME_MAIL_DOMAIN_INVALID", domain=text),
            ]
        if not addresses:
            return [self.msg("RNAME_MAIL_DOMAIN_INVALID", domain=text)]
        return []
