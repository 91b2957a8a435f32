"""CONNECTIVITY01: name servers answer SOA and NS authoritatively over UDP."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.connectivity_transport import check_transport, transport_tags
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import Question, TestCase, register


@register
class Connectivity01(TestCase):
    """Ask every name server for SOA and NS over UDP and check the answers."""

    id = "CONNECTIVITY01"
    module = "Connectivity"
    description = "UDP connectivity to name servers"
    asks_every_server = (Question("SOA"), Question("NS"))
    tags = {
        "CN01_IPV4_DISABLED": Level.NOTICE,
        "CN01_IPV6_DISABLED": Level.NOTICE,
        **{tag: Level.WARNING for tag in transport_tags("CN01", "UDP")},
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        return await check_transport(self, ctx, "CN01", "UDP", tcp=False)
