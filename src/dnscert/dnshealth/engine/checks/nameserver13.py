"""NAMESERVER13: a truncated answer to an EDNS query keeps its OPT record (nameserver13)."""

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


@register
class Nameserver13(TestCase):
    """DNSKEY with DO and a 512-octet buffer, likely truncated: the OPT must still be there."""

    id = "NAMESERVER13"
    module = "Nameserver"
    description = "Test for truncated response on EDNS query"
    tags = {
        "MISSING_OPT_IN_TRUNCATED": Level.WARNING,
        "NO_EDNS_SUPPORT": Level.WARNING,
        "NO_RESPONSE": Level.DEBUG,
        "NS_ERROR": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        return await probe_each_server(ctx, self._probe)

    async def _probe(self, ctx: ZoneContext, server: NsIp) -> Message | None:
        response = await ctx.query(
            address_of(server), ctx.zone, "DNSKEY", dnssec=True, bufsize=512, tcp_fallback=False
        )
        failure = edns_failure(self, server, response)
        if failure is not None or not isinstance(response, Answer):
            return failure
        if response.tc and not response.has_edns:
            return self.msg("MISSING_OPT_IN_TRUNCATED", ns=str(server))
        if response.rcode == dns.rcode.NOERROR and response.message.edns == 0:
            return None
        return self.msg("NS_ERROR", ns=str(server))
