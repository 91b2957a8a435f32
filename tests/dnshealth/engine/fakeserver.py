"""A small authoritative DNS server on loopback for engine tests (asyncio + dnspython).

``FakeServer(address, port, zones)`` serves ``dns.zone.Zone`` objects over UDP and TCP:
authoritative answers, referrals with glue at zone cuts, NXDOMAIN/NODATA with the SOA,
truncation to the client's payload size, EDNS version handling, optional AXFR and
``version.bind``. ``behaviour`` switches on hostile or broken conduct (silence, garbage,
wrong ids, always-truncated UDP, REFUSED, open recursion...) and ``handler`` lets a test
answer by hand. ``FakeNetwork`` starts many servers sharing one port.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

Handler = Callable[[dns.message.Message, bool], bytes | list[bytes] | None]


def zone_from_text(origin: str, text: str) -> dns.zone.Zone:
    """A zone from master-file text (``$TTL`` defaults to 3600)."""
    return dns.zone.from_text(f"$TTL 3600\n{text}", origin=origin, relativize=False)


@dataclass
class Behaviour:
    """Ways a server can misbehave (all off = a correct authoritative server)."""

    silent: bool = False  # never answers (UDP nor TCP)
    garbage_first: bool = False  # sends an unparseable datagram (right id) before the answer
    wrong_id_first: bool = False  # sends an answer with a wrong id before the right one
    only_garbage: bool = False  # answers only with garbage carrying the right id
    always_truncate_udp: bool = False  # every UDP answer is TC with no records
    refuse: bool = False  # REFUSED to everything
    no_tcp: bool = False  # TCP connections are closed without an answer
    no_edns: bool = False  # FORMERR to queries carrying an OPT record
    open_resolver: bool = False  # answers recursive queries for any name with RA
    allow_axfr: bool = False
    version: str | None = None  # the CH TXT version.bind answer; None = REFUSED
    not_authoritative: bool = False  # clears AA on every answer
    oversized_udp: bool = False  # ignores the payload size limit (answers up to 64 KiB)
    drop_aaaa: bool = False  # never answers AAAA queries (RFC 4074 misbehaviour)
    ignore_edns_version: bool = False  # answers any EDNS version as if it were 0
    echo_edns_flags: bool = False  # copies the query's EDNS flags (unknown Z bits too)
    lowercase_question: bool = False  # echoes the question name in lower case
    empty_soa: bool = False  # answers SOA queries NOERROR with an empty answer section
    echo_edns_options: bool = False  # copies the query's EDNS options into the answer
    truncated_without_opt: bool = False  # truncated UDP answers lose their OPT record
    upward_referral: bool = False  # refers queries for names it does not serve to the root
    case_sensitive: bool = False  # NXDOMAIN when the query name starts with an upper-case letter


@dataclass
class FakeServer:
    """One authoritative server on (address, port)."""

    address: str
    port: int
    zones: list[dns.zone.Zone] = field(default_factory=list)
    behaviour: Behaviour = field(default_factory=Behaviour)
    handler: Handler | None = None
    queries: list[tuple[str, str, bool]] = field(default_factory=list)
    clients: set[str] = field(default_factory=set)  # source addresses of UDP queries

    _udp: asyncio.DatagramTransport | None = None
    _tcp: asyncio.Server | None = None

    async def start(self) -> None:
        """Bind UDP and TCP on (address, port)."""
        loop = asyncio.get_running_loop()
        server = self

        class _Protocol(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                server._udp = cast(asyncio.DatagramTransport, transport)

            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                server._on_udp(data, addr)

        await loop.create_datagram_endpoint(_Protocol, local_addr=(self.address, self.port))
        self._tcp = await asyncio.start_server(self._on_tcp, self.address, self.port)

    async def stop(self) -> None:
        """Close both sockets."""
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            await self._tcp.wait_closed()

    def count(self, qname: str, rdtype: str) -> int:
        """How many queries for (qname, rdtype) arrived (both transports)."""
        name = dns.name.from_text(qname).to_text()
        return sum(1 for n, t, _tcp in self.queries if n == name and t == rdtype)

    # ---- transport --------------------------------------------------------------------

    def _on_udp(self, data: bytes, addr: tuple[str, int]) -> None:
        self.clients.add(addr[0])
        if self.behaviour.silent or self._udp is None:
            return
        for wire in self._responses(data, tcp=False):
            self._udp.sendto(wire, addr)

    async def _on_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self.behaviour.silent:
                await reader.read(65535)
                return
            if self.behaviour.no_tcp:
                return
            (length,) = struct.unpack("!H", await reader.readexactly(2))
            data = await reader.readexactly(length)
            for wire in self._responses(data, tcp=True):
                writer.write(struct.pack("!H", len(wire)) + wire)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def _responses(self, data: bytes, tcp: bool) -> list[bytes]:
        try:
            query = dns.message.from_wire(data)
        except Exception:
            return []
        question = query.question[0]
        if self.behaviour.drop_aaaa and question.rdtype == dns.rdatatype.AAAA:
            return []
        self.queries.append((question.name.to_text(), dns.rdatatype.to_text(question.rdtype), tcp))
        if self.handler is not None:
            handled = self.handler(query, tcp)
            if handled is not None:
                return handled if isinstance(handled, list) else [handled]
        wire = self._answer_wire(query, tcp)
        return self._hostile(query, wire)

    def _hostile(self, query: dns.message.Message, wire: bytes) -> list[bytes]:
        garbage = struct.pack("!H", query.id) + b"\xff" * 30
        if self.behaviour.only_garbage:
            return [garbage]
        out: list[bytes] = []
        if self.behaviour.garbage_first:
            out.append(garbage)
        if self.behaviour.wrong_id_first:
            out.append(struct.pack("!H", (query.id + 1) % 65536) + wire[2:])
        out.append(wire)
        return out

    # ---- answering ----------------------------------------------------------------------

    def _answer_wire(self, query: dns.message.Message, tcp: bool) -> bytes:
        response = self.answer(query, tcp)
        limit = 65535 if tcp or self.behaviour.oversized_udp else _payload(query)
        wire = response.to_wire(max_size=65535)
        if not tcp and (self.behaviour.always_truncate_udp or len(wire) > limit):
            response.answer.clear()
            response.authority.clear()
            response.additional.clear()
            response.flags |= dns.flags.TC
            if self.behaviour.truncated_without_opt:
                response.use_edns(False)
            wire = response.to_wire()
        return wire

    def answer(self, query: dns.message.Message, tcp: bool = False) -> dns.message.Message:
        """The response this server gives to ``query``."""
        response = dns.message.make_response(query)
        response.flags &= ~dns.flags.RA
        if query.edns >= 0:
            if self.behaviour.no_edns:
                response.use_edns(False)
                response.set_rcode(dns.rcode.FORMERR)
                return response
            flags = query.ednsflags & 0xFFFF if self.behaviour.echo_edns_flags else 0
            options = list(query.options) if self.behaviour.echo_edns_options else []
            response.use_edns(0, ednsflags=flags, payload=1232, options=options)
            if query.edns > 0 and not self.behaviour.ignore_edns_version:
                response.set_rcode(dns.rcode.BADVERS)
                return response
        if self.behaviour.refuse:
            response.set_rcode(dns.rcode.REFUSED)
            return response
        self._fill(query, response, tcp)
        if self.behaviour.empty_soa and query.question[0].rdtype == dns.rdatatype.SOA:
            response.answer.clear()
        if self.behaviour.lowercase_question:
            question = query.question[0]
            lowered = dns.name.from_text(question.name.to_text().lower())
            response.question = [dns.rrset.RRset(lowered, question.rdclass, question.rdtype)]
        if self.behaviour.not_authoritative:
            response.flags &= ~dns.flags.AA
        return response

    def _fill(self, query: dns.message.Message, response: dns.message.Message, tcp: bool) -> None:
        question = query.question[0]
        qname, rdtype = question.name, question.rdtype
        if question.rdclass == dns.rdataclass.CH:
            self._chaos(qname, rdtype, response)
            return
        if self.behaviour.case_sensitive and qname.to_text()[:1].isupper():
            response.set_rcode(dns.rcode.NXDOMAIN)
            return
        zone = self._zone_for(qname)
        if zone is None and self.behaviour.upward_referral:
            response.authority.append(dns.rrset.from_text(".", 3600, "IN", "NS", "ns.root."))
            return
        if zone is None:
            if self.behaviour.open_resolver and query.flags & dns.flags.RD:
                response.flags |= dns.flags.RA
                if rdtype == dns.rdatatype.A:
                    response.answer.append(dns.rrset.from_text(qname, 300, "IN", "A", "192.0.2.77"))
                return
            response.set_rcode(dns.rcode.REFUSED)
            return
        if rdtype == dns.rdatatype.AXFR:
            self._axfr(zone, qname, response, tcp)
            return
        cut = _delegation_cut(zone, qname, rdtype)
        if cut is not None:
            _referral(zone, cut, response)
            return
        response.flags |= dns.flags.AA
        _authoritative(zone, qname, rdtype, response)

    def _chaos(self, qname: dns.name.Name, rdtype: int, response: dns.message.Message) -> None:
        if self.behaviour.version is None or qname.to_text().lower() != "version.bind.":
            response.set_rcode(dns.rcode.REFUSED)
            return
        text = '"' + self.behaviour.version + '"'
        response.answer.append(dns.rrset.from_text(qname, 0, "CH", "TXT", text))

    def _axfr(
        self, zone: dns.zone.Zone, qname: dns.name.Name, response: dns.message.Message, tcp: bool
    ) -> None:
        if not self.behaviour.allow_axfr or not tcp or qname != zone.origin:
            response.set_rcode(dns.rcode.REFUSED)
            return
        response.flags |= dns.flags.AA
        soa = zone.find_rrset(zone.origin, "SOA")
        response.answer.append(soa)
        for name, node in zone.nodes.items():
            for rdataset in node.rdatasets:
                if rdataset.rdtype != dns.rdatatype.SOA:
                    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype)
                    rrset.update(rdataset)
                    response.answer.append(rrset)
        response.answer.append(soa)

    def _zone_for(self, qname: dns.name.Name) -> dns.zone.Zone | None:
        candidates = [zone for zone in self.zones if qname.is_subdomain(zone.origin)]
        return max(candidates, key=lambda zone: len(zone.origin.labels), default=None)


def _payload(query: dns.message.Message) -> int:
    return max(512, query.payload) if query.edns >= 0 else 512


def _delegation_cut(zone: dns.zone.Zone, qname: dns.name.Name, rdtype: int) -> dns.name.Name | None:
    """The highest zone cut between the apex and ``qname`` (DS at a cut belongs above it)."""
    assert zone.origin is not None
    depth = len(zone.origin.labels)
    for labels in range(depth + 1, len(qname.labels) + 1):
        name = dns.name.Name(qname.labels[-labels:])
        node = zone.get_node(name)
        if node is None or node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS) is None:
            continue
        if name == qname and rdtype == dns.rdatatype.DS:
            return None
        return name
    return None


def _referral(zone: dns.zone.Zone, cut: dns.name.Name, response: dns.message.Message) -> None:
    ns = zone.find_rrset(cut, "NS")
    response.authority.append(ns)
    for rdata in ns:
        for rdtype in ("A", "AAAA"):
            glue = zone.get_rrset(rdata.target, rdtype)
            if glue is not None:
                response.additional.append(glue)


def _authoritative(
    zone: dns.zone.Zone, qname: dns.name.Name, rdtype: int, response: dns.message.Message
) -> None:
    node = zone.get_node(qname)
    soa = zone.find_rrset(zone.origin, "SOA")
    if node is None:
        if not any(name.is_subdomain(qname) for name in zone.nodes):
            response.set_rcode(dns.rcode.NXDOMAIN)
        response.authority.append(soa)
        return
    rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype)
    cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
    if rdataset is None and cname is not None and rdtype != dns.rdatatype.CNAME:
        rdataset = cname
    if rdataset is None:
        response.authority.append(soa)
        return
    rrset = dns.rrset.RRset(qname, rdataset.rdclass, rdataset.rdtype)
    rrset.update(rdataset)
    response.answer.append(rrset)
    if rdtype == dns.rdatatype.NS and qname == zone.origin:
        for rdata in rrset:
            for glue_type in ("A", "AAAA"):
                glue = zone.get_rrset(rdata.target, glue_type)
                if glue is not None:
                    response.additional.append(glue)


@dataclass
class FakeNetwork:
    """Many ``FakeServer`` objects on one port; use ``async with`` to start and stop them."""

    port: int
    servers: dict[str, FakeServer] = field(default_factory=dict)

    def add(
        self,
        address: str,
        zones: Iterable[dns.zone.Zone],
        behaviour: Behaviour | None = None,
        handler: Handler | None = None,
    ) -> FakeServer:
        """Declare a server (started by ``async with``)."""
        server = FakeServer(address, self.port, list(zones), behaviour or Behaviour(), handler)
        self.servers[address] = server
        return server

    async def __aenter__(self) -> FakeNetwork:
        for server in self.servers.values():
            await server.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for server in self.servers.values():
            await server.stop()

    def total_queries(self) -> int:
        """Queries received by all servers."""
        return sum(len(server.queries) for server in self.servers.values())
