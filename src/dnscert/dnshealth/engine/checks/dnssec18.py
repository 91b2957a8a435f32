"""DNSSEC18: Validate trust from DS to CDS and CDNSKEY (Zonemaster specification, same tags).

RFC 7344 section 4.1: the CDS and CDNSKEY RRsets must be signed with a key the current DS
RRset points to, so the parent can trust them. Runs only when the parent (or the user) has
a DS for the child and the child publishes CDS or CDNSKEY.
"""

from __future__ import annotations

from typing import Any

import dns.name

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec_common import (
    SignedRRset,
    authoritative,
    child_servers,
    fetch_signed,
    ns_ip_list,
    zone_ds_records,
)
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

Fetched = tuple[str, SignedRRset | None, SignedRRset | None, SignedRRset | None]


@register
class Dnssec18(TestCase):
    """DNSSEC18: CDS and CDNSKEY are signed by a key the parent's DS points to."""

    id = "DNSSEC18"
    module = "DNSSEC"
    description = "Validate trust from DS to CDS and CDNSKEY"
    tags = {
        "DS18_NO_MATCH_CDNSKEY_RRSIG_DS": Level.ERROR,
        "DS18_NO_MATCH_CDS_RRSIG_DS": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        ds_records = await self._ds_records(ctx)
        if not ds_records:
            return []
        ips = (await child_servers(ctx)).ips
        fetched = await gather_ready(self._fetch(ctx, ip) for ip in ips)
        if not any(cds or cdnskey for _ip, cds, cdnskey, _keys in fetched):
            return []
        if not any(keys for *_rest, keys in fetched):
            return []
        no_cds_match: set[str] = set()
        no_cdnskey_match: set[str] = set()
        for ip, cds, cdnskey, keys in fetched:
            key_records = list(keys.records) if keys else []
            if cds and not self._trusted(ctx.zone, cds, key_records, ds_records):
                no_cds_match.add(ip)
            if cdnskey and not self._trusted(ctx.zone, cdnskey, key_records, ds_records):
                no_cdnskey_match.add(ip)
        out = []
        if no_cds_match:
            out.append(self.msg("DS18_NO_MATCH_CDS_RRSIG_DS", ns_ip_list=ns_ip_list(no_cds_match)))
        if no_cdnskey_match:
            ip_list = ns_ip_list(no_cdnskey_match)
            out.append(self.msg("DS18_NO_MATCH_CDNSKEY_RRSIG_DS", ns_ip_list=ip_list))
        return out

    async def _ds_records(self, ctx: ZoneContext) -> list[Any]:
        return await zone_ds_records(ctx, authoritative)

    async def _fetch(self, ctx: ZoneContext, ip: str) -> Fetched:
        cds = await fetch_signed(ctx, ip, "CDS")
        cdnskey = await fetch_signed(ctx, ip, "CDNSKEY")
        keys = await fetch_signed(ctx, ip, "DNSKEY")
        return ip, cds, cdnskey, keys

    @staticmethod
    def _trusted(
        zone: dns.name.Name, signed: SignedRRset, keys: list[Any], ds_records: list[Any]
    ) -> bool:
        """True when a DNSKEY some DS points to has made one of the RRset's RRSIGs."""
        for ds in ds_records:
            for key in du.keys_with_tag(keys, ds.key_tag):
                points = key.algorithm == ds.algorithm and du.ds_matches_dnskey(ds, key, zone)
                if points is not False and du.has_rrsig_by(signed.rrsigs, key):
                    return True
        return False
