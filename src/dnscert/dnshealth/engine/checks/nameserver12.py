"""NAMESERVER12: unknown EDNS flags are ignored and not echoed (Zonemaster nameserver12)."""

from __future__ import annotations

import dns.rcode

from dnscert.dnshealth.engine.checks.nameserver_common import (
    address_of,
    edns_failure,
    probe_each_server,
)
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

#: One of the EDNS "Z" flag bits (no meaning assigned); DO is 0x8000.
UNKNOWN_FLAG = 0x0100
Z_BITS = 0x7FFF


@register
class Nameserver12(TestCase):
    """SOA with an unknown EDNS flag: the answer must be normal with every Z bit clear."""

    id = "NAMESERVER12"
    module = "Nameserver"
    description = "Test for unknown EDNS flags"
    tags = {
        "NO_EDNS_SUPPORT": Level.WARNING,
        "NO_RESPONSE": Level.DEBUG,
        "NS_ERROR": Level.WARNING,
        "Z_FLAGS_NOTCLEAR": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        return await probe_each_server(ctx, self._probe)

    async def _probe(self, ctx: ZoneContext, server: NsIp) -> Message | None:
        response = await ctx.query(
            address_of(server), ctx.zone, "SOA", edns=0, edns_flags=UNKNOWN_FLAG
        )
        failure = edns_failure(self, server, response)
        if failure is not None or not isinstance(response, Answer):
            return failure
        if response.has_edns and response.message.ednsflags & Z_BITS:
            return self.msg("Z_FLAGS_NOTCLEAR", ns=str(server))
        if (
            response.rcode == dns.rcode.NOERROR
            and response.has_edns
            and response.message.edns == 0
            and ctx.zone in response.owners("SOA")
        ):
            return None
        return self.msg("NS_ERROR", ns=str(server))
