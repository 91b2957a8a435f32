"""Finding the parent zone of a child zone: the walk of Zonemaster's BASIC01 and MethodsV2.

Starting at the root servers, each server is asked for its own zone (SOA, NS), then for names
one label closer to the child (SOA), until the child itself: an authoritative SOA, a referral,
NXDOMAIN, an alias or NODATA there says where the parent is. Every outcome is recorded in a
``ParentWalk`` so that BASIC01 can report on it and the discovery methods can use it.

Only the last step of a server's descent, the question at the child's own name, depends on
the child: it ends the descent whatever it finds and queues no server. So the walk runs in
two parts: ``ParentWalker.prefix()`` walks with those steps left out, recording everything
seen (and where each left-out step belongs) in a ``WalkPrefix``, which is the same for every
child of one parent name; ``ParentWalker.finish(prefix)`` replays it for one child, asking
the left-out questions in their places. A batch shares prefixes between sibling zones
(``ZoneContext``), so the root and TLD part of the walk is done once per parent name.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import dns.name
import dns.rcode
import dns.rdatatype

from dnscert.dnshealth.engine.gathering import gather_ready
from dnscert.dnshealth.engine.names import keep_labels
from dnscert.dnshealth.engine.query import Answer, QueryResult, name_key, same_name


@dataclass(frozen=True, eq=False)
class ServerAtZone:
    """A name server address together with the zone it was found to serve."""

    name: dns.name.Name
    address: str
    zone: dns.name.Name

    # The walk keeps these in sets and dicts; a Name's hash and comparison are slow loops over
    # its labels, so compare the address first and compute the hash once.
    def __eq__(self, other: object) -> bool:
        """Same address and (case-insensitively) the same name and zone."""
        if not isinstance(other, ServerAtZone):
            return NotImplemented
        return (
            self.address == other.address
            and same_name(self.zone, other.zone)
            and same_name(self.name, other.name)
        )

    def __hash__(self) -> int:
        """The hash of (name, address, zone), computed once."""
        return self._hash

    @functools.cached_property
    def _hash(self) -> int:
        return hash((name_key(self.name), self.address, name_key(self.zone)))


@dataclass
class ParentWalk:
    """Everything the parent walk saw, in BASIC01's sets (server address -> parent zone)."""

    child: dns.name.Name
    parent_found: list[ServerAtZone] = field(default_factory=list)
    delegation_found: list[ServerAtZone] = field(default_factory=list)
    aa_soa_found: list[ServerAtZone] = field(default_factory=list)
    aa_nxdomain_found: list[ServerAtZone] = field(default_factory=list)
    aa_cname_found: list[ServerAtZone] = field(default_factory=list)
    cname_referral_found: list[ServerAtZone] = field(default_factory=list)
    aa_dname_found: list[tuple[ServerAtZone, dns.name.Name]] = field(default_factory=list)
    aa_nodata_found: list[ServerAtZone] = field(default_factory=list)
    #: (query name, query type, server address) of unexpected responses.
    server_zone_errors: list[tuple[dns.name.Name, str, str]] = field(default_factory=list)

    @property
    def child_found(self) -> bool:
        """True when a parent delegates the child or a server is authoritative for it."""
        return bool(self.delegation_found or self.aa_soa_found)

    def parent_zones(self) -> dict[dns.name.Name, list[str]]:
        """Parent zone name -> addresses of the servers that showed it as the parent."""
        zones: dict[dns.name.Name, list[str]] = {}
        for server in self.parent_found:
            addresses = zones.setdefault(server.zone, [])
            if server.address not in addresses:
                addresses.append(server.address)
        return zones

    def parent_servers(self) -> list[ServerAtZone]:
        """Parent name servers in MethodsV2's sense: they delegate the child or serve it."""
        return _unique_servers([*self.delegation_found, *self.aa_soa_found])

    def other_parent_servers(self) -> list[ServerAtZone]:
        """Servers that showed the parent but neither delegate nor serve the child's SOA."""
        strict = set(self.parent_servers())
        return [server for server in _unique_servers(self.parent_found) if server not in strict]


def _unique_servers(servers: list[ServerAtZone]) -> list[ServerAtZone]:
    return list(dict.fromkeys(servers))


Query = Callable[[str, dns.name.Name, str], Awaitable[QueryResult]]
AddressLookup = Callable[[dns.name.Name], Coroutine[Any, Any, list[str]]]

MAX_WALK_SERVERS = 2000

#: One recorded event of a walk prefix, replayed in order for each child:
#: ("add", field of ``ParentWalk``, value); ("child", server, parent zone) = the left-out
#: question at the child's name; ("cname", server, parent zone, name, response) = a response
#: whose verdict depends on the child (a CNAME referral to it or a server-zone error);
#: ("lookup", names) = addresses looked up for names without glue (asked again per child, so
#: that each zone reports its own lookup errors; the answers are shared and the same).
Event = tuple[Any, ...]


@dataclass
class WalkPrefix:
    """The walk of every child of one parent name, without the questions at the child."""

    events: list[Event]
    #: (address, ``name_key(zone)``) -> other names met for that already handled server.
    aliases: dict[tuple[str, tuple[bytes, ...]], list[dns.name.Name]]


class ParentWalker:
    """Runs the walk for one child zone with the engine's cached query and lookup functions."""

    def __init__(
        self,
        child: dns.name.Name,
        root_servers: list[tuple[dns.name.Name, str]],
        query: Query,
        lookup_addresses: AddressLookup,
    ) -> None:
        self.child = child
        self.query = query
        self.lookup_addresses = lookup_addresses
        self.walk = ParentWalk(child)
        #: What ``prefix()`` records (None while ``finish()`` replays).
        self.events: list[Event] | None = None
        self.remaining: list[ServerAtZone] = [
            ServerAtZone(name, address, dns.name.root) for name, address in root_servers
        ]
        #: (address, ``name_key(zone)``) already asked.
        self.handled: set[tuple[str, tuple[bytes, ...]]] = set()
        #: Other names met for an already handled (address, zone).
        self.aliases: dict[tuple[str, tuple[bytes, ...]], list[dns.name.Name]] = {}

    async def run(self) -> ParentWalk:
        """Walk until no server is left to ask; return what was seen."""
        return await self.finish(await self.prefix())

    async def prefix(self) -> WalkPrefix:
        """Walk without the questions at the child's name (the same for all its siblings)."""
        self.events = []
        steps = 0
        while self.remaining and steps < MAX_WALK_SERVERS:
            steps += 1
            server = self.remaining.pop(0)
            key = (server.address, name_key(server.zone))
            if key in self.handled:
                self.aliases.setdefault(key, []).append(server.name)
                continue
            self.handled.add(key)
            await self._walk_server(server)
        return WalkPrefix(self.events, self.aliases)

    async def finish(self, prefix: WalkPrefix) -> ParentWalk:
        """This child's walk: ``prefix`` replayed, the questions at the child asked in place."""
        self.walk = ParentWalk(self.child)
        self.events = None
        for event in prefix.events:
            kind = event[0]
            if kind == "add":
                getattr(self.walk, event[1]).append(event[2])
            elif kind == "child":
                await self._at_child(event[1], event[2])
            elif kind == "cname":
                _kind, server, zone, name, response = event
                if _cname_referral(response, self.child):
                    self._found(ServerAtZone(server.name, server.address, zone), "cname_referral")
                else:
                    self._error(name, "SOA", server.address)
            else:
                await gather_ready(self.lookup_addresses(name) for name in event[1])
        self.aliases = prefix.aliases
        self._add_alias_names()
        return self.walk

    def _add(self, field_name: str, value: Any) -> None:
        """Append to a list of the walk (recorded for replay while a prefix is walked)."""
        if self.events is not None:
            self.events.append(("add", field_name, value))
        else:
            getattr(self.walk, field_name).append(value)

    def _add_alias_names(self) -> None:
        """A parent address also listed under other names counts under every name."""
        if not self.aliases:
            return
        parents = set(self.walk.parent_found)  # membership by hash, not a scan per alias
        for bucket in (self.walk.delegation_found, self.walk.aa_soa_found):
            members = set(bucket)
            for found in list(bucket):
                for name in self.aliases.get((found.address, name_key(found.zone)), []):
                    alias = ServerAtZone(name, found.address, found.zone)
                    if alias not in members:
                        bucket.append(alias)
                        members.add(alias)
                    if alias not in parents:
                        self.walk.parent_found.append(alias)
                        parents.add(alias)

    def _error(self, qname: dns.name.Name, rrtype: str, address: str) -> None:
        self._add("server_zone_errors", (qname, rrtype, address))

    async def _walk_server(self, server: ServerAtZone) -> None:
        zone = server.zone
        if not await self._serves_zone(server.address, zone):
            return
        if not await self._zone_ns(server, zone):
            return
        await self._descend(server, zone)

    async def _serves_zone(self, address: str, zone: dns.name.Name) -> bool:
        response = await self.query(address, zone, "SOA")
        if isinstance(response, Answer) and _single_soa(response, zone):
            return True
        self._error(zone, "SOA", address)
        return False

    async def _zone_ns(self, server: ServerAtZone, zone: dns.name.Name) -> bool:
        """Ask the zone's NS and queue every name server address for that zone."""
        response = await self.query(server.address, zone, "NS")
        if not isinstance(response, Answer) or not _good_ns_answer(response, zone):
            self._error(zone, "NS", server.address)
            return False
        await self._queue_servers(response, zone, section="answer")
        return True

    async def _queue_servers(self, response: Answer, zone: dns.name.Name, section: str) -> None:
        names = [rdata.target for rdata in response.records("NS", section=section)]
        glue: dict[dns.name.Name, list[str]] = {}
        for rrset in response.rrsets("additional"):
            if rrset.name in names and rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                glue.setdefault(rrset.name, []).extend(rdata.address for rdata in rrset)
        missing = [name for name in names if name not in glue]
        if missing:
            looked_up = await gather_ready(self.lookup_addresses(name) for name in missing)
            glue.update(zip(missing, looked_up, strict=True))
            if self.events is not None:
                self.events.append(("lookup", missing))
        zone_key = name_key(zone)
        for name in names:
            for address in glue.get(name, []):
                if (address, zone_key) not in self.handled:
                    self.remaining.append(ServerAtZone(name, address, zone))

    async def _descend(self, server: ServerAtZone, zone: dns.name.Name) -> None:
        """Ask names one label closer to the child until the child is reached."""
        intermediate = zone
        while not same_name(intermediate, self.child):
            intermediate = _one_label_closer(self.child, intermediate)
            if same_name(intermediate, self.child):
                # The child's own name: asked by ``finish`` (its outcome ends the descent).
                self._add_event(("child", server, zone))
                return
            response = await self.query(server.address, intermediate, "SOA")
            if not isinstance(response, Answer):
                self._error(intermediate, "SOA", server.address)
                return
            outcome = await self._classify(server, zone, intermediate, response)
            if outcome == "stop":
                return
            if outcome == "new_zone":
                zone = intermediate

    def _add_event(self, event: Event) -> None:
        assert self.events is not None  # only ``prefix()`` descends
        self.events.append(event)

    async def _at_child(self, server: ServerAtZone, zone: dns.name.Name) -> None:
        """The question at the child's name to ``server`` (serving ``zone``), recorded."""
        response = await self.query(server.address, self.child, "SOA")
        if not isinstance(response, Answer):
            self._error(self.child, "SOA", server.address)
            return
        await self._classify(server, zone, self.child, response)

    async def _classify(
        self, server: ServerAtZone, zone: dns.name.Name, name: dns.name.Name, response: Answer
    ) -> str:
        """Record what ``response`` says; return "stop", "continue" or "new_zone"."""
        at_child = same_name(name, self.child)
        parent = ServerAtZone(server.name, server.address, zone)
        if _single_soa(response, name):
            if at_child:
                self._found(parent, "aa_soa")
                return "stop"
            return await self._enter_zone(server, name)
        if response.aa and response.rcode == dns.rcode.NXDOMAIN:
            self._found(parent, "aa_nxdomain")
            return "stop"
        if response.is_referral() and name in response.owners("NS", "authority"):
            if at_child:
                self._found(parent, "delegation")
            else:
                await self._queue_servers(response, name, section="authority")
            return "stop"
        if response.aa and response.rcode == dns.rcode.NOERROR:
            if not at_child:
                return "continue"
            await self._at_child_without_soa(parent, response)
            return "stop"
        if not at_child:
            # A CNAME referral to the child or an error: the child decides (``finish``).
            self._add_event(("cname", server, zone, name, response))
            return "stop"
        if _cname_referral(response, self.child):
            self._found(parent, "cname_referral")
            return "stop"
        self._error(name, "SOA", server.address)
        return "stop"

    async def _enter_zone(self, server: ServerAtZone, name: dns.name.Name) -> str:
        """The server is authoritative for an intermediate zone: queue its name servers."""
        response = await self.query(server.address, name, "NS")
        if not isinstance(response, Answer) or not _good_ns_answer(response, name):
            self._error(name, "NS", server.address)
            return "stop"
        await self._queue_servers(response, name, section="answer")
        return "new_zone"

    async def _at_child_without_soa(self, parent: ServerAtZone, response: Answer) -> None:
        if self.child in response.owners("CNAME"):
            self._found(parent, "aa_cname")
            return
        dname = await self.query(parent.address, self.child, "DNAME")
        targets = (
            [rdata.target for rdata in dname.records("DNAME", name=self.child)]
            if isinstance(dname, Answer) and dname.aa and dname.rcode == dns.rcode.NOERROR
            else []
        )
        if targets:
            self._found(parent, None)
            self._add("aa_dname_found", (parent, targets[0]))
        else:
            self._found(parent, "aa_nodata")

    def _found(self, parent: ServerAtZone, bucket: str | None) -> None:
        """``parent`` found, and in the ``<bucket>_found`` list of the walk when given."""
        self._add("parent_found", parent)
        if bucket is not None:
            self._add(f"{bucket}_found", parent)


def _one_label_closer(child: dns.name.Name, ancestor: dns.name.Name) -> dns.name.Name:
    """The ancestor of ``child`` that has one more label than ``ancestor``."""
    return keep_labels(child.labels[-(len(ancestor.labels) + 1) :])


def _single_soa(response: Answer, zone: dns.name.Name) -> bool:
    return (
        response.rcode == dns.rcode.NOERROR
        and response.aa
        and len(response.records("SOA")) == 1
        and _owned_only_by(response, dns.rdatatype.SOA, zone)
    )


def _good_ns_answer(response: Answer, zone: dns.name.Name) -> bool:
    return (
        response.rcode == dns.rcode.NOERROR
        and response.aa
        and bool(response.records("NS"))
        and _owned_only_by(response, dns.rdatatype.NS, zone)
    )


def _owned_only_by(response: Answer, rdtype: int, zone: dns.name.Name) -> bool:
    """``response.owners(rdtype) == {zone}`` without building a set of names."""
    owners = [rrset.name for rrset in response.message.answer if rrset.rdtype == rdtype]
    return bool(owners) and all(same_name(owner, zone) for owner in owners)


def _cname_referral(response: Answer, child: dns.name.Name) -> bool:
    return (
        response.rcode == dns.rcode.NOERROR
        and not response.aa
        and child in response.owners("CNAME")
        and bool(response.owners("NS", "authority"))
    )
