"""Plumbing shared by the DNS-CERT's own test cases (``DNSCERT01``..): options and servers.

Our test cases use the module name ``DNSCERT`` and tags prefixed ``DCnn_`` so they never clash
with Zonemaster's vocabulary. Their tunables come from ``EngineConfig.check_options`` (test-case
id -> option name -> value) when the configuration carries that mapping, else from the defaults
each check declares. No test case is registered here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dns.name
import dns.rcode

from dnscert.dnshealth.engine.context import Answer, NsIp, QueryResult, ZoneContext
from dnscert.dnshealth.engine.names import kept_name

MODULE = "DNSCERT"


class BadCheckOption(ValueError):
    """A check option has a value of the wrong kind; the message names the option."""


def check_option(ctx: ZoneContext, test_case: str, name: str, default: Any) -> Any:
    """The option ``name`` of ``test_case`` from the configuration, or ``default``."""
    options: Mapping[str, Mapping[str, Any]] = getattr(ctx.config, "check_options", None) or {}
    return options.get(test_case, {}).get(name, default)


def number_option(ctx: ZoneContext, test_case: str, name: str, default: float) -> float:
    """A numeric option; raise ``BadCheckOption`` naming it when it is not a number >= 0."""
    value = check_option(ctx, test_case, name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise BadCheckOption(f"{test_case} option {name!r} must be a number >= 0, not {value!r}")
    return float(value)


async def name_servers(ctx: ZoneContext) -> list[NsIp]:
    """Delegation and zone name servers with an address of an enabled family, deduplicated."""
    servers = await ctx.get_all_ns()
    return [ns for ns in servers if ns.address is not None and ctx.can_query(ns.address)]


def unique_addresses(servers: list[NsIp]) -> dict[str, list[NsIp]]:
    """Servers grouped by address (one probe per address, all names kept for messages)."""
    grouped: dict[str, list[NsIp]] = {}
    for server in servers:
        assert server.address is not None
        grouped.setdefault(server.address, []).append(server)
    return grouped


def recursion_probe_name(ctx: ZoneContext) -> dns.name.Name:
    """A name outside the zone that always exists: a root server name from the root hints."""
    for name, _addresses in ctx.config.root_hints:
        candidate = kept_name(name)
        if not candidate.is_subdomain(ctx.zone):
            return candidate
    return dns.name.from_text("a.root-servers.net.")


def recursed(response: QueryResult) -> bool:
    """True when a response to an RD query shows recursion: RA, NOERROR, a non-AA answer."""
    return (
        isinstance(response, Answer)
        and response.ra
        and response.rcode == dns.rcode.NOERROR
        and not response.aa
        and bool(response.message.answer)
    )
