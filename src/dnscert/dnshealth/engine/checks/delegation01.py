"""DELEGATION01: minimum number of name servers (Zonemaster Delegation-TP/delegation01)."""

from __future__ import annotations

from dnscert.dnshealth.engine.context import NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

MINIMUM = 2


@register
class Delegation01(TestCase):
    """At least two name servers, two over IPv4 and two over IPv6, in delegation and zone."""

    id = "DELEGATION01"
    module = "Delegation"
    description = "Minimum number of name servers"
    tags = {
        "ENOUGH_IPV4_NS_CHILD": Level.INFO,
        "ENOUGH_IPV4_NS_DEL": Level.INFO,
        "ENOUGH_IPV6_NS_CHILD": Level.INFO,
        "ENOUGH_IPV6_NS_DEL": Level.INFO,
        "ENOUGH_NS_CHILD": Level.INFO,
        "ENOUGH_NS_DEL": Level.INFO,
        "NOT_ENOUGH_IPV4_NS_CHILD": Level.ERROR,
        "NOT_ENOUGH_IPV4_NS_DEL": Level.ERROR,
        "NOT_ENOUGH_IPV6_NS_CHILD": Level.ERROR,
        "NOT_ENOUGH_IPV6_NS_DEL": Level.ERROR,
        "NOT_ENOUGH_NS_CHILD": Level.ERROR,
        "NOT_ENOUGH_NS_DEL": Level.ERROR,
        "NO_IPV4_NS_CHILD": Level.WARNING,
        "NO_IPV4_NS_DEL": Level.WARNING,
        "NO_IPV6_NS_CHILD": Level.WARNING,
        "NO_IPV6_NS_DEL": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        delegation = await ctx.get_del_ns_names_and_ips() or []
        zone = await ctx.get_zone_ns_names_and_ips() or []
        return self._count(delegation, "DEL") + self._count(zone, "CHILD")

    def _count(self, servers: list[NsIp], where: str) -> list[Message]:
        names = {server.name for server in servers}
        messages = [self._names(servers, len(names), where)]
        for family, is_v6 in (("IPV4", False), ("IPV6", True)):
            with_family = [s for s in servers if s.address is not None and s.is_ipv6 == is_v6]
            # Zonemaster counts name server name/address pairs of the family.
            count = len({server.address for server in with_family})
            if count == 0:
                messages.append(self.msg(f"NO_{family}_NS_{where}", ns_list=""))
                continue
            prefix = "ENOUGH" if count >= MINIMUM else "NOT_ENOUGH"
            messages.append(
                self.msg(
                    f"{prefix}_{family}_NS_{where}",
                    count=count,
                    minimum=MINIMUM,
                    ns_list=ns_list(with_family),
                )
            )
        return messages

    def _names(self, servers: list[NsIp], count: int, where: str) -> Message:
        prefix = "ENOUGH" if count >= MINIMUM else "NOT_ENOUGH"
        names = ";".join(sorted({s.name.to_text(omit_final_dot=True) for s in servers}))
        return self.msg(f"{prefix}_NS_{where}", count=count, minimum=MINIMUM, nsname_list=names)
