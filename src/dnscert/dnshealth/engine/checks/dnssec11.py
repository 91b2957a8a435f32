"""DNSSEC11: DS in delegation requires signed zone (Zonemaster specification, same tags).

When the parent publishes a DS for the child (or the user gives an undelegated DS), the child
zone must be signed: every child name server must return a DNSKEY RRset. Disagreement among
parent servers or among child servers is reported too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.name
import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.checks.dnssec_common import (
    authoritative,
    child_servers,
    find_rrset,
    ns_ip_list,
    parent_servers,
)
from dnscert.dnshealth.engine.context import Answer, QueryResult, ZoneContext
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@dataclass
class _Sets:
    """Servers whose answer is undetermined, without the record, or with it."""

    undetermined: set[str] = field(default_factory=set)
    without: set[str] = field(default_factory=set)
    with_: set[str] = field(default_factory=set)

    def classify(self, ip: str, result: QueryResult, rdtype: int, owner: dns.name.Name) -> None:
        if not isinstance(result, Answer) or result.rcode != dns.rcode.NOERROR or not result.aa:
            self.undetermined.add(ip)
        elif find_rrset(result, "answer", rdtype, owner) is None:
            self.without.add(ip)
        else:
            self.with_.add(ip)


@register
class Dnssec11(TestCase):
    """DNSSEC11: a DS at the parent needs a signed child zone."""

    id = "DNSSEC11"
    module = "DNSSEC"
    description = "DS in delegation requires signed zone"
    tags = {
        "DS11_DS_BUT_UNSIGNED_ZONE": Level.ERROR,
        "DS11_INCONSISTENT_DS": Level.WARNING,
        "DS11_INCONSISTENT_SIGNED_ZONE": Level.ERROR,
        "DS11_NS_WITH_SIGNED_ZONE": Level.NOTICE,
        "DS11_NS_WITH_UNSIGNED_ZONE": Level.WARNING,
        "DS11_PARENT_WITHOUT_DS": Level.NOTICE,
        "DS11_PARENT_WITH_DS": Level.NOTICE,
        "DS11_UNDETERMINED_DS": Level.ERROR,
        "DS11_UNDETERMINED_SIGNED_ZONE": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        out: list[Message] = []
        if ctx.config.is_undelegated:
            if not ctx.config.undelegated_ds:
                return out
        else:
            stop = await self._parent_side(ctx, out)
            if stop:
                return out
        children = _Sets()
        ips = (await child_servers(ctx)).ips
        await gather_ready(self._child(ctx, ip, children) for ip in ips)
        return out + self._child_report(children)

    async def _parent_side(self, ctx: ZoneContext, out: list[Message]) -> bool:
        """Report on the parent's DS; True when the test case ends here."""
        parents = _Sets()
        for ip in (await parent_servers(ctx)).ips:
            result = await ctx.query(ip, ctx.zone, "DS", dnssec=True)
            parents.classify(ip, result, dns.rdatatype.DS, ctx.zone)
        if parents.undetermined and not parents.without and not parents.with_:
            out.append(self.msg("DS11_UNDETERMINED_DS"))
            return True
        if not parents.with_:
            return True
        if parents.without:
            out.append(self.msg("DS11_INCONSISTENT_DS"))
            out.append(self.msg("DS11_PARENT_WITHOUT_DS", ns_ip_list=ns_ip_list(parents.without)))
            out.append(self.msg("DS11_PARENT_WITH_DS", ns_ip_list=ns_ip_list(parents.with_)))
        return False

    async def _child(self, ctx: ZoneContext, ip: str, children: _Sets) -> None:
        soa = authoritative(await ctx.query(ip, ctx.zone, "SOA"))
        if soa is None or find_rrset(soa, "answer", dns.rdatatype.SOA, ctx.zone) is None:
            return
        result = await ctx.query(ip, ctx.zone, "DNSKEY", dnssec=True)
        children.classify(ip, result, dns.rdatatype.DNSKEY, ctx.zone)

    def _child_report(self, children: _Sets) -> list[Message]:
        if children.undetermined and not children.without and not children.with_:
            return [self.msg("DS11_UNDETERMINED_SIGNED_ZONE")]
        if children.without and not children.with_:
            return [self.msg("DS11_DS_BUT_UNSIGNED_ZONE")]
        if children.without and children.with_:
            return [
                self.msg("DS11_INCONSISTENT_SIGNED_ZONE"),
                self.msg("DS11_NS_WITH_UNSIGNED_ZONE", ns_ip_list=ns_ip_list(children.without)),
                self.msg("DS11_NS_WITH_SIGNED_ZONE", ns_ip_list=ns_ip_list(children.with_)),
            ]
        return []
