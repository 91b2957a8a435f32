"""Helpers shared by the Nameserver test cases (not a test case itself)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import dns.rcode

from dnscert.dnshealth.engine.context import Answer, NsIp, QueryResult, ZoneContext
from dnscert.dnshealth.engine.model import Message
from dnscert.dnshealth.engine.registry import TestCase


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


async def probe_each_server(
    ctx: ZoneContext, probe: Callable[[ZoneContext, NsIp], Awaitable[Message | None]]
) -> list[Message]:
    """Run ``probe`` on every queryable name server, in order; the problems it reports."""
    messages = []
    for server in await queryable_name_servers(ctx):
        problem = await probe(ctx, server)
        if problem is not None:
            messages.append(problem)
    return messages


def edns_failure(case: TestCase, server: NsIp, response: QueryResult) -> Message | None:
    """NO_RESPONSE without an answer, NO_EDNS_SUPPORT on FORMERR to an EDNS query, else None."""
    if not isinstance(response, Answer):
        return case.msg("NO_RESPONSE", ns=str(server))
    if response.rcode == dns.rcode.FORMERR:
        return case.msg("NO_EDNS_SUPPORT", ns=str(server))
    return None
