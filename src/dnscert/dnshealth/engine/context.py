"""What a check sees of its zone: ``ZoneContext`` with cached queries and discovery methods.

The discovery methods follow Zonemaster's MethodsV2 and return ``None`` for its "undefined
set" (the answer cannot be determined), an empty list for "empty set". Every method is
computed once per zone (concurrent callers share the computation) and every query once per
run (the ``QueryClient`` cache), so checks may call them freely.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from dnscert.dnshealth.engine.discovery import ParentWalk, ParentWalker
from dnscert.dnshealth.engine.gathering import start_eagerly
from dnscert.dnshealth.engine.model import EngineConfig
from dnscert.dnshealth.engine.names import keep, kept_name
from dnscert.dnshealth.engine.query import (
    Answer,
    CountingClient,
    QueryClient,
    QueryFailure,
    QueryOptions,
    QueryResult,
    is_ipv6,
    relay,
    same_name,
    shielded,
    unique,
)
from dnscert.dnshealth.engine.resolve import LookupResult, Resolver, ZoneCutCache

__all__ = [
    "Answer",
    "Delegation",
    "NsIp",
    "QueryFailure",
    "QueryResult",
    "ZoneContext",
]

_T = TypeVar("_T")


@dataclass(frozen=True, eq=False)
class NsIp:
    """A name server name with one of its addresses (``address`` None: no address known)."""

    name: dns.name.Name
    address: str | None

    # Checks put these in sets, dicts and ``unique()`` all the time; a Name's hash and
    # comparison are slow loops over its labels, so compare the address first and keep the hash.
    def __eq__(self, other: object) -> bool:
        """Same name (case-insensitive, as ``dns.name.Name``) and same address."""
        if not isinstance(other, NsIp):
            return NotImplemented
        return self.address == other.address and (
            self.name.labels == other.name.labels or self.name == other.name
        )

    # Kept in the instance once computed, without ``functools.cached_property`` (whose lock
    # costs more than these computations: zones make thousands of NsIp).
    def __hash__(self) -> int:
        """The hash of (name, address), computed once."""
        value: int | None = self.__dict__.get("_hash")
        if value is None:
            value = hash((self.name, self.address))
            object.__setattr__(self, "_hash", value)
        return value

    def __str__(self) -> str:
        """Zonemaster's ``ns1.example.xa/192.0.2.1`` form (the name alone without address)."""
        text: str | None = self.__dict__.get("_text")
        if text is None:
            name = self.name.to_text(omit_final_dot=True)
            text = f"{name}/{self.address}" if self.address else name
            object.__setattr__(self, "_text", text)
        return text

    @property
    def is_ipv6(self) -> bool:
        """True when the address is IPv6."""
        return self.address is not None and is_ipv6(self.address)


def ns_list(items: list[NsIp]) -> str:
    """A sorted, ``;``-separated list of name servers for message arguments (``ns_list``)."""
    return ";".join(sorted(str(item) for item in items))


@dataclass
class Delegation:
    """The delegation of a zone as the parent (or the user, for undelegated tests) gives it."""

    parent_ns: list[NsIp] | None
    ns: list[NsIp] | None
    ds: list[dns.rdata.Rdata]
    undelegated: bool


class ZoneContext:
    """The zone under test, the configuration and cached access to the DNS for checks."""

    def __init__(
        self,
        zone: dns.name.Name | str,
        config: EngineConfig,
        client: QueryClient,
        cuts: ZoneCutCache | None = None,
    ) -> None:
        self.zone = kept_name(zone) if isinstance(zone, str) else keep(zone)
        self.config = config
        #: Counts this zone's queries; the shared client below it caches across zones.
        self.client = CountingClient(client)
        self._undelegated = {
            dns.name.from_text(name): list(addresses)
            for name, addresses in config.undelegated_ns.items()
        }
        overrides: dict[dns.name.Name, list[str]] = {}
        if self._undelegated:
            undelegated_ips = [a for addresses in self._undelegated.values() for a in addresses]
            if undelegated_ips:
                overrides[self.zone] = undelegated_ips
        self.resolver = Resolver(self.client, config, cuts, overrides)
        self._memo: dict[str, asyncio.Future[Any]] = {}
        #: The options of a plain query (no EDNS, UDP): the walk's and the delegation's.
        self._plain = _apex_options(config, tcp=False, dnssec=False)
        #: The options of the same query with DO set (the DNSSEC test cases' apex questions).
        self._signed = _apex_options(config, tcp=False, dnssec=True)
        self._apex: dict[tuple[str, int], asyncio.Future[QueryResult]] = {}
        self._delegation: Delegation | None = None
        self._ns_addresses: list[NsIp] | None = None

    # ---- queries ----------------------------------------------------------------------------

    async def query(
        self,
        address: str,
        qname: dns.name.Name | str,
        rdtype: int | str,
        *,
        tcp: bool = False,
        dnssec: bool = False,
        edns: bool | int = False,
        bufsize: int | None = None,
        rd: bool = False,
        cd: bool = False,
        ad: bool = False,
        edns_flags: int = 0,
        edns_options: tuple[tuple[int, bytes], ...] = (),
        qclass: int | str = dns.rdataclass.IN,
        port: int | None = None,
        tcp_fallback: bool = True,
    ) -> QueryResult:
        """Send one query to ``address`` (cached per run); never raises for network trouble.

        ``edns``: False = no OPT record (Zonemaster's default), True = EDNS version 0, an int
        = that EDNS version. ``dnssec`` sets DO and implies EDNS0. A truncated UDP answer is
        asked again over TCP unless ``tcp_fallback`` is False.
        """
        version: int | None = None if edns is False else (0 if edns is True else int(edns))
        options = _options(
            tcp,
            version,
            dnssec,
            bufsize or self.config.edns_bufsize,
            edns_flags,
            edns_options,
            rd,
            cd,
            ad,
            qclass if isinstance(qclass, int) else int(dns.rdataclass.RdataClass.make(qclass)),
            port or self.config.port,
            tcp_fallback,
        )
        # Most queries of a zone were already answered (for this zone or another): take the
        # finished answer without going through the client's coroutines.
        # Labels compared as bytes: a question in another letter case (0x20 probes) is its own.
        apex = isinstance(qname, dns.name.Name) and qname.labels == self.zone.labels
        if options is self._plain and rdtype in _STAND_IN_TYPES and apex:
            self.client.count += 1
            future = self._apex_answer(address, _STAND_IN_TYPES[rdtype])
            if future.done():  # no wait: a done future's callbacks still cost a loop turn
                return future.result()
            return await shielded(future)
        return await self._asked(address, qname, rdtype, options)

    async def _asked(
        self,
        address: str,
        qname: dns.name.Name | str,
        rdtype: int | str,
        options: QueryOptions,
    ) -> QueryResult:
        """The answer to exactly this query, counted as asked by this zone."""
        self.client.count += 1
        shared = self.client.client
        answered = shared.finished(address, qname, rdtype, options)
        if answered is not None:
            return answered
        return await shared.query(address, qname, rdtype, options)

    def start_query(
        self, address: str, rdtype: str, *, tcp: bool = False, dnssec: bool = False
    ) -> asyncio.Future[QueryResult]:
        """Start the apex question ``ctx.query(address, ctx.zone, rdtype, tcp=, dnssec=)``
        asks, without waiting for it (not counted: counted when a test case asks it)."""
        if not tcp and rdtype in _STAND_IN_TYPES:
            if not dnssec:
                return self._apex_answer(address, _STAND_IN_TYPES[rdtype])
            return self.client.client.start(address, self.zone, rdtype, self._signed)
        options = _apex_options(self.config, tcp=tcp, dnssec=dnssec)
        return self.client.client.start(address, self.zone, rdtype, options)

    def _apex_answer(self, address: str, rdtype: int) -> asyncio.Future[QueryResult]:
        """The answer to the plain (no EDNS) apex SOA or NS question to ``address``.

        The DNSSEC test cases ask the same question with DO set. A server that answers that
        one cleanly (NOERROR, authoritative, whole, with OPT, the zone's RRset in the answer)
        gives the same RRset without EDNS: the plain question is then not sent, which spares
        the monitored servers a sixth of a round's queries. Otherwise the plain question is
        asked as Zonemaster asks it, and its own answer is the one judged.
        """
        known = self._apex.get((address, rdtype))
        if known is not None:
            return known
        shared = self.client.client
        signed = shared.start(address, self.zone, rdtype, self._signed)
        if not signed.done():
            # Settled by callbacks when the signed answer comes, without a task of its own.
            later: asyncio.Future[QueryResult] = signed.get_loop().create_future()
            signed.add_done_callback(functools.partial(self._apex_settle, address, rdtype, later))
            self._apex[address, rdtype] = later
            return later
        if _stands_in(signed.result(), self.zone, rdtype):
            return signed
        return shared.start(address, self.zone, rdtype, self._plain)

    def _apex_settle(
        self,
        address: str,
        rdtype: int,
        later: asyncio.Future[QueryResult],
        signed: asyncio.Future[QueryResult],
    ) -> None:
        """``signed`` is done: ``later`` gets its answer if it stands in, else the plain one's."""
        if later.done():
            return
        if signed.cancelled() or signed.exception() is not None:
            relay(later, signed)
            return
        try:
            answer = signed.result()
            if _stands_in(answer, self.zone, rdtype):
                later.set_result(answer)
                return
            plain = self.client.client.start(address, self.zone, rdtype, self._plain)
        except Exception as exc:  # a callback's error would otherwise leave ``later`` waiting
            later.set_exception(exc)
            return
        plain.add_done_callback(functools.partial(relay, later))

    async def query_each(
        self, addresses: list[str], rdtype: str, *, tcp: bool = False, dnssec: bool = False
    ) -> list[QueryResult]:
        """``query(address, self.zone, rdtype, tcp=, dnssec=)`` of every address, all at once.

        The results in the order of ``addresses``; one wait for them all, and no task each.
        """
        futures = [
            self.start_query(address, rdtype, tcp=tcp, dnssec=dnssec) for address in addresses
        ]
        self.client.count += len(futures)
        pending = [future for future in futures if not future.done()]
        if pending:
            await asyncio.wait(pending)  # never cancels them: other zones may share them
        return [future.result() for future in futures]

    async def send(
        self, address: str, message: dns.message.Message, *, tcp: bool = False
    ) -> QueryResult:
        """Send a message the check built itself (not cached, no TCP fallback)."""
        return await self.client.send(address, message, tcp=tcp)

    async def lookup(self, qname: dns.name.Name | str, rdtype: int | str) -> LookupResult:
        """Recursive "DNS Lookup" from the root hints (the undelegated data respected)."""
        return await self.resolver.lookup(qname, rdtype)

    @property
    def query_count(self) -> int:
        """Queries this zone asked (answered from the run's cache or not)."""
        return self.client.count

    async def get_ns_ips(self, name: dns.name.Name | str) -> list[str]:
        """Addresses of a name server name by lookup (CNAMEs followed; enabled families)."""
        ns_name = dns.name.from_text(name) if isinstance(name, str) else name
        return await self._once(f"ns_ips:{ns_name}", lambda: self.resolver.addresses(ns_name))

    def can_query(self, address: str) -> bool:
        """False when the address family of ``address`` is disabled in the configuration."""
        return self.config.ipv6 if is_ipv6(address) else self.config.ipv4

    # ---- MethodsV2 ------------------------------------------------------------------------

    async def get_parent_walk(self) -> ParentWalk:
        """The full parent-zone walk (BASIC01's data); empty for the root zone."""
        return await self._once("parent_walk", self._parent_walk)

    async def get_parent_ns_names_and_ips(self) -> list[NsIp] | None:
        """Get-Parent-NS-Names-and-IPs: [] for the root or an undelegated test, None if unknown."""
        if self.zone == dns.name.root or self._undelegated:
            return []
        walk = await self.get_parent_walk()
        servers = walk.parent_servers()
        for server in walk.other_parent_servers():
            # A parent that serves the child's NS itself (no SOA there) still delegates it.
            response = await self._asked(server.address, self.zone, "NS", self._plain)
            if isinstance(response, Answer) and _gives_child_ns(response, self.zone):
                servers.append(server)
        if not servers:
            return None
        return unique(NsIp(server.name, server.address) for server in servers)

    async def get_parent_ns_ips(self) -> list[str] | None:
        """Get-Parent-NS-IPs: unique parent addresses ([] root/undelegated, None unknown)."""
        parents = await self.get_parent_ns_names_and_ips()
        return None if parents is None else unique(p.address for p in parents if p.address)

    async def get_del_ns_names_and_ips(self) -> list[NsIp] | None:
        """Get-Del-NS-Names-and-IPs: the delegation with glue, out-of-bailiwick names resolved."""
        return await self._once("del_ns", self._del_ns_names_and_ips)

    async def get_del_ns_names(self) -> list[dns.name.Name] | None:
        """Get-Del-NS-Names."""
        servers = await self.get_del_ns_names_and_ips()
        return None if servers is None else unique(server.name for server in servers)

    async def get_del_ns_ips(self) -> list[str] | None:
        """Get-Del-NS-IPs."""
        servers = await self.get_del_ns_names_and_ips()
        return None if servers is None else unique(s.address for s in servers if s.address)

    async def get_zone_ns_names(self) -> list[dns.name.Name] | None:
        """Get-Zone-NS-Names: NS names in the child's own answers (AA) at the delegation IPs."""
        return await self._once("zone_ns_names", self._zone_ns_names)

    async def get_zone_ns_names_and_ips(self) -> list[NsIp] | None:
        """Get-Zone-NS-Names-and-IPs: in-bailiwick addresses from the zone, others looked up."""
        return await self._once("zone_ns", self._zone_ns_names_and_ips)

    async def get_zone_ns_ips(self) -> list[str] | None:
        """Get-Zone-NS-IPs."""
        servers = await self.get_zone_ns_names_and_ips()
        return None if servers is None else unique(s.address for s in servers if s.address)

    async def get_delegation(self) -> Delegation:
        """Parent NS, delegation NS with glue and DS (from the parent or the user)."""
        return await self._once("delegation", self._get_delegation)

    async def get_all_ns(self) -> list[NsIp]:
        """Union of delegation and zone name servers with addresses, delegation first."""
        delegated = await self.get_del_ns_names_and_ips() or []
        zone = await self.get_zone_ns_names_and_ips() or []
        return unique([*delegated, *zone])

    async def discover(self) -> None:
        """Compute the delegation and name servers so the properties below can be used."""
        self._delegation = await self.get_delegation()
        self._ns_addresses = await self.get_all_ns()

    @property
    def delegation(self) -> Delegation:
        """The delegation (after ``await ctx.discover()``, which the runner does)."""
        if self._delegation is None:
            raise RuntimeError("ZoneContext.discover() has not run yet")
        return self._delegation

    @property
    def ns_addresses(self) -> list[NsIp]:
        """Delegation and zone name servers with an address (after ``discover()``)."""
        if self._ns_addresses is None:
            raise RuntimeError("ZoneContext.discover() has not run yet")
        return [ns for ns in self._ns_addresses if ns.address]

    # ---- implementation ---------------------------------------------------------------------

    async def _once(self, key: str, compute: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
        future = self._memo.get(key)
        if future is None:
            future = start_eagerly(compute())
            self._memo[key] = future
        if future.done():
            done: _T = future.result()
            return done
        result: _T = await shielded(future)
        return result

    async def _parent_walk(self) -> ParentWalk:
        if self.zone == dns.name.root:
            return ParentWalk(self.zone)
        root_servers: list[tuple[dns.name.Name, str]] = [
            (kept_name(name), address)
            for name, addresses in self.config.root_hints
            for address in addresses
            if self.can_query(address)
        ]

        async def ask(address: str, qname: dns.name.Name, rdtype: str) -> QueryResult:
            # Exactly the plain question: the parent's referral is no answer a DO query
            # could stand in for (``_apex_answer``).
            return await self._asked(address, qname, rdtype, self._plain)

        walker = ParentWalker(self.zone, root_servers, ask, self.get_ns_ips)
        if self._undelegated:  # lookups see the user's zone cuts: nothing to share
            return await walker.run()
        # The walk down to the parent name is the same for every child of that name: the
        # first sibling of a batch walks it, the others replay it (``discovery``).
        key = (
            self.zone.parent().labels,
            tuple((name.labels, address) for name, address in root_servers),
        )
        cuts = self.resolver.cuts
        prefix = cuts.walk_prefixes.get(key)
        if prefix is None:
            prefix = asyncio.ensure_future(walker.prefix())
            cuts.remember_walk(key, prefix)
        return await walker.finish(await shielded(prefix))

    async def _del_ns_names_and_ips(self) -> list[NsIp] | None:
        delegation = await self._raw_delegation()
        if delegation is None:
            return None
        oob = [name for name, addresses in delegation.items() if not name.is_subdomain(self.zone)]
        for name in oob:
            delegation[name] = unique([*delegation[name], *await self._oob_ips(name)])
        return _flatten(delegation)

    async def _oob_ips(self, name: dns.name.Name) -> list[str]:
        given = self._undelegated.get(name)
        if given:
            return given
        return await self.get_ns_ips(name)

    async def _raw_delegation(self) -> dict[dns.name.Name, list[str]] | None:
        """Get-Delegation: names -> in-bailiwick glue (None when the parent is unknown)."""
        if self._undelegated:
            return {
                name: (addresses if name.is_subdomain(self.zone) else [])
                for name, addresses in self._undelegated.items()
            }
        if self.zone == dns.name.root:
            return {
                dns.name.from_text(name): list(addresses)
                for name, addresses in self.config.root_hints
            }
        parent_ips = await self.get_parent_ns_ips()
        if not parent_ips:
            return None
        referral: dict[dns.name.Name, list[str]] = {}
        authoritative: dict[dns.name.Name, list[str]] = {}
        for address in parent_ips:
            response = await self.parent_ns_answer(address)
            if isinstance(response, Answer) and response.rcode == dns.rcode.NOERROR:
                await self._read_delegation(address, response, referral, authoritative)
        return referral or authoritative

    async def parent_ns_answer(self, address: str) -> QueryResult:
        """The answer of the parent server ``address`` to the child's NS question.

        The parent walk's referral to the SOA question stands in for it when it is clean
        (``_referral_from_walk``); otherwise the NS question is asked.
        """
        referral = self._referral_from_walk(address)
        return referral or await self._asked(address, self.zone, "NS", self._plain)

    def _referral_from_walk(self, address: str) -> Answer | None:
        """The parent walk's SOA answer from ``address`` when it is a clean referral.

        A parent server that is not authoritative for the child answers every question at the
        child's name (DS aside) with the same referral: the NS records of the child in the
        authority section, their glue in the additional section (RFC 1034 4.3.2, step 3b).
        So a referral the walk already received to its SOA question is the delegation the NS
        question would get. Anything less clean (AA set, an answer section, another owner or
        rcode, truncation) is not reused: the NS question is asked as Zonemaster does.
        """
        soa = self.client.client.finished(address, self.zone, dns.rdatatype.SOA, self._plain)
        if not isinstance(soa, Answer) or soa.aa or soa.tc or soa.rcode != dns.rcode.NOERROR:
            return None
        message = soa.message
        if message.answer or not message.authority:
            return None
        for rrset in message.authority:
            if rrset.rdtype != dns.rdatatype.NS or not same_name(rrset.name, self.zone):
                return None
        return soa

    async def _read_delegation(
        self,
        address: str,
        response: Answer,
        referral: dict[dns.name.Name, list[str]],
        authoritative: dict[dns.name.Name, list[str]],
    ) -> None:
        # A referral; also one with AA wrongly set (NS of the child in authority, no answer).
        if not response.message.answer and self.zone in response.owners("NS", "authority"):
            names = [r.target for r in response.records("NS", section="authority", name=self.zone)]
            _merge(referral, names, self._in_bailiwick_glue(response, names))
        elif response.aa and self.zone in response.owners("NS"):
            names = [r.target for r in response.records("NS", name=self.zone)]
            glue = self._in_bailiwick_glue(response, names)
            for name in names:
                if name.is_subdomain(self.zone) and not glue.get(name):
                    glue[name] = await self._addresses_from(address, name)
            _merge(authoritative, names, glue)

    def _in_bailiwick_glue(
        self, response: Answer, names: list[dns.name.Name]
    ) -> dict[dns.name.Name, list[str]]:
        glue: dict[dns.name.Name, list[str]] = {}
        for rrset in response.rrsets("additional"):
            if (
                rrset.name in names
                and rrset.name.is_subdomain(self.zone)
                and rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)
            ):
                glue.setdefault(rrset.name, []).extend(rdata.address for rdata in rrset)
        return glue

    async def _addresses_from(self, address: str, name: dns.name.Name) -> list[str]:
        """A and AAAA of ``name`` asked at one server, following referrals below the zone."""
        found: list[str] = []
        for rdtype in ("A", "AAAA"):
            resolver = Resolver(self.client, self.config, None, {self.zone: [address]})
            result = await resolver.lookup(name, rdtype)
            found.extend(result.records())
        return unique(found)

    async def _zone_ns_names(self) -> list[dns.name.Name] | None:
        ips = await self.get_del_ns_ips()
        if ips is None:
            return None
        responses = await self.query_each(ips, "NS")
        names: list[dns.name.Name] = []
        for response in responses:
            if isinstance(response, Answer) and response.aa:
                names.extend(r.target for r in response.records("NS", name=self.zone))
        return sorted(unique(names))

    async def _zone_ns_names_and_ips(self) -> list[NsIp] | None:
        names = await self.get_zone_ns_names()
        if names is None:
            return None
        servers: dict[dns.name.Name, list[str]] = {name: [] for name in names}
        in_bailiwick = [name for name in names if name.is_subdomain(self.zone)]
        del_ips = await self.get_del_ns_ips() or []
        for name in in_bailiwick:
            for ip in del_ips:
                servers[name].extend(await self._addresses_from(ip, name))
        for name in names:
            if not name.is_subdomain(self.zone):
                servers[name].extend(await self._oob_ips(name))
        return _flatten({name: unique(addresses) for name, addresses in servers.items()})

    async def _get_delegation(self) -> Delegation:
        parent = await self.get_parent_ns_names_and_ips()
        ns = await self.get_del_ns_names_and_ips()
        return Delegation(parent, ns, await self._ds_records(), bool(self._undelegated))

    async def _ds_records(self) -> list[dns.rdata.Rdata]:
        if self.config.undelegated_ds:
            return [
                dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, text)
                for text in self.config.undelegated_ds
            ]
        if self._undelegated:
            return []
        parent_ips = await self.get_parent_ns_ips() or []
        records: list[dns.rdata.Rdata] = []
        for response in await self.query_each(parent_ips, "DS", dnssec=True):
            if isinstance(response, Answer) and response.aa:
                records.extend(response.records("DS", name=self.zone))
        return unique(records)


#: Apex questions whose plain answer a clean DO answer stands in for (``_apex_answer``).
_STAND_IN_TYPES: dict[int | str, int] = {
    "SOA": int(dns.rdatatype.SOA),
    "NS": int(dns.rdatatype.NS),
    int(dns.rdatatype.SOA): int(dns.rdatatype.SOA),
    int(dns.rdatatype.NS): int(dns.rdatatype.NS),
}


def _stands_in(answer: QueryResult, zone: dns.name.Name, rdtype: int) -> bool:
    """A DO answer that gives what the plain question would: see ``_apex_answer``."""
    return (
        isinstance(answer, Answer)
        and answer.rcode == dns.rcode.NOERROR
        and answer.aa
        and not answer.tc
        and answer.has_edns
        and any(rrset.rdtype == rdtype and rrset.name == zone for rrset in answer.message.answer)
    )


def _apex_options(config: EngineConfig, *, tcp: bool, dnssec: bool) -> QueryOptions:
    """The options of ``ctx.query(address, ctx.zone, rdtype, tcp=, dnssec=)``."""
    return _options(
        tcp,
        None,
        dnssec,
        config.edns_bufsize,
        0,
        (),
        False,
        False,
        False,
        int(dns.rdataclass.IN),
        config.port,
        True,
    )


@functools.lru_cache(maxsize=1024)
def _options(*values: Any) -> QueryOptions:
    """Query options, shared between identical queries (building a dataclass is not free)."""
    return QueryOptions(*values)


def _gives_child_ns(response: Answer, zone: dns.name.Name) -> bool:
    """An AA answer with NS of ``zone``, or (a referral with AA set) NS alone in authority."""
    if not response.aa:
        return False
    if zone in response.owners("NS"):
        return True
    return not response.message.answer and zone in response.owners("NS", "authority")


def _merge(
    into: dict[dns.name.Name, list[str]],
    names: list[dns.name.Name],
    glue: dict[dns.name.Name, list[str]],
) -> None:
    for name in names:
        addresses = into.setdefault(name, [])
        for address in glue.get(name, []):
            if address not in addresses:
                addresses.append(address)


def _address_key(address: str) -> tuple[int, str]:
    """IPv4 before IPv6, then by text."""
    return (1 if is_ipv6(address) else 0, address)


def _flatten(servers: dict[dns.name.Name, list[str]]) -> list[NsIp]:
    """One ``NsIp`` per name and address; a name without addresses once, with None."""
    flat: list[NsIp] = []
    for name, addresses in sorted(servers.items()):
        if addresses:
            flat.extend(NsIp(name, address) for address in sorted(addresses, key=_address_key))
        else:
            flat.append(NsIp(name, None))
    return flat
