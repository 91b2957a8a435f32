"""Shared by CONNECTIVITY01 (UDP) and CONNECTIVITY02 (TCP): SOA and NS answers per server."""

from __future__ import annotations

import dns.name
import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.address01 import all_name_servers
from dnscert.dnshealth.engine.context import Answer, NsIp, QueryResult, ZoneContext, ns_list
from dnscert.dnshealth.engine.model import Message
from dnscert.dnshealth.engine.registry import TestCase


def transport_tags(prefix: str, suffix: str) -> list[str]:
    """The tag names of one transport, e.g. ``CN01_..._UDP``."""
    names = [
        "MISSING_NS_RECORD",
        "MISSING_SOA_RECORD",
        "NO_RESPONSE_NS_QUERY",
        "NO_RESPONSE_SOA_QUERY",
        "NO_RESPONSE",
        "NS_RECORD_NOT_AA",
        "SOA_RECORD_NOT_AA",
        "UNEXPECTED_RCODE_NS_QUERY",
        "UNEXPECTED_RCODE_SOA_QUERY",
        "WRONG_NS_RECORD",
        "WRONG_SOA_RECORD",
    ]
    return [f"{prefix}_{name}_{suffix}" for name in names]


async def check_transport(
    case: TestCase, ctx: ZoneContext, prefix: str, suffix: str, tcp: bool
) -> list[Message]:
    """Zonemaster's CONNECTIVITY01/02 procedure over one transport."""
    messages: list[Message] = []
    servers = await all_name_servers(ctx)
    for family, label in ((4, "IPV4"), (6, "IPV6")):
        disabled = [s for s in servers if (s.is_ipv6 == (family == 6)) and not _can(ctx, s)]
        if disabled:
            messages.append(case.msg(f"{prefix}_{label}_DISABLED", ns_list=ns_list(disabled)))
    seen: set[str] = set()
    for server in servers:
        assert server.address is not None
        if server.address in seen or not _can(ctx, server):
            continue
        seen.add(server.address)
        soa = await ctx.query(server.address, ctx.zone, "SOA", tcp=tcp)
        ns = await ctx.query(server.address, ctx.zone, "NS", tcp=tcp)
        if not isinstance(soa, Answer) and not isinstance(ns, Answer):
            messages.append(case.msg(f"{prefix}_NO_RESPONSE_{suffix}", ns=str(server)))
            continue
        for rdtype, result in (("SOA", soa), ("NS", ns)):
            problem = _problem(case, ctx.zone, server, rdtype, result, prefix, suffix)
            if problem is not None:
                messages.append(problem)
    return messages


def _can(ctx: ZoneContext, server: NsIp) -> bool:
    return server.address is not None and ctx.can_query(server.address)


def _problem(
    case: TestCase,
    zone: dns.name.Name,
    server: NsIp,
    rdtype: str,
    result: QueryResult,
    prefix: str,
    suffix: str,
) -> Message | None:
    ns = str(server)
    if not isinstance(result, Answer):
        return case.msg(f"{prefix}_NO_RESPONSE_{rdtype}_QUERY_{suffix}", ns=ns)
    if result.rcode != dns.rcode.NOERROR:
        rcode = dns.rcode.to_text(dns.rcode.Rcode.make(result.rcode))
        return case.msg(f"{prefix}_UNEXPECTED_RCODE_{rdtype}_QUERY_{suffix}", ns=ns, rcode=rcode)
    wanted = dns.rdatatype.from_text(rdtype)
    owners = [rrset.name for rrset in result.message.answer if rrset.rdtype == wanted]
    if not owners:
        return case.msg(f"{prefix}_MISSING_{rdtype}_RECORD_{suffix}", ns=ns)
    if any(owner != zone for owner in owners):
        found = next(owner for owner in owners if owner != zone)
        return case.msg(
            f"{prefix}_WRONG_{rdtype}_RECORD_{suffix}",
            ns=ns,
            domain_found=found.to_text(omit_final_dot=True),
            domain_expected=zone.to_text(omit_final_dot=True),
        )
    if not result.aa:
        return case.msg(f"{prefix}_{rdtype}_RECORD_NOT_AA_{suffix}", ns=ns)
    return None
