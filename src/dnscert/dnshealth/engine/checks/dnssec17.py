"""DNSSEC17: Validate CDNSKEY (Zonemaster specification, same tags).

Each child name server is asked for CDNSKEY and DNSKEY. Every CDNSKEY must be a zone key
(ideally SEP) equal to a DNSKEY of the zone, whose key signs the DNSKEY RRset and the CDNSKEY
RRset; a "delete" CDNSKEY must stand alone; the CDNSKEY RRset must be signed by known keys
with valid signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
    non_zone: KeyedSets = field(default_factory=KeyedSets)
    non_sep: KeyedSets = field(default_factory=KeyedSets)
    no_match: KeyedSets = field(default_factory=KeyedSets)
    dnskey_not_signed: KeyedSets = field(default_factory=KeyedSets)
    not_signed_by_itself: KeyedSets = field(default_factory=KeyedSets)
    unsigned: set[str] = field(default_factory=set)
    unknown_signer: KeyedSets = field(default_factory=KeyedSets)
    invalid_rrsig: KeyedSets = field(default_factory=KeyedSets)


def _key_data(key: Any) -> tuple[int, int, int, bytes]:
    return (key.flags, key.protocol, int(key.algorithm), key.key)


@register
class Dnssec17(TestCase):
    """DNSSEC17: CDNSKEY records are signing zone keys of the zone and properly signed."""

    id = "DNSSEC17"
    module = "DNSSEC"
    description = "Validate CDNSKEY"
    tags = {
        "DS17_CDNSKEY_INVALID_RRSIG": Level.ERROR,
        "DS17_CDNSKEY_IS_NON_SEP": Level.NOTICE,
        "DS17_CDNSKEY_IS_NON_ZONE": Level.ERROR,
        "DS17_CDNSKEY_MATCHES_NO_DNSKEY": Level.WARNING,
        "DS17_CDNSKEY_NOT_SIGNED_BY_CDNSKEY": Level.NOTICE,
        "DS17_CDNSKEY_SIGNED_BY_UNKNOWN_DNSKEY": Level.ERROR,
        "DS17_CDNSKEY_UNSIGNED": Level.ERROR,
        "DS17_CDNSKEY_WITHOUT_DNSKEY": Level.ERROR,
        "DS17_DELETE_CDNSKEY": Level.INFO,
        "DS17_DNSKEY_NOT_SIGNED_BY_CDNSKEY": Level.WARNING,
        "DS17_MIXED_DELETE_CDNSKEY": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await child_servers(ctx)
        fetched = await gather_ready(self._fetch(ctx, ip) for ip in servers.ips)
        state = _State()
        now = ctx.config.clock()
        for ip, cdnskeys, keys in fetched:
            if cdnskeys is not None:
                self._evaluate(ip, cdnskeys, keys, state, now)
        return self._report(state)

    async def _fetch(
        self, ctx: ZoneContext, ip: str
    ) -> tuple[str, SignedRRset | None, SignedRRset | None]:
        cdnskeys = await fetch_signed(ctx, ip, "CDNSKEY")
        keys = await fetch_signed(ctx, ip, "DNSKEY") if cdnskeys is not None else None
        return ip, cdnskeys, keys

    def _evaluate(
        self,
        ip: str,
        cdnskeys: SignedRRset,
        keys: SignedRRset | None,
        state: _State,
        now: datetime,
    ) -> None:
        if any(du.is_delete_dnskey(record) for record in cdnskeys.records):
            (state.mixed_delete if len(cdnskeys.records) > 1 else state.delete).add(ip)
        if keys is None:
            state.no_dnskey.add(ip)
            return
        for record in cdnskeys.records:
            if not du.is_delete_dnskey(record):
                self._match(ip, record, cdnskeys, keys, state)
        findings = SignatureFindings(state.unsigned, state.unknown_signer, state.invalid_rrsig)
        check_signatures(ip, cdnskeys, keys, findings, now)

    def _match(
        self, ip: str, record: Any, cdnskeys: SignedRRset, keys: SignedRRset, state: _State
    ) -> None:
        tag = du.key_tag(record)
        if not du.is_zone_key(record):
            state.non_zone.add(tag, ip)
            return
        if not du.is_sep_key(record):
            state.non_sep.add(tag, ip)
        same = [key for key in keys.records if _key_data(key) == _key_data(record)]
        if not same:
            state.no_match.add(tag, ip)
            return
        if not du.has_rrsig_by(keys.rrsigs, same[0]):
            state.dnskey_not_signed.add(tag, ip)
        if not du.has_rrsig_by(cdnskeys.rrsigs, same[0]):
            state.not_signed_by_itself.add(tag, ip)

    def _report(self, s: _State) -> list[Message]:
        out: list[Message] = []
        for tag, ips in (
            ("DS17_CDNSKEY_WITHOUT_DNSKEY", s.no_dnskey),
            ("DS17_MIXED_DELETE_CDNSKEY", s.mixed_delete),
            ("DS17_DELETE_CDNSKEY", s.delete),
            ("DS17_CDNSKEY_UNSIGNED", s.unsigned),
        ):
            if ips:
                out.append(self.msg(tag, ns_ip_list=ns_ip_list(ips)))
        for tag, keyed in (
            ("DS17_CDNSKEY_IS_NON_ZONE", s.non_zone),
            ("DS17_CDNSKEY_IS_NON_SEP", s.non_sep),
            ("DS17_CDNSKEY_MATCHES_NO_DNSKEY", s.no_match),
            ("DS17_DNSKEY_NOT_SIGNED_BY_CDNSKEY", s.dnskey_not_signed),
            ("DS17_CDNSKEY_NOT_SIGNED_BY_CDNSKEY", s.not_signed_by_itself),
            ("DS17_CDNSKEY_INVALID_RRSIG", s.invalid_rrsig),
            ("DS17_CDNSKEY_SIGNED_BY_UNKNOWN_DNSKEY", s.unknown_signer),
        ):
            for keytag, ips in keyed.items():
                out.append(self.msg(tag, ns_ip_list=ns_ip_list(ips), keytag=keytag))
        return out
