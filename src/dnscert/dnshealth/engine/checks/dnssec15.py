"""DNSSEC15: Existence of CDS and CDNSKEY (Zonemaster specification, same tags).

Each child name server is asked for CDS and CDNSKEY at the apex. Servers should agree, and a
zone publishing one should publish the other, each CDS matching a CDNSKEY (made from the same
key, or both "delete") and the other way round.
"""

from __future__ import annotations

from typing import Any

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec_common import authoritative, child_servers, ns_ip_list
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

RRsets = dict[str, frozenset[Any]]


def cds_matches_cdnskey(cds: Any, cdnskey: Any, zone: Any) -> bool:
    """True when ``cds`` is derived from ``cdnskey`` or both are "delete" records."""
    if du.is_delete_ds(cds) or du.is_delete_dnskey(cdnskey):
        return du.is_delete_ds(cds) and du.is_delete_dnskey(cdnskey)
    return bool(du.ds_matches_dnskey(cds, cdnskey, zone))


@register
class Dnssec15(TestCase):
    """DNSSEC15: CDS and CDNSKEY published together, consistently and matching."""

    id = "DNSSEC15"
    module = "DNSSEC"
    description = "Existence of CDS and CDNSKEY"
    tags = {
        "DS15_HAS_CDNSKEY_NO_CDS": Level.NOTICE,
        "DS15_HAS_CDS_AND_CDNSKEY": Level.INFO,
        "DS15_HAS_CDS_NO_CDNSKEY": Level.NOTICE,
        "DS15_INCONSISTENT_CDNSKEY": Level.ERROR,
        "DS15_INCONSISTENT_CDS": Level.ERROR,
        "DS15_MISMATCH_CDS_CDNSKEY": Level.ERROR,
        "DS15_NO_CDS_CDNSKEY": Level.INFO,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await child_servers(ctx)
        cds: RRsets = {}
        cdnskey: RRsets = {}
        await gather_ready(self._probe(ctx, ip, cds, cdnskey) for ip in servers.ips)
        if not any(cds.values()) and not any(cdnskey.values()):
            return [self.msg("DS15_NO_CDS_CDNSKEY")]
        return self._report(ctx, cds, cdnskey)

    async def _probe(self, ctx: ZoneContext, ip: str, cds: RRsets, cdnskey: RRsets) -> None:
        for rrtype, into in (("CDS", cds), ("CDNSKEY", cdnskey)):
            response = authoritative(await ctx.query(ip, ctx.zone, rrtype, dnssec=True))
            if response is None:
                return
            into[ip] = frozenset(response.records(rrtype, name=ctx.zone))

    def _report(self, ctx: ZoneContext, cds: RRsets, cdnskey: RRsets) -> list[Message]:
        both = [ip for ip in cds if ip in cdnskey]
        groups: dict[str, set[str]] = {"cds_only": set(), "cdnskey_only": set(), "both": set()}
        mismatch: set[str] = set()
        for ip in both:
            if cds[ip] and not cdnskey[ip]:
                groups["cds_only"].add(ip)
            elif cdnskey[ip] and not cds[ip]:
                groups["cdnskey_only"].add(ip)
            elif cds[ip] and cdnskey[ip]:
                groups["both"].add(ip)
                if not self._pairs_match(ctx, cds[ip], cdnskey[ip]):
                    mismatch.add(ip)
        out = []
        for key, tag in (
            ("cds_only", "DS15_HAS_CDS_NO_CDNSKEY"),
            ("cdnskey_only", "DS15_HAS_CDNSKEY_NO_CDS"),
            ("both", "DS15_HAS_CDS_AND_CDNSKEY"),
        ):
            if groups[key]:
                out.append(self.msg(tag, ns_ip_list=ns_ip_list(groups[key])))
        if len(set(cds.values())) > 1:
            out.append(self.msg("DS15_INCONSISTENT_CDS"))
        if len(set(cdnskey.values())) > 1:
            out.append(self.msg("DS15_INCONSISTENT_CDNSKEY"))
        if mismatch:
            out.append(self.msg("DS15_MISMATCH_CDS_CDNSKEY", ns_ip_list=ns_ip_list(mismatch)))
        return out

    @staticmethod
    def _pairs_match(ctx: ZoneContext, cds: frozenset[Any], cdnskey: frozenset[Any]) -> bool:
        every_cds = all(any(cds_matches_cdnskey(c, k, ctx.zone) for k in cdnskey) for c in cds)
        every_key = all(any(cds_matches_cdnskey(c, k, ctx.zone) for c in cds) for k in cdnskey)
        return every_cds and every_key
