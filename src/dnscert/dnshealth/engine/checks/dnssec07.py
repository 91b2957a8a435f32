"""DNSSEC07: DNSSEC signed zone and DS in parent for signed zone (Zonemaster specification).

Each child name server that serves the zone (authoritative SOA) is asked for the DNSKEY RRset
with DO set: a DNSKEY with a covering RRSIG makes it "signed". When some server is signed,
the parent servers (or the undelegated DS) are asked for the signed DS RRset. The servers
must agree on both, and a signed zone should have a DS at its parent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.dnssec_common import (
    Servers,
    authoritative,
    child_servers,
    dnssec_response,
    find_rrset,
    parent_servers,
    signatures_for,
)
from dnscert.dnshealth.engine.context import Answer, ZoneContext
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

#: The "name server" of an undelegated DS given by the user.
USER_GIVEN = "-"


@dataclass
class _State:
    ignored: set[str] = field(default_factory=set)
    no_response: set[str] = field(default_factory=set)
    not_authoritative: set[str] = field(default_factory=set)
    error_rcode: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    no_dnskey: set[str] = field(default_factory=set)
    signed: set[str] = field(default_factory=set)
    no_ds: set[str] = field(default_factory=set)
    with_ds: set[str] = field(default_factory=set)


def _signed_rrset(response: Answer, rdtype: int, owner: Any) -> bool:
    """True when the answer holds the RRset and at least one RRSIG covering it."""
    records = find_rrset(response, "answer", rdtype, owner)
    return records is not None and bool(signatures_for(response, "answer", records))


@register
class Dnssec07(TestCase):
    """DNSSEC07: is the zone signed, consistently, with a DS at the parent?"""

    id = "DNSSEC07"
    module = "DNSSEC"
    description = "DNSSEC signed zone and DS in parent for signed zone"
    tags = {
        "DS07_DS_FOR_SIGNED_ZONE": Level.INFO,
        "DS07_DS_ON_PARENT_SERVER": Level.INFO,
        "DS07_INCONSISTENT_DS": Level.ERROR,
        "DS07_INCONSISTENT_SIGNED": Level.ERROR,
        "DS07_NON_AUTH_RESPONSE_DNSKEY": Level.WARNING,
        "DS07_NOT_SIGNED": Level.WARNING,
        "DS07_NOT_SIGNED_ON_SERVER": Level.WARNING,
        "DS07_NO_DS_FOR_SIGNED_ZONE": Level.WARNING,
        "DS07_NO_DS_ON_PARENT_SERVER": Level.WARNING,
        "DS07_NO_RESPONSE_DNSKEY": Level.WARNING,
        "DS07_SIGNED": Level.INFO,
        "DS07_SIGNED_ON_SERVER": Level.INFO,
        "DS07_UNEXP_RCODE_RESP_DNSKEY": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        children = await child_servers(ctx)
        state = _State()
        await gather_ready(self._child(ctx, ip, state) for ip in children.ips)
        parents = Servers([])
        if state.signed and ctx.config.undelegated_ds:
            state.with_ds.add(USER_GIVEN)
        elif state.signed:
            parents = await parent_servers(ctx)
            await gather_ready(self._parent(ctx, ip, state) for ip in parents.ips)
        return self._report(children, parents, state)

    async def _child(self, ctx: ZoneContext, ip: str, state: _State) -> None:
        soa = authoritative(await ctx.query(ip, ctx.zone, "SOA"))
        if soa is None or find_rrset(soa, "answer", dns.rdatatype.SOA, ctx.zone) is None:
            state.ignored.add(ip)
            return
        result = await ctx.query(ip, ctx.zone, "DNSKEY", dnssec=True)
        if not isinstance(result, Answer):
            state.no_response.add(ip)
        elif not result.aa:
            state.not_authoritative.add(ip)
        elif result.rcode != dns.rcode.NOERROR:
            state.error_rcode[dns.rcode.to_text(dns.rcode.Rcode(result.rcode))].add(ip)
        elif _signed_rrset(result, dns.rdatatype.DNSKEY, ctx.zone):
            state.signed.add(ip)
        else:
            state.no_dnskey.add(ip)

    async def _parent(self, ctx: ZoneContext, ip: str, state: _State) -> None:
        response = dnssec_response(await ctx.query(ip, ctx.zone, "DS", dnssec=True))
        if response is None:
            return
        if _signed_rrset(response, dns.rdatatype.DS, ctx.zone):
            state.with_ds.add(ip)
        else:
            state.no_ds.add(ip)

    def _report(self, children: Servers, parents: Servers, s: _State) -> list[Message]:
        out: list[Message] = []
        failed = s.ignored | s.no_response | s.not_authoritative
        failed |= {ip for ips in s.error_rcode.values() for ip in ips}
        not_signed = failed == set(children.ips) or (not s.signed and bool(s.no_dnskey))
        for tag, ips in (
            ("DS07_NO_RESPONSE_DNSKEY", s.no_response),
            ("DS07_NON_AUTH_RESPONSE_DNSKEY", s.not_authoritative),
        ):
            if ips:
                out.append(self.msg(tag, ns_list=children.ns_list(ips)))
        for rcode, ips in sorted(s.error_rcode.items()):
            ns = children.ns_list(ips)
            out.append(self.msg("DS07_UNEXP_RCODE_RESP_DNSKEY", ns_list=ns, rcode=rcode))
        if s.signed:
            out.append(self.msg("DS07_SIGNED_ON_SERVER", ns_list=children.ns_list(s.signed)))
        if s.no_dnskey:
            ns = children.ns_list(s.no_dnskey)
            out.append(self.msg("DS07_NOT_SIGNED_ON_SERVER", ns_list=ns))
        if s.signed and s.no_dnskey:
            out.append(self.msg("DS07_INCONSISTENT_SIGNED"))
        elif s.signed:
            out.append(self.msg("DS07_SIGNED"))
        elif not_signed:
            out.append(self.msg("DS07_NOT_SIGNED"))
        out.extend(self._parent_report(parents, s))
        return out

    def _parent_report(self, parents: Servers, s: _State) -> list[Message]:
        out: list[Message] = []
        if s.no_ds:
            out.append(self.msg("DS07_NO_DS_ON_PARENT_SERVER", ns_list=parents.ns_list(s.no_ds)))
        if s.with_ds:
            out.append(self.msg("DS07_DS_ON_PARENT_SERVER", ns_list=parents.ns_list(s.with_ds)))
        if s.no_ds and s.with_ds:
            out.append(self.msg("DS07_INCONSISTENT_DS"))
        if s.signed and not s.no_dnskey:
            if s.no_ds and not s.with_ds:
                out.append(self.msg("DS07_NO_DS_FOR_SIGNED_ZONE"))
            elif s.with_ds and not s.no_ds:
                out.append(self.msg("DS07_DS_FOR_SIGNED_ZONE"))
        return out
