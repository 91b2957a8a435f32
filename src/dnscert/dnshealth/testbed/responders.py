"""Small asyncio DNS servers that serve the bed's zone data but misbehave in one defined way.

NSD is a correct server, so faults it cannot produce are played by these responders, each on
its own 127/8 address (see ``plan.RESPONDER_GROUPS``):

* ``recursive``: authoritative for its zones and, honestly emulated, an *open recursive
  resolver*: other names are resolved iteratively from the bed's own root servers, with a
  fresh kernel-chosen source port per upstream query (what a modern resolver does);
* ``poor-recursive``: the same resolver, but every upstream query leaves from one fixed source
  port (a pre-2008 resolver, the Kaminsky-vulnerable case port randomisation tests catch);
* ``edns-formerr``: answers FORMERR, without OPT, to every query carrying EDNS (pre-EDNS server);
* ``udp-only``: serves UDP only; TCP connections are refused by the kernel;
* ``porttest-observer``: authoritative for ``porttest.<tld>``; answers a TXT record stating the
  source address, source port and query id of each query it receives (the scheme of DNS-OARC's
  porttest), so a client asking through a resolver learns how the resolver picks them.

Run them all for a bed with ``python -m dnscert.dnshealth.testbed.responders BED_DIR``; it
prints ``READY`` once every socket listens and stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import struct
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

from dnscert.dnshealth.testbed.plan import (
    EDNS_GROUP,
    OBSERVER_GROUP,
    POOR_RECURSIVE_GROUP,
    RECURSIVE_GROUP,
    UDP_ONLY_GROUP,
)

#: The source port every upstream query of the poor resolver uses.
POOR_RESOLVER_PORT = 40053
_UPSTREAM_TIMEOUT = 1.0
_MAX_REFERRALS = 12
_MAX_DEPTH = 4


class ZoneStore:
    """Zones held in memory, found by the longest matching origin."""

    def __init__(self, zones: Iterable[dns.zone.Zone] = ()) -> None:
        self.zones: dict[dns.name.Name, dns.zone.Zone] = {}
        for zone in zones:
            self.add(zone)

    def add(self, zone: dns.zone.Zone) -> None:
        """Serve ``zone`` (replacing any zone with the same origin)."""
        assert zone.origin is not None
        self.zones[zone.origin] = zone

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> ZoneStore:
        """Load master files written by the generator (absolute names)."""
        store = cls()
        for path in paths:
            origin = "." if path.name == "root.zone" else path.name.removesuffix("zone")
            store.add(dns.zone.from_file(str(path), origin=origin, relativize=False))
        return store

    def find(self, qname: dns.name.Name) -> dns.zone.Zone | None:
        """The zone with the longest origin that contains ``qname``, or None."""
        name = qname
        while True:
            zone = self.zones.get(name)
            if zone is not None:
                return zone
            if name == dns.name.root:
                return None
            name = name.parent()


def _has_descendants(zone: dns.zone.Zone, qname: dns.name.Name) -> bool:
    return any(name != qname and name.is_subdomain(qname) for name in zone.nodes)


def _signatures(zone: dns.zone.Zone, name: dns.name.Name, rdtype: int) -> list[dns.rrset.RRset]:
    """The RRSIG RRset over (name, rdtype) in ``zone``, as a one-element list, or []."""
    node = zone.get_node(name)
    if node is None:
        return []
    covered = dns.rdatatype.RdataType.make(rdtype)
    signatures = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, covered)
    if signatures is None:
        return []
    rrset = dns.rrset.RRset(name, dns.rdataclass.IN, dns.rdatatype.RRSIG, covered)
    rrset.update(signatures)
    return [rrset]


def authoritative_answer(
    query: dns.message.Message, zone: dns.zone.Zone, response: dns.message.Message
) -> None:
    """Fill ``response`` with ``zone``'s authoritative answer to the query's question."""
    question = query.question[0]
    qname, rdtype = question.name, question.rdtype
    dnssec = bool(query.ednsflags & dns.flags.DO)
    response.flags |= dns.flags.AA
    assert zone.origin is not None
    node = zone.get_node(qname)
    rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype) if node is not None else None
    if rdataset is not None:
        rrset = dns.rrset.RRset(qname, dns.rdataclass.IN, rdtype)
        rrset.update(rdataset)
        response.answer.append(rrset)
        if dnssec:
            response.answer += _signatures(zone, qname, rdtype)
        return
    if node is None and not _has_descendants(zone, qname):
        response.set_rcode(dns.rcode.NXDOMAIN)
    soa = zone.get_rrset(zone.origin, dns.rdatatype.SOA)
    if soa is not None:
        response.authority.append(soa)
        if dnssec:
            response.authority += _signatures(zone, zone.origin, dns.rdatatype.SOA)


def to_wire_limited(response: dns.message.Message, limit: int) -> bytes:
    """The response's wire form, truncated (TC set, sections emptied) above ``limit`` bytes."""
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        response.answer, response.authority, response.additional = [], [], []
        response.flags |= dns.flags.TC
        return response.to_wire()


@dataclass
class Resolver:
    """A minimal iterative resolver over the bed's root hints (no cache: every query is fresh)."""

    root_addresses: list[str]
    port: int
    source: str
    fixed_source_port: int | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _fixed_socket: socket.socket | None = None

    @property
    def address_type(self) -> dns.rdatatype.RdataType:
        """A or AAAA: the servers this resolver can reach from its source address."""
        return dns.rdatatype.AAAA if ":" in self.source else dns.rdatatype.A

    async def resolve(
        self, qname: dns.name.Name, rdtype: int, depth: int = 0
    ) -> dns.message.Message | None:
        """The final authoritative response for (qname, rdtype), or None when resolution fails."""
        servers = list(self.root_addresses)
        for _hop in range(_MAX_REFERRALS):
            response = await self._ask_any(servers, qname, rdtype)
            if response is None:
                return None
            if response.answer or response.flags & dns.flags.AA or response.rcode():
                return response
            servers = await self._referral_addresses(response, depth)
            if not servers:
                return None
        return None

    async def _referral_addresses(self, response: dns.message.Message, depth: int) -> list[str]:
        names = [
            rr.target
            for rrset in response.authority
            if rrset.rdtype == dns.rdatatype.NS
            for rr in rrset
        ]
        glue = [
            rr.address
            for rrset in response.additional
            if rrset.rdtype == self.address_type and rrset.name in names
            for rr in rrset
        ]
        if glue or depth >= _MAX_DEPTH:
            return glue
        for name in names:
            answer = await self.resolve(name, self.address_type, depth + 1)
            addresses = [
                rr.address
                for rrset in (answer.answer if answer is not None else [])
                if rrset.rdtype == self.address_type
                for rr in rrset
            ]
            if addresses:
                return addresses
        return []

    async def _ask_any(
        self, servers: list[str], qname: dns.name.Name, rdtype: int
    ) -> dns.message.Message | None:
        for server in servers:
            query = dns.message.make_query(qname, dns.rdatatype.RdataType.make(rdtype))
            query.flags &= ~dns.flags.RD
            try:
                return await self._send(query, server)
            except (OSError, dns.exception.DNSException):
                continue
        return None

    async def _send(self, query: dns.message.Message, server: str) -> dns.message.Message:
        if self.fixed_source_port is None:
            return await dns.asyncquery.udp(
                query, server, timeout=_UPSTREAM_TIMEOUT, port=self.port, source=self.source
            )
        async with self._lock:  # one socket on one port: upstream queries go out one at a time
            return await self._send_from_fixed_port(query, server)

    async def _send_from_fixed_port(
        self, query: dns.message.Message, server: str
    ) -> dns.message.Message:
        loop = asyncio.get_running_loop()
        if self._fixed_socket is None:
            family = socket.AF_INET6 if ":" in self.source else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.setblocking(False)
            sock.bind((self.source, self.fixed_source_port or 0))
            self._fixed_socket = sock
        await loop.sock_sendto(self._fixed_socket, query.to_wire(), (server, self.port))
        deadline = loop.time() + _UPSTREAM_TIMEOUT
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise dns.exception.Timeout(timeout=_UPSTREAM_TIMEOUT)
            try:
                wire, _peer = await asyncio.wait_for(
                    loop.sock_recvfrom(self._fixed_socket, 65535), remaining
                )
            except TimeoutError:
                raise dns.exception.Timeout(timeout=_UPSTREAM_TIMEOUT) from None
            try:
                response = dns.message.from_wire(wire)
            except dns.exception.DNSException:
                continue
            if query.is_response(response):
                return response


@dataclass
class Responder:
    """One misbehaving server on one address; ``behaviour`` is a responder group name."""

    address: str
    port: int
    behaviour: str
    store: ZoneStore
    resolver: Resolver | None = None
    observer_zone: dns.name.Name | None = None

    async def handle(self, wire: bytes, source: tuple[str, int], tcp: bool) -> bytes | None:
        """The response to one query, or None to stay silent."""
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        if query.flags & dns.flags.QR or len(query.question) != 1:
            return None
        response = await self._respond(query, source)
        limit = 65535 if tcp else (max(512, query.payload) if query.edns >= 0 else 512)
        return to_wire_limited(response, limit)

    async def _respond(
        self, query: dns.message.Message, source: tuple[str, int]
    ) -> dns.message.Message:
        response = dns.message.make_response(query)
        if self.resolver is not None:
            response.flags |= dns.flags.RA
        if self.behaviour == EDNS_GROUP and query.edns >= 0:
            response.use_edns(False)
            response.set_rcode(dns.rcode.FORMERR)
            return response
        if query.edns > 0:
            response.use_edns(0)
            response.set_rcode(dns.rcode.BADVERS)
            return response
        if query.opcode() != dns.opcode.QUERY:
            response.set_rcode(dns.rcode.NOTIMP)
            return response
        await self._answer(query, response, source)
        return response

    async def _answer(
        self, query: dns.message.Message, response: dns.message.Message, source: tuple[str, int]
    ) -> None:
        question = query.question[0]
        if question.rdtype in (dns.rdatatype.AXFR, dns.rdatatype.IXFR):
            response.set_rcode(dns.rcode.REFUSED)
            return
        if self._observes(question.name):
            self._observation(question.name, query, response, source)
            return
        zone = self.store.find(question.name)
        if zone is not None:
            authoritative_answer(query, zone, response)
        elif self.resolver is not None and query.flags & dns.flags.RD:
            await self._recurse(question.name, question.rdtype, response)
        else:
            response.set_rcode(dns.rcode.REFUSED)

    def _observes(self, qname: dns.name.Name) -> bool:
        zone = self.observer_zone
        return zone is not None and qname != zone and qname.is_subdomain(zone)

    def _observation(
        self,
        qname: dns.name.Name,
        query: dns.message.Message,
        response: dns.message.Message,
        source: tuple[str, int],
    ) -> None:
        response.flags |= dns.flags.AA
        text = f'"address={source[0]} port={source[1]} id={query.id}"'
        response.answer.append(dns.rrset.from_text(qname, 0, "IN", "TXT", text))

    async def _recurse(
        self, qname: dns.name.Name, rdtype: int, response: dns.message.Message
    ) -> None:
        assert self.resolver is not None
        final = await self.resolver.resolve(qname, rdtype)
        if final is None:
            response.set_rcode(dns.rcode.SERVFAIL)
            return
        response.set_rcode(final.rcode())
        response.answer = list(final.answer)
        response.authority = list(final.authority) if not final.answer else []

    # ---- transports -------------------------------------------------------------------------

    async def start(self) -> list[asyncio.BaseTransport | asyncio.AbstractServer]:
        """Listen on UDP (and TCP unless UDP-only); return what must be closed on shutdown."""
        loop = asyncio.get_running_loop()
        transport, _protocol = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self), local_addr=(self.address, self.port)
        )
        opened: list[asyncio.BaseTransport | asyncio.AbstractServer] = [transport]
        if self.behaviour != UDP_ONLY_GROUP:
            opened.append(await asyncio.start_server(self._serve_tcp, self.address, self.port))
        return opened

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            while True:
                length = struct.unpack("!H", await reader.readexactly(2))[0]
                wire = await reader.readexactly(length)
                reply = await self.handle(wire, (peer[0], peer[1]), tcp=True)
                if reply is None:
                    break
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.transport: asyncio.DatagramTransport | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Python 3.11's selector datagram transport does not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        task = asyncio.ensure_future(self._reply(data, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _reply(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = await self.responder.handle(data, addr, tcp=False)
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


def responders_for_bed(directory: Path) -> list[Responder]:
    """One responder per responder group of the bed in ``directory``."""
    from dnscert.dnshealth.testbed.generator import load_bed

    bed = load_bed(directory)
    layout = bed.layout
    roots = [address for _name, addresses in bed.root_hints for address in addresses]
    made = []
    for group, files in bed.responder_groups.items():
        host = layout.responder_host(group)
        store = ZoneStore.from_files(directory / name for name in files)
        for address in host.addresses:
            responder = Responder(address, bed.port, group, store)
            if group in (RECURSIVE_GROUP, POOR_RECURSIVE_GROUP):
                fixed = POOR_RESOLVER_PORT if group == POOR_RECURSIVE_GROUP else None
                same_family = [root for root in roots if (":" in root) == (":" in address)]
                responder.resolver = Resolver(same_family, bed.port, address, fixed)
            if group == OBSERVER_GROUP:
                responder.observer_zone = dns.name.from_text(layout.porttest_zone)
            made.append(responder)
    return made


async def serve_forever(responders: list[Responder], ready: str = "READY") -> None:
    """Start every responder, print ``ready`` and run until SIGTERM or SIGINT."""
    opened = [item for responder in responders for item in await responder.start()]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(ready, flush=True)
    await stop.wait()
    for item in opened:
        item.close()


def main(argv: list[str] | None = None) -> int:
    """Serve the responders of the bed directory given as the only argument."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m dnscert.dnshealth.testbed.responders BED_DIR", file=sys.stderr)
        return 2
    asyncio.run(serve_forever(responders_for_bed(Path(args[0]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
