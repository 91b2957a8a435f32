"""Helpers shared by the Nameserver test cases (not a test case itself)."""

from __future__ import annotations

from dnscert.dnshealth.engine.context import NsIp, ZoneContext


async def queryable_name_servers(ctx: ZoneContext) -> list[NsIp]:
    """Delegation and zone name servers (Methods 4 and 5) with an address of an enabled family."""
    return [
        server
        for server in await ctx.get_all_ns()
        if server.address is not None and ctx.can_query(server.address)
    ]


def address_of(server: NsIp) -> str:
    """The address of a server known to have one."""
    if server.address is None:
        raise ValueError(f"name server {server} has no address")
    return server.address
