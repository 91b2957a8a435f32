"""CONNECTIVITY02: name servers answer SOA and NS authoritatively over TCP."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.connectivity_transport import check_transport, transport_tags
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import Question, TestCase, register


@register
class Connectivity02(TestCase):
    """Ask every name server for SOA and NS over TCP and check the answers."""

    id = "CONNECTIVITY02"
    module = "Connectivity"
    description = "TCP connectivity to name servers"
    asks_every_server = (Question("SOA", tcp=True), Question("NS", tcp=True))
    tags = {
        "CN02_IPV4_DISABLED": Level.NOTICE,
        "CN02_IPV6_DISABLED": Level.NOTICE,
        **{tag: Level.WARNING for tag in transport_tags("CN02", "TCP")},
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        return await check_transport(self, ctx, "CN02", "TCP", tcp=True)
