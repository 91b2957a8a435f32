"""DNSSEC02: DS must match a valid DNSKEY in the child zone (Zonemaster specification, same tags).

The DS RRset comes from the parent servers (or the undelegated DS). On every child server the
DNSKEY RRset must hold, for each DS, the key it points at (same tag, matching digest), a zone
key, ideally a SEP key, that signs the DNSKEY RRset with a signature valid at the engine's
clock; at least one DS must lead to such a key on every server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import dns.name
import dns.rdatatype

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec_common import (
    KeyedSets,
    child_servers,
    dnssec_response,
    find_rrset,
    ns_ip_list,
    signatures_for,
    zone_ds_records,
)
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register


@dataclass
class _State:
    no_dnskey_for_ds: KeyedSets = field(default_factory=KeyedSets)
    no_match: KeyedSets = field(default_factory=KeyedSets)
    not_zone: KeyedSets = field(default_factory=KeyedSets)
    not_sep: KeyedSets = field(default_factory=KeyedSets)
    no_rrsig: KeyedSets = field(default_factory=KeyedSets)
    algo_not_supported: KeyedSets = field(default_factory=KeyedSets)
    rrsig_invalid: KeyedSets = field(default_factory=KeyedSets)
    responding: set[str] = field(default_factory=set)
    has_match: set[str] = field(default_factory=set)
    has_signed_match: set[str] = field(default_factory=set)


@register
class Dnssec02(TestCase):
    """DNSSEC02: every DS points at a zone key that signs the child's DNSKEY RRset."""

    id = "DNSSEC02"
    module = "DNSSEC"
    description = "DS must match a valid DNSKEY in the child zone"
    tags = {
        "DS02_ALGO_NOT_SUPPORTED_BY_ZM": Level.NOTICE,
        "DS02_DNSKEY_NOT_FOR_ZONE_SIGNING": Level.ERROR,
        "DS02_DNSKEY_NOT_SEP": Level.NOTICE,
        "DS02_DNSKEY_NOT_SIGNED_BY_ANY_DS": Level.ERROR,
        "DS02_NO_DNSKEY_FOR_DS": Level.WARNING,
        "DS02_NO_MATCHING_DNSKEY_RRSIG": Level.WARNING,
        "DS02_NO_MATCH_DS_DNSKEY": Level.ERROR,
        "DS02_NO_VALID_DNSKEY_FOR_ANY_DS": Level.ERROR,
        "DS02_RRSIG_NOT_VALID_BY_DNSKEY": Level.ERROR,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        ds_records = await self._ds_records(ctx)
        if not ds_records:
            return []
        servers = await child_servers(ctx)
        state = _State()
        now = ctx.config.clock()
        await gather_ready(self._probe(ctx, ip, ds_records, state, now) for ip in servers.ips)
        return self._report(state)

    async def _ds_records(self, ctx: ZoneContext) -> list[Any]:
        return await zone_ds_records(ctx, dnssec_response)

    async def _probe(
        self, ctx: ZoneContext, ip: str, ds_records: list[Any], state: _State, now: datetime
    ) -> None:
        response = dnssec_response(await ctx.query(ip, ctx.zone, "DNSKEY", dnssec=True))
        keys = find_rrset(response, "answer", dns.rdatatype.DNSKEY, ctx.zone) if response else None
        if response is None or keys is None:
            return
        state.responding.add(ip)
        rrsigs = signatures_for(response, "answer", keys)
        matching = [
            key for ds in ds_records if (key := self._match_ds(ctx.zone, ip, ds, keys, state))
        ]
        for key in dict.fromkeys(matching):
            self._check_signature(ip, key, keys, rrsigs, state, now)

    def _match_ds(
        self, zone: dns.name.Name, ip: str, ds: Any, keys: Any, state: _State
    ) -> Any | None:
        candidates = du.keys_with_tag(keys, ds.key_tag)
        if not candidates:
            state.no_dnskey_for_ds.add(ds.key_tag, ip)
            return None
        key = next((k for k in candidates if du.ds_matches_dnskey(ds, k, zone)), candidates[0])
        if du.ds_matches_dnskey(ds, key, zone) is False:
            state.no_match.add(ds.key_tag, ip)
        if not du.is_zone_key(key):
            state.not_zone.add(ds.key_tag, ip)
            return None
        if not du.is_sep_key(key):
            state.not_sep.add(du.key_tag(key), ip)
        state.has_match.add(ip)
        return key

    def _check_signature(
        self, ip: str, key: Any, keys: Any, rrsigs: list[Any], state: _State, now: datetime
    ) -> None:
        tag = du.key_tag(key)
        mine = [rrsig for rrsig in rrsigs if rrsig.key_tag == tag]
        if not mine:
            state.no_rrsig.add(tag, ip)
            return
        statuses = [du.check_rrsig(keys, rrsig, [key], now) for rrsig in mine]
        if du.SignatureStatus.VALID in statuses:
            state.has_signed_match.add(ip)
        elif du.SignatureStatus.ALGORITHM_NOT_SUPPORTED in statuses:
            state.algo_not_supported.add((tag, key.algorithm), ip)
        else:
            state.rrsig_invalid.add(tag, ip)

    def _report(self, s: _State) -> list[Message]:
        out: list[Message] = []
        for tag, keyed in (
            ("DS02_NO_DNSKEY_FOR_DS", s.no_dnskey_for_ds),
            ("DS02_NO_MATCH_DS_DNSKEY", s.no_match),
            ("DS02_DNSKEY_NOT_FOR_ZONE_SIGNING", s.not_zone),
            ("DS02_DNSKEY_NOT_SEP", s.not_sep),
            ("DS02_NO_MATCHING_DNSKEY_RRSIG", s.no_rrsig),
        ):
            for keytag, ips in keyed.items():
                out.append(self.msg(tag, ns_ip_list=ns_ip_list(ips), keytag=keytag))
        for (keytag, algorithm), ips in s.algo_not_supported.items():
            mnemonic = du.key_algorithm_info(algorithm).mnemonic
            out.append(
                self.msg(
                    "DS02_ALGO_NOT_SUPPORTED_BY_ZM",
                    ns_ip_list=ns_ip_list(ips),
                    keytag=keytag,
                    algo_num=algorithm,
                    algo_mnemo=mnemonic,
                )
            )
        for keytag, ips in s.rrsig_invalid.items():
            ip_list = ns_ip_list(ips)
            out.append(
                self.msg("DS02_RRSIG_NOT_VALID_BY_DNSKEY", ns_ip_list=ip_list, keytag=keytag)
            )
        no_valid = s.responding - s.has_match
        if no_valid:
            out.append(self.msg("DS02_NO_VALID_DNSKEY_FOR_ANY_DS", ns_ip_list=ns_ip_list(no_valid)))
        elif unsigned := s.responding - s.has_signed_match:
            out.append(
                self.msg("DS02_DNSKEY_NOT_SIGNED_BY_ANY_DS", ns_ip_list=ns_ip_list(unsigned))
            )
        return out
