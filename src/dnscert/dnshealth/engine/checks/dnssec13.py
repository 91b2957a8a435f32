"""DNSSEC13: All DNSKEY algorithms used to sign the zone (Zonemaster specification, same tags).

RFC 6840 section 5.11: every algorithm present in the DNSKEY RRset must sign the zone. On
each child name server, the DNSKEY, SOA and NS RRsets at the apex must each carry an RRSIG
made with every algorithm of the DNSKEY RRset (only the algorithm is compared here; whether
the signatures are valid is DNSSEC08's and DNSSEC09's concern).
"""

from __future__ import annotations

import dns.rdatatype

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec_common import (
    KeyedSets,
    authoritative,
    child_servers,
    find_rrset,
    ns_ip_list,
    signatures_for,
)
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

_RRTYPES = ("DNSKEY", "SOA", "NS")


@register
class Dnssec13(TestCase):
    """DNSSEC13: each DNSKEY algorithm signs the DNSKEY, SOA and NS RRsets."""

    id = "DNSSEC13"
    module = "DNSSEC"
    description = "All DNSKEY algorithms used to sign the zone"
    tags = {
        "DS13_ALGO_NOT_SIGNED_DNSKEY": Level.WARNING,
        "DS13_ALGO_NOT_SIGNED_NS": Level.WARNING,
        "DS13_ALGO_NOT_SIGNED_SOA": Level.WARNING,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await child_servers(ctx)
        unsigned = {rrtype: KeyedSets() for rrtype in _RRTYPES}
        await gather_ready(self._probe(ctx, ip, unsigned) for ip in servers.ips)
        out = []
        for rrtype in _RRTYPES:
            for algorithm, ips in unsigned[rrtype].items():
                out.append(
                    self.msg(
                        f"DS13_ALGO_NOT_SIGNED_{rrtype}",
                        ns_ip_list=ns_ip_list(ips),
                        algo_num=algorithm,
                        algo_mnemo=du.key_algorithm_info(algorithm).mnemonic,
                    )
                )
        return out

    async def _probe(self, ctx: ZoneContext, ip: str, unsigned: dict[str, KeyedSets]) -> None:
        algorithms: set[int] = set()
        for rrtype in _RRTYPES:
            signed_with = await self._signing_algorithms(ctx, ip, rrtype)
            if signed_with is None:
                return
            if rrtype == "DNSKEY":
                algorithms = signed_with[1]
            for algorithm in sorted(algorithms - signed_with[0]):
                unsigned[rrtype].add(algorithm, ip)

    async def _signing_algorithms(
        self, ctx: ZoneContext, ip: str, rrtype: str
    ) -> tuple[set[int], set[int]] | None:
        """(RRSIG algorithms, record algorithms) of the apex ``rrtype``; None: stop here."""
        response = authoritative(await ctx.query(ip, ctx.zone, rrtype, dnssec=True))
        if response is None:
            return None
        records = find_rrset(response, "answer", dns.rdatatype.from_text(rrtype), ctx.zone)
        if records is None:
            return None
        rrsigs = signatures_for(response, "answer", records)
        if not rrsigs:
            return None
        key_algorithms = {int(r.algorithm) for r in records} if rrtype == "DNSKEY" else set()
        return {int(rrsig.algorithm) for rrsig in rrsigs}, key_algorithms
