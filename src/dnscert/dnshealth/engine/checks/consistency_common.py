"""Helpers shared by the Consistency test cases (not a test case itself).

Each asks every name server (Methods 4 and 5) for one record set of the apex and groups the
servers by what they returned; the test cases only differ in which field they compare.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dns.rdatatype

from dnscert.dnshealth.engine.checks.nameserver_common import address_of, queryable_name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, ZoneContext


@dataclass
class Survey:
    """Servers grouped by the value they gave, and those that gave nothing."""

    groups: dict[Any, list[NsIp]] = field(default_factory=dict)
    silent: list[NsIp] = field(default_factory=list)  # no DNS response
    without_data: list[NsIp] = field(default_factory=list)  # a response without the records


async def survey(ctx: ZoneContext, rdtype: str, value: Callable[[Answer], Any]) -> Survey:
    """Ask each name server for the apex ``rdtype``; group servers by ``value(answer)``."""
    result = Survey()
    wanted = dns.rdatatype.RdataType.make(rdtype)
    for server in await queryable_name_servers(ctx):
        response = await ctx.query(address_of(server), ctx.zone, rdtype)
        if not isinstance(response, Answer):
            result.silent.append(server)
            continue
        has_records = any(
            rrset.rdtype == wanted and rrset.name == ctx.zone for rrset in response.rrsets()
        )
        found = value(response) if has_records and response.aa else None
        if found is None:
            result.without_data.append(server)
        else:
            result.groups.setdefault(found, []).append(server)
    return result


def first_soa(response: Answer) -> Any:
    """The SOA rdata of the answer, or None."""
    records = response.records("SOA")
    return records[0] if records else None
