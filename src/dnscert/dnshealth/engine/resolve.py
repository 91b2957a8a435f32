"""Iterative resolution from root hints ("DNS Lookup" in Zonemaster's methods).

Follows referrals from the closest known zone cut down to an authoritative answer, resolving
name server names that came without glue, and follows CNAME chains. Loops and runaway depth
end with an error code in the result instead of an exception or a hang: a referral that does
not get closer to the name, a zone cut seen twice, a CNAME chain that revisits a name or is
longer than ``MAX_CNAME_CHAIN``, more than ``MAX_REFERRALS`` steps or ``MAX_DEPTH`` nested
name server lookups. Zone cuts learnt from referrals are shared by every zone of a run.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, field
from typing import Any

import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from dnscert.dnshealth.engine.gathering import gather_ready, start_eagerly
from dnscert.dnshealth.engine.model import EngineConfig
from dnscert.dnshealth.engine.names import keep_labels
from dnscert.dnshealth.engine.query import (
    Answer,
    CountingClient,
    QueryClient,
    QueryOptions,
    shielded,
    unique,
)

MAX_CNAME_CHAIN = 10
MAX_REFERRALS = 32
MAX_DEPTH = 6


class LookupError_(enum.StrEnum):
    """Why a lookup ended without an answer (besides a plain NXDOMAIN or NODATA)."""

    NO_RESPONSE = "no_response"  # no server at some step gave a usable response
    CNAME_LOOP = "cname_loop"
    CNAME_CHAIN_TOO_LONG = "cname_chain_too_long"
    REFERRAL_LOOP = "referral_loop"
    TOO_DEEP = "too_deep"
    NO_SERVERS = "no_servers"  # a referral whose name servers have no addresses


@dataclass
class LookupResult:
    """Outcome of a lookup: final rcode, answer RRsets and the CNAME names passed through."""

    qname: dns.name.Name
    rdtype: int
    rcode: int | None = None
    rrsets: list[dns.rrset.RRset] = field(default_factory=list)
    cname_chain: list[dns.name.Name] = field(default_factory=list)
    error: LookupError_ | None = None
    aa: bool = False

    @property
    def ok(self) -> bool:
        """True when an authoritative NOERROR answer was reached."""
        return self.error is None and self.rcode == dns.rcode.NOERROR

    @property
    def target(self) -> dns.name.Name:
        """The name the records finally belong to (the end of any CNAME chain)."""
        return self.cname_chain[-1] if self.cname_chain else self.qname

    def records(self) -> list[str]:
        """Text of the rdata of the wanted type at the final name."""
        return [
            rdata.to_text()
            for rrset in self.rrsets
            if rrset.rdtype == self.rdtype and rrset.name == self.target
            for rdata in rrset
        ]


def _labels_key(name: dns.name.Name) -> tuple[bytes, ...]:
    """Case-folded labels: a cheap dictionary key (hashing ``Name`` objects is slow)."""
    return tuple(label.lower() for label in name.labels)


#: Finished lookups a ``ZoneCutCache`` keeps before it forgets them all (bounded memory).
LOOKUP_CACHE_LIMIT = 20_000

#: A shared lookup's outcome: the result and every lookup error met on the way.
SharedLookup = tuple["LookupResult", list[tuple[dns.name.Name, int, "LookupError_"]]]


class ZoneCutCache:
    """What every zone of a run shares about resolution: zone cuts and finished lookups.

    Zone cut -> name server addresses, learnt from referrals; and (name, type) -> the outcome
    of a lookup from the root hints, so the many zones of a batch that look up the same name
    (a hosting provider's name servers, PTRs of its addresses) walk the tree once. Lookups
    under user-imposed zone cuts (an undelegated test) are never shared.
    """

    def __init__(self, root_addresses: list[str]) -> None:
        self.cuts: dict[tuple[bytes, ...], list[str]] = {(b"",): root_addresses}
        self.lookups: dict[tuple[tuple[bytes, ...], int], asyncio.Future[SharedLookup]] = {}
        #: Parent-walk prefixes (``discovery.WalkPrefix``) by parent name and root servers:
        #: the sibling zones of a run walk from the root to their parent once.
        self.walk_prefixes: dict[tuple[Any, ...], asyncio.Future[Any]] = {}

    def remember(
        self, key: tuple[tuple[bytes, ...], int], lookup: asyncio.Future[SharedLookup]
    ) -> None:
        """Keep a lookup under way or done (finished ones are dropped when the cache is full)."""
        if len(self.lookups) >= LOOKUP_CACHE_LIMIT:
            for old in [k for k, done in self.lookups.items() if done.done()]:
                del self.lookups[old]
        self.lookups[key] = lookup

    def remember_walk(self, key: tuple[Any, ...], prefix: asyncio.Future[Any]) -> None:
        """Keep a walk prefix under way or done (finished ones dropped when the cache is full)."""
        if len(self.walk_prefixes) >= LOOKUP_CACHE_LIMIT:
            for old in [k for k, done in self.walk_prefixes.items() if done.done()]:
                del self.walk_prefixes[old]
        self.walk_prefixes[key] = prefix

    def closest(
        self, name: dns.name.Name, overrides: dict[dns.name.Name, list[str]]
    ) -> tuple[dns.name.Name, list[str]]:
        """The deepest known cut at or above ``name`` and its addresses."""
        for cut, addresses in overrides.items():
            if name.is_subdomain(cut):
                return cut, addresses
        key = _labels_key(name)
        for start in range(len(key)):
            known = self.cuts.get(key[start:])
            if known is not None:
                return keep_labels(name.labels[start:]), known
        return dns.name.root, self.cuts[(b"",)]

    def learn(self, cut: dns.name.Name, addresses: list[str]) -> None:
        """Remember the servers of ``cut`` (first writer wins: answers are cached anyway)."""
        if addresses:
            self.cuts.setdefault(_labels_key(cut), addresses)


class Resolver:
    """Iterative resolver on top of a ``QueryClient``."""

    def __init__(
        self,
        client: QueryClient | CountingClient,
        config: EngineConfig,
        cuts: ZoneCutCache | None = None,
        overrides: dict[dns.name.Name, list[str]] | None = None,
    ) -> None:
        self.client = client
        self.config = config
        root_addresses = [address for _name, addrs in config.root_hints for address in addrs]
        self.cuts = cuts or ZoneCutCache(unique(root_addresses))
        #: Zone cuts imposed by the user (undelegated test); never replaced by referrals.
        self.overrides = overrides or {}
        #: (qname, rdtype, error) of every lookup that ended in an error, for the report.
        self.errors: list[tuple[dns.name.Name, int, LookupError_]] = []

    async def lookup(
        self, qname: dns.name.Name | str, rdtype: int | str, depth: int = 0
    ) -> LookupResult:
        """Resolve (qname, rdtype) from the root hints, following CNAMEs.

        A top-level lookup without user-imposed cuts is shared by the whole run through the
        ``ZoneCutCache``; its lookup errors are recorded here as if it had run here. The
        result is shared: read it, do not change it.
        """
        name = dns.name.from_text(qname) if isinstance(qname, str) else qname
        wanted = int(dns.rdatatype.RdataType.make(rdtype))
        if depth or self.overrides:
            return await self._lookup(name, wanted, depth)
        key = (_labels_key(name), wanted)
        shared = self.cuts.lookups.get(key)
        if shared is None:
            shared = start_eagerly(self._shared_lookup(name, wanted))
            self.cuts.remember(key, shared)
        result, errors = shared.result() if shared.done() else await shielded(shared)
        self.errors.extend(errors)
        return result

    async def _shared_lookup(self, name: dns.name.Name, wanted: int) -> SharedLookup:
        """The lookup by a resolver of its own, so its errors can be replayed to everyone."""
        own = Resolver(self.client, self.config, self.cuts, self.overrides)
        result = await own._lookup(name, wanted, 0)
        return result, own.errors

    async def _lookup(self, name: dns.name.Name, wanted: int, depth: int) -> LookupResult:
        result = LookupResult(name, wanted)
        current = name
        seen = {name}
        while True:
            await self._resolve_one(current, wanted, depth, result)
            target = self._cname_target(result, current, wanted)
            if result.error is not None or target is None:
                return self._done(result)
            if target in seen:
                result.error = LookupError_.CNAME_LOOP
                return self._done(result)
            if len(result.cname_chain) >= MAX_CNAME_CHAIN:
                result.error = LookupError_.CNAME_CHAIN_TOO_LONG
                return self._done(result)
            seen.add(target)
            result.cname_chain.append(target)
            current = target

    def _done(self, result: LookupResult) -> LookupResult:
        if result.error is not None:
            self.errors.append((result.qname, result.rdtype, result.error))
        return result

    async def addresses(self, name: dns.name.Name | str, depth: int = 0) -> list[str]:
        """IPv4 and IPv6 addresses of ``name`` (only the enabled families), CNAMEs followed."""
        families = [t for t, on in (("A", self.config.ipv4), ("AAAA", self.config.ipv6)) if on]
        results = await gather_ready(self.lookup(name, t, depth) for t in families)
        return unique(address for result in results for address in result.records())

    @staticmethod
    def _cname_target(
        result: LookupResult, current: dns.name.Name, wanted: int
    ) -> dns.name.Name | None:
        if wanted == dns.rdatatype.CNAME:
            return None
        for rrset in result.rrsets:
            if rrset.name == current and rrset.rdtype == dns.rdatatype.CNAME:
                target: dns.name.Name = rrset[0].target
                return target
        return None

    @staticmethod
    def _has_final(result: LookupResult, name: dns.name.Name, wanted: int) -> bool:
        """True when the answer already holds the records (or the next CNAME) for ``name``."""
        return any(
            rrset.name == name and rrset.rdtype in (wanted, dns.rdatatype.CNAME)
            for rrset in result.rrsets
        )

    async def _resolve_one(
        self, name: dns.name.Name, wanted: int, depth: int, result: LookupResult
    ) -> None:
        """Walk referrals for one name; add its answer RRsets (or an error) to ``result``."""
        if self._has_final(result, name, wanted):
            return
        cut, servers = self.cuts.closest(name, self.overrides)
        visited = {cut}
        for _step in range(MAX_REFERRALS):
            answer = await self._ask_any(servers, name, wanted)
            if answer is None:
                result.error = LookupError_.NO_RESPONSE
                return
            referred = _referral_target(answer, cut, name)
            if referred is None:
                result.rcode = answer.rcode
                result.aa = answer.aa
                result.rrsets.extend(answer.message.answer)
                return
            if referred in visited:
                result.error = LookupError_.REFERRAL_LOOP
                return
            visited.add(referred)
            next_servers = await self._referral_servers(answer, referred, depth)
            if isinstance(next_servers, LookupError_):
                result.error = next_servers
                return
            self.cuts.learn(referred, next_servers)
            servers = next_servers
            cut = referred
        result.error = LookupError_.REFERRAL_LOOP

    async def _referral_servers(
        self, answer: Answer, referred: dns.name.Name, depth: int
    ) -> list[str] | LookupError_:
        """Addresses of a referral's name servers: glue first, else looked up (bounded)."""
        ns_names = [rdata.target for rdata in answer.records("NS", section="authority")]
        glue = [
            rdata.address
            for rrset in answer.rrsets("additional")
            if rrset.name in ns_names and rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)
            for rdata in rrset
        ]
        if glue:
            return unique(glue)
        if depth >= MAX_DEPTH:
            return LookupError_.TOO_DEEP
        looked_up: list[str] = []
        for ns_name in ns_names:
            if ns_name.is_subdomain(referred):
                continue  # in-bailiwick without glue: looking it up would loop on this cut
            looked_up.extend(await self.addresses(ns_name, depth + 1))
            if looked_up:
                break
        return unique(looked_up) or LookupError_.NO_SERVERS

    async def _ask_any(self, servers: list[str], name: dns.name.Name, wanted: int) -> Answer | None:
        """The first usable response among ``servers`` (NOERROR/NXDOMAIN, AA or referral)."""
        options = QueryOptions(port=self.config.port)
        for server in servers:
            response = await self.client.query(server, name, wanted, options)
            if isinstance(response, Answer) and _usable(response):
                return response
        return None


def _referral_target(
    answer: Answer, cut: dns.name.Name, name: dns.name.Name
) -> dns.name.Name | None:
    """The zone a response refers ``name`` to, or None when it is a final answer.

    Besides proper referrals this accepts NS records in authority with AA wrongly set, as
    long as they point strictly below the current cut and cover ``name`` (no answer, no SOA).
    Anything pointing sideways or upwards is a referral loop: returned as ``cut`` itself.
    """
    if answer.message.answer or answer.rcode != dns.rcode.NOERROR:
        return None
    if answer.owners(dns.rdatatype.SOA, "authority"):
        return None
    owners = answer.owners(dns.rdatatype.NS, "authority")
    if not owners:
        return None
    referred = next(iter(owners))
    if referred == cut or not referred.is_subdomain(cut) or not name.is_subdomain(referred):
        return cut if not answer.aa else None
    return referred


def _usable(answer: Answer) -> bool:
    if answer.rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return False
    return answer.aa or bool(answer.owners(dns.rdatatype.NS, "authority"))
