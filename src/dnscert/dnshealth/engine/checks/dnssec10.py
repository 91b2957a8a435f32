"""DNSSEC10: Zone contains NSEC or NSEC3 records (Zonemaster specification, same tags).

Each child name server with a DNSKEY RRset is asked for NSEC and NSEC3PARAM at the apex.
An NSEC zone answers NSEC and denies NSEC3PARAM with an apex NSEC; an NSEC3 zone answers
NSEC3PARAM and denies NSEC with the apex NSEC3. The denial records are checked (single record,
apex owner, type list, SOA present, signatures valid at the engine's clock), and the servers
are compared: all NSEC, all NSEC3, never both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import dns.name
import dns.rdatatype
import dns.rrset

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec_common import (
    KeyedSets,
    Servers,
    authoritative,
    child_servers,
    find_rrset,
    signatures_for,
)
from dnscert.dnshealth.engine.context import Answer, ZoneContext
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Level, Message
from dnscert.dnshealth.engine.registry import TestCase, register

E, W, N = Level.ERROR, Level.WARNING, Level.NOTICE


@dataclass
class _Denial:
    """The sets of one denial kind ("NSEC" or "NSEC3") in the procedure."""

    mismatches_apex: set[str] = field(default_factory=set)
    type_list: set[str] = field(default_factory=set)
    missing_signature: set[str] = field(default_factory=set)
    wrong_soa: KeyedSets = field(default_factory=KeyedSets)
    missing_soa: set[str] = field(default_factory=set)
    no_dnskey: KeyedSets = field(default_factory=KeyedSets)
    expired: KeyedSets = field(default_factory=KeyedSets)
    not_yet_valid: KeyedSets = field(default_factory=KeyedSets)
    verify_error: KeyedSets = field(default_factory=KeyedSets)
    verified: set[str] = field(default_factory=set)
    multiple: set[str] = field(default_factory=set)


@dataclass
class _State:
    ignored: set[str] = field(default_factory=set)
    with_dnskey: set[str] = field(default_factory=set)
    without_dnskey: set[str] = field(default_factory=set)
    nsec_in_answer: set[str] = field(default_factory=set)
    nsec_err_answer: set[str] = field(default_factory=set)
    nsec_gives_nsec3_nodata: set[str] = field(default_factory=set)
    nsec_query_error: set[str] = field(default_factory=set)
    param_in_answer: set[str] = field(default_factory=set)
    param_multiple: set[str] = field(default_factory=set)
    param_mismatches_apex: set[str] = field(default_factory=set)
    param_err_answer: set[str] = field(default_factory=set)
    param_gives_nsec_nodata: set[str] = field(default_factory=set)
    param_query_error: set[str] = field(default_factory=set)
    algo_not_supported: KeyedSets = field(default_factory=KeyedSets)
    nsec: _Denial = field(default_factory=_Denial)
    nsec3: _Denial = field(default_factory=_Denial)

    @property
    def nsec_type(self) -> set[str]:
        return self.nsec_in_answer | self.param_gives_nsec_nodata

    @property
    def nsec3_type(self) -> set[str]:
        return self.param_in_answer | self.nsec_gives_nsec3_nodata


_STATUS_SETS: dict[du.SignatureStatus, str] = {
    du.SignatureStatus.NO_DNSKEY: "no_dnskey",
    du.SignatureStatus.EXPIRED: "expired",
    du.SignatureStatus.NOT_YET_VALID: "not_yet_valid",
    du.SignatureStatus.INVALID: "verify_error",
}


@register
class Dnssec10(TestCase):
    """DNSSEC10: NSEC or NSEC3 present, correct, signed and consistent across servers."""

    id = "DNSSEC10"
    module = "DNSSEC"
    description = "Zone contains NSEC or NSEC3 records"
    tags = {
        "DS10_ALGO_NOT_SUPPORTED_BY_ZM": N,
        "DS10_ERR_MULT_NSEC": E,
        "DS10_ERR_MULT_NSEC3": E,
        "DS10_ERR_MULT_NSEC3PARAM": E,
        "DS10_EXPECTED_NSEC_NSEC3_MISSING": E,
        "DS10_HAS_NSEC": Level.INFO,
        "DS10_HAS_NSEC3": Level.INFO,
        "DS10_INCONSISTENT_NSEC": E,
        "DS10_INCONSISTENT_NSEC3": E,
        "DS10_INCONSISTENT_NSEC_NSEC3": E,
        "DS10_MIXED_NSEC_NSEC3": E,
        "DS10_NSEC3PARAM_GIVES_ERR_ANSWER": E,
        "DS10_NSEC3PARAM_MISMATCHES_APEX": E,
        "DS10_NSEC3PARAM_QUERY_RESPONSE_ERR": E,
        "DS10_NSEC3_ERR_TYPE_LIST": E,
        "DS10_NSEC3_MISMATCHES_APEX": E,
        "DS10_NSEC3_MISSING_SIGNATURE": E,
        "DS10_NSEC3_NODATA_MISSING_SOA": E,
        "DS10_NSEC3_NODATA_WRONG_SOA": E,
        "DS10_NSEC3_NO_VERIFIED_SIGNATURE": E,
        "DS10_NSEC3_RRSIG_EXPIRED": E,
        "DS10_NSEC3_RRSIG_NOT_YET_VALID": E,
        "DS10_NSEC3_RRSIG_NO_DNSKEY": W,
        "DS10_NSEC3_RRSIG_VERIFY_ERROR": E,
        "DS10_NSEC_ERR_TYPE_LIST": E,
        "DS10_NSEC_GIVES_ERR_ANSWER": E,
        "DS10_NSEC_MISMATCHES_APEX": E,
        "DS10_NSEC_MISSING_SIGNATURE": E,
        "DS10_NSEC_NODATA_MISSING_SOA": E,
        "DS10_NSEC_NODATA_WRONG_SOA": E,
        "DS10_NSEC_NO_VERIFIED_SIGNATURE": E,
        "DS10_NSEC_QUERY_RESPONSE_ERR": E,
        "DS10_NSEC_RRSIG_EXPIRED": E,
        "DS10_NSEC_RRSIG_NOT_YET_VALID": E,
        "DS10_NSEC_RRSIG_NO_DNSKEY": W,
        "DS10_NSEC_RRSIG_VERIFY_ERROR": E,
        "DS10_SERVER_NO_DNSSEC": E,
        "DS10_ZONE_NO_DNSSEC": N,
    }

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await child_servers(ctx)
        state = _State()
        now = ctx.config.clock()
        await gather_ready(self._probe(ctx, ip, state, now) for ip in servers.ips)
        return self._report(servers, state)

    # ---- probing -------------------------------------------------------------------------

    async def _probe(self, ctx: ZoneContext, ip: str, state: _State, now: datetime) -> None:
        response = authoritative(await ctx.query(ip, ctx.zone, "DNSKEY", dnssec=True))
        if response is None:
            state.ignored.add(ip)
            return
        keys = response.records("DNSKEY", name=ctx.zone)
        if not keys:
            state.without_dnskey.add(ip)
            return
        state.with_dnskey.add(ip)
        probe = _Probe(ctx.zone, ip, keys, state, now)
        probe.nsec_query(await ctx.query(ip, ctx.zone, "NSEC", dnssec=True))
        probe.nsec3param_query(await ctx.query(ip, ctx.zone, "NSEC3PARAM", dnssec=True))

    # ---- reporting -----------------------------------------------------------------------

    def _report(self, servers: Servers, s: _State) -> list[Message]:
        out: list[Message] = []

        def emit(tag: str, ips: set[str], **args: Any) -> None:
            if ips:
                out.append(self.msg(tag, ns_list=servers.ns_list(ips), **args))

        emit("DS10_ERR_MULT_NSEC", s.nsec.multiple)
        emit("DS10_ERR_MULT_NSEC3", s.nsec3.multiple)
        emit("DS10_ERR_MULT_NSEC3PARAM", s.param_multiple)
        self._consistency(emit, servers, s, out)
        for kind, denial in (("NSEC", s.nsec), ("NSEC3", s.nsec3)):
            self._denial_findings(emit, kind, denial, s)
        emit("DS10_NSEC_GIVES_ERR_ANSWER", s.nsec_err_answer)
        emit("DS10_NSEC_QUERY_RESPONSE_ERR", s.nsec_query_error)
        emit("DS10_NSEC3PARAM_GIVES_ERR_ANSWER", s.param_err_answer)
        emit("DS10_NSEC3PARAM_MISMATCHES_APEX", s.param_mismatches_apex)
        emit("DS10_NSEC3PARAM_QUERY_RESPONSE_ERR", s.param_query_error)
        for kind, denial in (("NSEC", s.nsec), ("NSEC3", s.nsec3)):
            self._signature_findings(emit, kind, denial)
        for (tag, algorithm), ips in s.algo_not_supported.items():
            mnemonic = du.key_algorithm_info(algorithm).mnemonic
            emit("DS10_ALGO_NOT_SUPPORTED_BY_ZM", ips, keytag=tag, algo_num=algorithm,
                 algo_mnemo=mnemonic)  # fmt: skip
        if s.without_dnskey and not s.with_dnskey:
            emit("DS10_ZONE_NO_DNSSEC", s.without_dnskey)
        if s.without_dnskey and s.with_dnskey:
            emit("DS10_SERVER_NO_DNSSEC", s.without_dnskey)
        accounted = s.ignored | s.without_dnskey | s.nsec_type | s.nsec3_type
        emit("DS10_EXPECTED_NSEC_NSEC3_MISSING", set(servers.ips) - accounted)
        return out

    def _consistency(
        self, emit: Callable[..., None], servers: Servers, s: _State, out: list[Message]
    ) -> None:
        nsec_only = s.nsec_in_answer ^ s.param_gives_nsec_nodata
        emit("DS10_INCONSISTENT_NSEC", nsec_only - s.nsec3_type)
        nsec3_only = s.param_in_answer ^ s.nsec_gives_nsec3_nodata
        emit("DS10_INCONSISTENT_NSEC3", nsec3_only - s.nsec_type)
        emit("DS10_MIXED_NSEC_NSEC3", s.nsec_type & s.nsec3_type)
        if s.nsec_type and not s.nsec3_type:
            emit("DS10_HAS_NSEC", s.nsec_type)
        if s.nsec3_type and not s.nsec_type:
            emit("DS10_HAS_NSEC3", s.nsec3_type)
        pure_nsec3 = s.nsec3_type - s.nsec_type
        pure_nsec = s.nsec_type - s.nsec3_type
        if pure_nsec3 and pure_nsec:
            out.append(
                self.msg(
                    "DS10_INCONSISTENT_NSEC_NSEC3",
                    ns_list_nsec=servers.ns_list(pure_nsec),
                    ns_list_nsec3=servers.ns_list(pure_nsec3),
                )
            )

    def _denial_findings(
        self, emit: Callable[..., None], kind: str, denial: _Denial, s: _State
    ) -> None:
        emit(f"DS10_{kind}_ERR_TYPE_LIST", denial.type_list)
        emit(f"DS10_{kind}_MISMATCHES_APEX", denial.mismatches_apex)
        for domain, ips in denial.wrong_soa.items():
            emit(f"DS10_{kind}_NODATA_WRONG_SOA", ips, domain=domain)
        emit(f"DS10_{kind}_NODATA_MISSING_SOA", denial.missing_soa)

    def _signature_findings(self, emit: Callable[..., None], kind: str, denial: _Denial) -> None:
        emit(f"DS10_{kind}_MISSING_SIGNATURE", denial.missing_signature)
        failing: set[str] = set()
        for suffix, sets in (
            ("RRSIG_NO_DNSKEY", denial.no_dnskey),
            ("RRSIG_EXPIRED", denial.expired),
            ("RRSIG_NOT_YET_VALID", denial.not_yet_valid),
            ("RRSIG_VERIFY_ERROR", denial.verify_error),
        ):
            for tag, ips in sets.items():
                emit(f"DS10_{kind}_{suffix}", ips, keytag=tag)
            failing |= sets.ips()
        emit(f"DS10_{kind}_NO_VERIFIED_SIGNATURE", failing - denial.verified)


@dataclass
class _ApexQuery:
    """Where one apex query (NSEC or NSEC3PARAM) puts a server, as sets of ``_State``."""

    rdtype: str
    query_error: set[str]
    err_answer: set[str]
    in_answer: set[str]
    multiple: set[str]
    mismatches_apex: set[str]
    gives_denial_nodata: set[str]


@dataclass
class _Probe:
    """The NSEC and NSEC3PARAM steps of the procedure for one server with DNSKEYs."""

    zone: dns.name.Name
    ip: str
    keys: list[Any]
    state: _State
    now: datetime

    def nsec_query(self, result: Any) -> None:
        s = self.state
        outcome = _ApexQuery(
            "NSEC",
            s.nsec_query_error,
            s.nsec_err_answer,
            s.nsec_in_answer,
            s.nsec.multiple,
            s.nsec.mismatches_apex,
            s.nsec_gives_nsec3_nodata,
        )
        self._apex_query(result, outcome, dns.rdatatype.NSEC3, s.nsec3)

    def nsec3param_query(self, result: Any) -> None:
        s = self.state
        outcome = _ApexQuery(
            "NSEC3PARAM",
            s.param_query_error,
            s.param_err_answer,
            s.param_in_answer,
            s.param_multiple,
            s.param_mismatches_apex,
            s.param_gives_nsec_nodata,
        )
        self._apex_query(result, outcome, dns.rdatatype.NSEC, s.nsec)

    def _apex_query(
        self, result: Any, outcome: _ApexQuery, denial_type: int, denial: _Denial
    ) -> None:
        """Sort the answer to an apex query into ``outcome``; check a ``denial_type`` NODATA."""
        ip = self.ip
        response = authoritative(result)
        if response is None:
            outcome.query_error.add(ip)
        elif response.message.answer:
            records = response.records(outcome.rdtype)
            if not records:
                outcome.err_answer.add(ip)
                return
            outcome.in_answer.add(ip)
            if len(records) > 1:
                outcome.multiple.add(ip)
            elif response.owners(outcome.rdtype) != {self.zone}:
                outcome.mismatches_apex.add(ip)
        elif response.records(denial_type, section="authority"):
            outcome.gives_denial_nodata.add(ip)
            self._nodata(response, denial_type, denial)

    def _nodata(self, response: Answer, rdtype: int, denial: _Denial) -> None:
        soa = find_rrset(response, "authority", dns.rdatatype.SOA)
        if soa is None:
            denial.missing_soa.add(self.ip)
        elif soa.name != self.zone:
            denial.wrong_soa.add(soa.name.to_text(omit_final_dot=True), self.ip)
        if len(response.records(rdtype, section="authority")) > 1:
            denial.multiple.add(self.ip)
            return
        records = find_rrset(response, "authority", rdtype)
        assert records is not None  # the caller saw one
        if not self._owner_ok(records):
            denial.mismatches_apex.add(self.ip)
        elif not self._types_ok(records):
            denial.type_list.add(self.ip)
        self._signatures(response, records, denial)

    def _owner_ok(self, records: dns.rrset.RRset) -> bool:
        if records.rdtype == dns.rdatatype.NSEC:
            return records.name == self.zone
        return du.nsec3_owner_matches(records.name, records[0], self.zone)

    def _types_ok(self, records: dns.rrset.RRset) -> bool:
        if records.rdtype == dns.rdatatype.NSEC:
            return du.nsec_apex_type_list_ok(records[0])
        return du.nsec3_apex_type_list_ok(records[0])

    def _signatures(self, response: Answer, records: dns.rrset.RRset, denial: _Denial) -> None:
        rrsigs = signatures_for(response, "authority", records)
        if not rrsigs:
            denial.missing_signature.add(self.ip)
            return
        for rrsig in rrsigs:
            status = du.check_rrsig(records, rrsig, self.keys, self.now)
            if status is du.SignatureStatus.VALID:
                denial.verified.add(self.ip)
            elif status is du.SignatureStatus.ALGORITHM_NOT_SUPPORTED:
                self.state.algo_not_supported.add((rrsig.key_tag, rrsig.algorithm), self.ip)
            else:
                keyed: KeyedSets = getattr(denial, _STATUS_SETS[status])
                keyed.add(rrsig.key_tag, self.ip)
