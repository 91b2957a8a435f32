"""NAMESERVER07: no upward referral to the root (Zonemaster Nameserver-TP/nameserver07)."""

from __future__ import annotations

import dns.name

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Nameserver07(TestCase):
    """Ask every server for the root NS: a referral up to the root helps DDoS reflection."""

    id = "NAMESERVER07"
    module = "Nameserver"
    description = "No upward referral"
    tags = {
        "NO_UPWARD_REFERRAL": Level.INFO,
        "UPWARD_REFERRAL": Level.WARNING,
        "UPWARD_REFERRAL_IRRELEVANT": Level.DEBUG,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        if ctx.zone == dns.name.root:
            return [self.msg("UPWARD_REFERRAL_IRRELEVANT")]
        upward: list[NsIp] = []
        answered = False
        for server in await queryable_name_servers(ctx):
            response = await ctx.query(address_of(server), dns.name.root, "NS")
            if not isinstance(response, Answer):
                continue
            answered = True
            if not response.aa and dns.name.root in response.owners("NS", "authority"):
                upward.append(server)
        if upward:
            return [self.msg("UPWARD_REFERRAL", ns_list=ns_list(upward))]
        return [self.msg("NO_UPWARD_REFERRAL")] if answered else []
