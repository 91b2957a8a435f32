"""DNSCERT02: name server addresses must not be open recursive resolvers.

Each name server address is asked, with RD set, for a name outside the zone that always exists
(a root server's name from the root hints). A response with RA set, NOERROR and a
non-authoritative answer means the server resolved it for us: an open resolver, usable for
amplification and cache poisoning. RA set without an answer is only noted.
"""

from __future__ import annotations

import asyncio

from dnscert.dnshealth.engine.checks.dnscert_common import (
    MODULE,
    name_servers,
    recursed,
    recursion_probe_name,
    unique_addresses,
)
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@register
class Dnscert02(TestCase):
    """Open recursion on the zone's name server addresses."""

    id = "DNSCERT02"
    module = MODULE
    description = "Name servers must not resolve names outside their zones for anyone"
    tags = {
        "DC02_OPEN_RECURSION": Level.ERROR,
        "DC02_RA_WITHOUT_RECURSION": Level.NOTICE,
        "DC02_NO_OPEN_RECURSION": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        probe = recursion_probe_name(ctx)
        open_servers: list[NsIp] = []
        flagged: list[NsIp] = []
        grouped = unique_addresses(await name_servers(ctx))
        responses = await asyncio.gather(
            *(ctx.query(address, probe, "A", rd=True) for address in grouped)
        )
        for servers, response in zip(grouped.values(), responses, strict=True):
            if recursed(response):
                open_servers.extend(servers)
            elif isinstance(response, Answer) and response.ra:
                flagged.extend(servers)
        query_name = probe.to_text()
        messages = []
        if open_servers:
            messages.append(
                self.msg(
                    "DC02_OPEN_RECURSION", ns_list=ns_list(open_servers), query_name=query_name
                )
            )
        if flagged:
            messages.append(
                self.msg(
                    "DC02_RA_WITHOUT_RECURSION", ns_list=ns_list(flagged), query_name=query_name
                )
            )
        if not messages:
            messages.append(self.msg("DC02_NO_OPEN_RECURSION", query_name=query_name))
        return messages
