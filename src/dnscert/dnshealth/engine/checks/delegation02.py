"""DELEGATION02: name servers must have distinct IP addresses (Zonemaster delegation02)."""

from __future__ import annotations

from dnscert.dnshealth.engine.context import NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


def shared_addresses(servers: list[NsIp]) -> dict[str, list[NsIp]]:
    """Addresses used by two or more name server names -> those servers."""
    by_address: dict[str, list[NsIp]] = {}
    for server in servers:
        if server.address is not None:
            by_address.setdefault(server.address, []).append(server)
    return {
        address: users
        for address, users in by_address.items()
        if len({user.name for user in users}) > 1
    }


@register
class Delegation02(TestCase):
    """No address may serve two name server names, in the delegation nor in the zone."""

    id = "DELEGATION02"
    module = "Delegation"
    description = "Name servers must have distinct IP addresses"
    tags = {
        "CHILD_DISTINCT_NS_IP": Level.INFO,
        "CHILD_NS_SAME_IP": Level.ERROR,
        "DEL_DISTINCT_NS_IP": Level.INFO,
        "DEL_NS_SAME_IP": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        messages = self._judge(await ctx.get_del_ns_names_and_ips(), "DEL")
        messages += self._judge(await ctx.get_zone_ns_names_and_ips(), "CHILD")
        return messages

    def _judge(self, servers: list[NsIp] | None, where: str) -> list[Message]:
        if not servers:
            return []
        shared = shared_addresses(servers)
        if not shared:
            return [self.msg(f"{where}_DISTINCT_NS_IP")]
        return [
            self.msg(f"{where}_NS_SAME_IP", ns_ip=address, ns_list=ns_list(users))
            for address, users in sorted(shared.items())
        ]
