"""Plumbing shared by the DNSSEC test cases: server lists, response filters, grouped sets.

Zonemaster's DNSSEC procedures collect name server IP addresses into named sets (often keyed
by a key tag) and finally print each set with the names of those servers (``ns_list``). The
helpers here keep that bookkeeping out of the check modules, and ``RrsigValidityCase`` holds
the procedure DNSSEC08 and DNSSEC09 share. No test case is registered here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import dns.flags
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.context import Answer, NsIp, QueryResult, ZoneContext, ns_list
from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.model import Message
from dnscert.dnshealth.engine.registry import TestCase


@dataclass
class Servers:
    """Name servers with addresses, indexed by address for ``ns_list`` arguments."""

    entries: list[NsIp]

    @property
    def ips(self) -> list[str]:
        """Unique addresses, in discovery order."""
        return list(dict.fromkeys(entry.address for entry in self.entries if entry.address))

    def ns_list(self, ips: Iterable[str]) -> str:
        """Zonemaster's ``ns_list``: every name/address pair whose address is in ``ips``.

        The address ``"-"`` (a DS given by the user rather than fetched) is listed as ``-``.
        """
        wanted = set(ips)
        items = [entry for entry in self.entries if entry.address in wanted]
        text = ns_list(items)
        if "-" in wanted:
            return ";".join(part for part in ("-", text) if part)
        return text


async def child_servers(ctx: ZoneContext) -> Servers:
    """Delegation and zone name servers (MethodsV2) with an address of an enabled family."""
    delegated = await ctx.get_del_ns_names_and_ips() or []
    zone = await ctx.get_zone_ns_names_and_ips() or []
    return _usable(ctx, [*delegated, *zone])


async def parent_servers(ctx: ZoneContext) -> Servers:
    """Parent name servers (Get-Parent-NS-Names-and-IPs) with an address of an enabled family."""
    return _usable(ctx, await ctx.get_parent_ns_names_and_ips() or [])


def _usable(ctx: ZoneContext, entries: list[NsIp]) -> Servers:
    unique = list(dict.fromkeys(entries))
    return Servers([e for e in unique if e.address and ctx.can_query(e.address)])


def authoritative(result: QueryResult) -> Answer | None:
    """The response if there is one with RCODE NOERROR and the AA flag, else None."""
    if isinstance(result, Answer) and result.rcode == dns.rcode.NOERROR and result.aa:
        return result
    return None


def dnssec_response(result: QueryResult) -> Answer | None:
    """Like ``authoritative`` and also an OPT record with the DO flag set (a DNSSEC response)."""
    answer = authoritative(result)
    if answer is None or not answer.has_edns:
        return None
    if not answer.message.ednsflags & dns.flags.DO:
        return None
    return answer


def find_rrset(
    answer: Answer, section: str, rdtype: int, name: dns.name.Name | None = None
) -> dns.rrset.RRset | None:
    """The first RRset of ``rdtype`` (owned by ``name`` when given) in a section."""
    for rrset in answer.rrsets(section):
        if rrset.rdtype == rdtype and (name is None or rrset.name == name):
            return rrset
    return None


def signatures_for(answer: Answer, section: str, records: dns.rrset.RRset) -> list[Any]:
    """The RRSIG rdata in ``section`` covering ``records`` (same owner and type)."""
    return [
        rdata
        for rrset in answer.rrsets(section)
        if rrset.rdtype == dns.rdatatype.RRSIG and rrset.name == records.name
        for rdata in rrset
        if rdata.type_covered == records.rdtype
    ]


async def zone_ds_records(
    ctx: ZoneContext, accept: Callable[[QueryResult], Answer | None]
) -> list[Any]:
    """The zone's DS records: the user's for an undelegated test, else from the parent servers.

    ``accept`` picks the parent responses to read (``authoritative`` or ``dnssec_response``);
    each distinct DS record is listed once, in the order found.
    """
    if ctx.config.is_undelegated:
        return [
            dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, text)
            for text in ctx.config.undelegated_ds
        ]
    found: list[Any] = []
    for ip in (await parent_servers(ctx)).ips:
        response = accept(await ctx.query(ip, ctx.zone, "DS", dnssec=True))
        if response is not None:
            found.extend(r for r in response.records("DS", name=ctx.zone) if r not in found)
    return found


@dataclass
class SignedRRset:
    """An RRset from an answer section with the RRSIGs covering it (possibly none)."""

    records: dns.rrset.RRset
    rrsigs: list[Any]


async def fetch_signed(ctx: ZoneContext, ip: str, rdtype: str) -> SignedRRset | None:
    """The ``rdtype`` RRset at the apex from ``ip`` with its RRSIGs, if answered with AA."""
    response = authoritative(await ctx.query(ip, ctx.zone, rdtype, dnssec=True))
    if response is None:
        return None
    records = find_rrset(response, "answer", dns.rdatatype.from_text(rdtype), ctx.zone)
    if records is None:
        return None
    return SignedRRset(records, signatures_for(response, "answer", records))


@dataclass
class KeyedSets:
    """A Zonemaster set of (server IP, key) pairs, grouped by key for reporting."""

    by_key: dict[Hashable, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, key: Hashable, ip: str) -> None:
        """Record that server ``ip`` belongs to the set for ``key``."""
        self.by_key[key].add(ip)

    def ips(self) -> set[str]:
        """Every server IP in the set, whatever the key."""
        return {ip for ips in self.by_key.values() for ip in ips}

    def items(self) -> list[tuple[Any, set[str]]]:
        """(key, IPs) pairs sorted by key for deterministic output."""
        return sorted(self.by_key.items(), key=lambda item: str(item[0]))

    def __bool__(self) -> bool:
        return any(self.by_key.values())


@dataclass
class SignatureFindings:
    """Where the RRSIGs over a CDS or CDNSKEY RRset fall short (DNSSEC16 and DNSSEC17)."""

    unsigned: set[str]
    unknown_signer: KeyedSets
    invalid_rrsig: KeyedSets


def check_signatures(
    ip: str, signed: SignedRRset, keys: SignedRRset, findings: SignatureFindings, now: datetime
) -> None:
    """Record whether ``signed`` from ``ip`` has RRSIGs, by known DNSKEYs, that validate."""
    if not signed.rrsigs:
        findings.unsigned.add(ip)
        return
    for rrsig in signed.rrsigs:
        if not du.keys_with_tag(keys.records, rrsig.key_tag):
            findings.unknown_signer.add(rrsig.key_tag, ip)
        elif du.check_rrsig(signed.records, rrsig, keys.records, now) is not (
            du.SignatureStatus.VALID
        ):
            findings.invalid_rrsig.add(rrsig.key_tag, ip)


class RrsigValidityCase(TestCase):
    """DNSSEC08 and DNSSEC09: the apex RRset of ``rrtype`` is signed, validly, by a DNSKEY.

    Subclasses name the record type and their tag prefix (``DS08``/``DS09``) and the tag of
    the expired/not-yet-valid messages; they are registered, this base class is not.
    """

    rrtype: ClassVar[str] = ""
    prefix: ClassVar[str] = ""
    subject: ClassVar[str] = ""  # "DNSKEY" or "SOA": the middle of the *_RRSIG_EXPIRED tags

    async def run(self, ctx: ZoneContext) -> list[Message]:
        servers = await child_servers(ctx)
        findings: dict[du.SignatureStatus | str, KeyedSets] = defaultdict(KeyedSets)
        now = ctx.config.clock()
        await gather_ready(self._probe(ctx, ip, findings, now) for ip in servers.ips)
        return self._report(findings)

    async def _probe(
        self, ctx: ZoneContext, ip: str, findings: dict[Any, KeyedSets], now: datetime
    ) -> None:
        key_response = authoritative(await ctx.query(ip, ctx.zone, "DNSKEY", dnssec=True))
        keys = key_response and find_rrset(key_response, "answer", dns.rdatatype.DNSKEY, ctx.zone)
        if not keys:
            return
        response = authoritative(await ctx.query(ip, ctx.zone, self.rrtype, dnssec=True))
        wanted = dns.rdatatype.from_text(self.rrtype)
        records = response and find_rrset(response, "answer", wanted, ctx.zone)
        if response is None or not records:
            return
        rrsigs = signatures_for(response, "answer", records)
        if not rrsigs:
            findings["missing"].add(None, ip)
        for rrsig in rrsigs:
            status = du.check_rrsig_times_first(records, rrsig, keys, now)
            key = (rrsig.key_tag, rrsig.algorithm)
            if status is du.SignatureStatus.ALGORITHM_NOT_SUPPORTED:
                findings[status].add(key, ip)
            elif status is not du.SignatureStatus.VALID:
                findings[status].add(rrsig.key_tag, ip)

    def _report(self, findings: dict[Any, KeyedSets]) -> list[Message]:
        out: list[Message] = []
        p, subject = self.prefix, self.subject
        if findings["missing"]:
            missing = ns_ip_list(findings["missing"].ips())
            out.append(self.msg(f"{p}_MISSING_RRSIG_IN_RESPONSE", ns_ip_list=missing))
        for status, tag in (
            (du.SignatureStatus.NOT_YET_VALID, f"{p}_{subject}_RRSIG_NOT_YET_VALID"),
            (du.SignatureStatus.EXPIRED, f"{p}_{subject}_RRSIG_EXPIRED"),
            (du.SignatureStatus.NO_DNSKEY, f"{p}_NO_MATCHING_DNSKEY"),
            (du.SignatureStatus.INVALID, f"{p}_RRSIG_NOT_VALID_BY_DNSKEY"),
        ):
            for keytag, ips in findings[status].items():
                out.append(self.msg(tag, ns_ip_list=ns_ip_list(ips), keytag=keytag))
        unsupported = findings[du.SignatureStatus.ALGORITHM_NOT_SUPPORTED]
        for (keytag, algorithm), ips in unsupported.items():
            out.append(
                self.msg(
                    f"{p}_ALGO_NOT_SUPPORTED_BY_ZM",
                    ns_ip_list=ns_ip_list(ips),
                    keytag=keytag,
                    algo_num=algorithm,
                    algo_mnemo=du.key_algorithm_info(algorithm).mnemonic,
                )
            )
        return out


def ns_ip_list(ips: Iterable[str]) -> str:
    """Zonemaster's ``ns_ip_list`` argument: sorted addresses joined by ``;``."""
    return ";".join(sorted(ips))
