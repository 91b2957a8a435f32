"""ADDRESS01: name server addresses must be globally reachable (Zonemaster Address-TP)."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.address_registry import AddressClass, classify
from dnscert.dnshealth.engine.context import NsIp, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.query import unique
from dnscert.dnshealth.engine.registry import TestCase, register

TAG_BY_CLASS = {
    AddressClass.DOCUMENTATION: "A01_DOCUMENTATION_ADDR",
    AddressClass.LOCAL_USE: "A01_LOCAL_USE_ADDR",
    AddressClass.NOT_GLOBALLY_REACHABLE: "A01_ADDR_NOT_GLOBALLY_REACHABLE",
    AddressClass.GLOBALLY_REACHABLE: "A01_GLOBALLY_REACHABLE_ADDR",
}


async def all_name_servers(ctx: ZoneContext) -> list[NsIp]:
    """Delegation and zone name servers that have an address (Get-Del/Zone-NS-Names-and-IPs)."""
    delegated = await ctx.get_del_ns_names_and_ips() or []
    zone = await ctx.get_zone_ns_names_and_ips() or []
    return unique(ns for ns in [*delegated, *zone] if ns.address)


@register
class Address01(TestCase):
    """Classify every name server address against the IANA special-purpose registries."""

    id = "ADDRESS01"
    module = "Address"
    description = "Name server address must be globally reachable"
    tags = {
        "A01_ADDR_NOT_GLOBALLY_REACHABLE": Level.ERROR,
        "A01_DOCUMENTATION_ADDR": Level.ERROR,
        "A01_GLOBALLY_REACHABLE_ADDR": Level.INFO,
        "A01_LOCAL_USE_ADDR": Level.ERROR,
        "A01_NO_GLOBALLY_REACHABLE_ADDR": Level.ERROR,
        "A01_NO_NAME_SERVERS_FOUND": Level.CRITICAL,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await all_name_servers(ctx)
        if not servers:
            return [self.msg("A01_NO_NAME_SERVERS_FOUND")]
        groups: dict[AddressClass, list[NsIp]] = {cls: [] for cls in AddressClass}
        for server in servers:
            assert server.address is not None
            groups[classify(server.address)].append(server)
        messages = [
            self.msg(TAG_BY_CLASS[cls], ns_list=ns_list(members))
            for cls, members in groups.items()
            if members
        ]
        if not groups[AddressClass.GLOBALLY_REACHABLE]:
            messages.append(self.msg("A01_NO_GLOBALLY_REACHABLE_ADDR"))
        return messages
