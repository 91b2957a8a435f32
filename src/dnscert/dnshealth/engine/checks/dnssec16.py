"""DNSSEC16: Validate CDS (Zonemaster specification, same tags).

Each child name server is asked for CDS and DNSKEY. Every CDS must point (by key tag) at a
zone key of the DNSKEY RRset that signs the DNSKEY RRset and the CDS RRset; a "delete" CDS
must stand alone; the CDS RRset must be signed by known keys with valid signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import dns.name

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec_common import (
    KeyedSets,
    SignatureFindings,
    SignedRRset,
    check_signatures,
    child_servers,
    fetch_signed,
    ns_ip_list,
)
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@dataclass
class _State:
    no_dnskey: set[str] = field(default_factory=set)
    mixed_delete: set[str] = field(default_factory=set)
    delete: set[str] = field(default_factory=set)
    no_match: KeyedSets = field(default_factory=KeyedSets)
    non_zone: KeyedSets = field(default_factory=KeyedSets)
    non_sep: KeyedSets = field(default_factory=KeyedSets)
    dnskey_not_signed: KeyedSets = field(default_factory=KeyedSets)
    cds_not_signed_by_cds: KeyedSets = field(default_factory=KeyedSets)
    unsigned: set[str] = field(default_factory=set)
    unknown_signer: KeyedSets = field(default_factory=KeyedSets)
    invalid_rrsig: KeyedSets = field(default_factory=KeyedSets)


@register
class Dnssec16(TestCase):
    """DNSSEC16: CDS records point at signing zone keys and are properly signed."""

    id = "DNSSEC16"
    module = "DNSSEC"
    description = "Validate CDS"
    tags = {
        "DS16_CDS_INVALID_RRSIG": Level.ERROR,
        "DS16_CDS_MATCHES_NON_SEP_DNSKEY": Level.NOTICE,
        "DS16_CDS_MATCHES_NON_ZONE_DNSKEY": Level.ERROR,
        "DS16_CDS_MATCHES_NO_DNSKEY": Level.WARNING,
        "DS16_CDS_NOT_SIGNED_BY_CDS": Level.NOTICE,
        "DS16_CDS_SIGNED_BY_UNKNOWN_DNSKEY": Level.ERROR,
        "DS16_CDS_UNSIGNED": Level.ERROR,
        "DS16_CDS_WITHOUT_DNSKEY": Level.ERROR,
        "DS16_DELETE_CDS": Level.INFO,
        "DS16_DNSKEY_NOT_SIGNED_BY_CDS": Level.WARNING,
        "DS16_MIXED_DELETE_CDS": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await child_servers(ctx)
        fetched = await gather_ready(self._fetch(ctx, ip) for ip in servers.ips)
        with_cds = [(ip, cds, keys) for ip, cds, keys in fetched if cds is not None]
        if not with_cds:
            return []
        state = _State()
        now = ctx.config.clock()
        for ip, cds, keys in with_cds:
            assert cds is not None
            self._evaluate(ctx.zone, ip, cds, keys, state, now)
        return self._report(state)

    async def _fetch(
        self, ctx: ZoneContext, ip: str
    ) -> tuple[str, SignedRRset | None, SignedRRset | None]:
        cds = await fetch_signed(ctx, ip, "CDS")
        keys = await fetch_signed(ctx, ip, "DNSKEY")
        return ip, cds, keys

    def _evaluate(
        self,
        zone: dns.name.Name,
        ip: str,
        cds: SignedRRset,
        keys: SignedRRset | None,
        state: _State,
        now: datetime,
    ) -> None:
        deletes = [record for record in cds.records if du.is_delete_ds(record)]
        if deletes:
            (state.mixed_delete if len(cds.records) > 1 else state.delete).add(ip)
        if keys is None:
            state.no_dnskey.add(ip)
            return
        for record in cds.records:
            if not du.is_delete_ds(record):
                self._match(ip, record, cds, keys, state)
        findings = SignatureFindings(state.unsigned, state.unknown_signer, state.invalid_rrsig)
        check_signatures(ip, cds, keys, findings, now)

    def _match(
        self,
        ip: str,
        record: Any,
        cds: SignedRRset,
        keys: SignedRRset,
        state: _State,
    ) -> None:
        tag = record.key_tag
        matching = du.keys_with_tag(keys.records, tag)
        if not matching:
            state.no_match.add(tag, ip)
            return
        key = matching[0]
        if not du.is_zone_key(key):
            state.non_zone.add(tag, ip)
            return
        if not du.has_rrsig_by(keys.rrsigs, key):
            state.dnskey_not_signed.add(tag, ip)
        if not du.has_rrsig_by(cds.rrsigs, key):
            state.cds_not_signed_by_cds.add(tag, ip)
        if not du.is_sep_key(key):
            state.non_sep.add(tag, ip)

    def _report(self, s: _State) -> list[Message]:
        out: list[Message] = []
        for tag, ips in (
            ("DS16_CDS_WITHOUT_DNSKEY", s.no_dnskey),
            ("DS16_MIXED_DELETE_CDS", s.mixed_delete),
            ("DS16_DELETE_CDS", s.delete),
        ):
            if ips:
                out.append(self.msg(tag, ns_ip_list=ns_ip_list(ips)))
        for tag, keyed in (
            ("DS16_CDS_MATCHES_NO_DNSKEY", s.no_match),
            ("DS16_CDS_MATCHES_NON_ZONE_DNSKEY", s.non_zone),
            ("DS16_CDS_MATCHES_NON_SEP_DNSKEY", s.non_sep),
            ("DS16_DNSKEY_NOT_SIGNED_BY_CDS", s.dnskey_not_signed),
            ("DS16_CDS_NOT_SIGNED_BY_CDS", s.cds_not_signed_by_cds),
            ("DS16_CDS_INVALID_RRSIG", s.invalid_rrsig),
        ):
            for keytag, ips in keyed.items():
                out.append(self.msg(tag, ns_ip_list=ns_ip_list(ips), keytag=keytag))
        if s.unsigned:
            out.append(self.msg("DS16_CDS_UNSIGNED", ns_ip_list=ns_ip_list(s.unsigned)))
        for keytag, ips in s.unknown_signer.items():
            out.append(
                self.msg(
                    "DS16_CDS_SIGNED_BY_UNKNOWN_DNSKEY", ns_ip_list=ns_ip_list(ips), keytag=keytag
                )
            )
        return out
