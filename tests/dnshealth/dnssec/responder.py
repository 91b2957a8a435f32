"""A tiny authoritative DNS responder on loopback addresses, for the DNSSEC check tests.

Each address serves one or more ``SignedZone`` objects (see ``signer.py``) over UDP and TCP
on one shared port (an ephemeral one by default, so no root is needed), answering like an
authoritative server: answers with their RRSIGs when the DO bit
is set, referrals below a delegation, NODATA with SOA and the apex NSEC/NSEC3 proof, NXDOMAIN.
A test can bend any answer with a hook ``(address, query, response) -> response or None``
(None drops the query), which is how broken servers are made.
"""

from __future__ import annotations

import asyncio
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from tests.dnshealth.dnssec.signer import SignedZone

Hook = Callable[[str, dns.message.Message, dns.message.Message], dns.message.Message | None]


@dataclass
class Site:
    """What one address serves, and the hooks that bend its answers."""

    zones: list[SignedZone]
    hooks: list[Hook] = field(default_factory=list)


def _zone_for(site: Site, qname: dns.name.Name) -> SignedZone | None:
    candidates = [zone for zone in site.zones if qname.is_subdomain(zone.origin)]
    return max(candidates, key=lambda zone: len(zone.origin), default=None)


def _delegation_point(zone: SignedZone, qname: dns.name.Name) -> dns.name.Name | None:
    name = qname
    while name != zone.origin and name.is_subdomain(zone.origin):
        if zone.get(name, dns.rdatatype.NS) is not None:
            return name
        name = name.parent()
    return None


def _add(section: list[dns.rrset.RRset], zone: SignedZone, key: tuple, dnssec: bool) -> None:
    records = zone.rrsets.get(key)
    if records is None:
        return
    section.append(records)
    signatures = zone.signatures.get(key)
    if dnssec and signatures is not None:
        section.append(signatures)


def _denial(response: dns.message.Message, zone: SignedZone, dnssec: bool) -> None:
    _add(response.authority, zone, (zone.origin, dns.rdatatype.SOA), dnssec)
    if not dnssec:
        return
    for (name, rdtype), _records in list(zone.rrsets.items()):
        if rdtype in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3):
            _add(response.authority, zone, (name, rdtype), dnssec)


def _referral(response: dns.message.Message, zone: SignedZone, cut: dns.name.Name) -> None:
    ns = zone.get(cut, dns.rdatatype.NS)
    assert ns is not None
    response.authority.append(ns)
    for target in ns:
        glue = zone.get(target.target, dns.rdatatype.A)
        if glue is not None:
            response.additional.append(glue)


def answer(site: Site, query: dns.message.Message) -> dns.message.Message:
    """The authoritative answer of ``site`` to ``query`` (before hooks)."""
    response = dns.message.make_response(query)
    question = query.question[0]
    qname, qtype = question.name, question.rdtype
    dnssec = bool(query.ednsflags & dns.flags.DO)
    if dnssec:
        response.want_dnssec(True)  # RFC 3225: the DO bit is copied into the response
    zone = _zone_for(site, qname)
    if zone is None:
        response.set_rcode(dns.rcode.REFUSED)
        return response
    cut = _delegation_point(zone, qname)
    if cut is not None and not (qname == cut and qtype == dns.rdatatype.DS):
        _referral(response, zone, cut)
        return response
    response.flags |= dns.flags.AA
    if (qname, qtype) in zone.rrsets:
        _add(response.answer, zone, (qname, qtype), dnssec)
    elif any(name.is_subdomain(qname) for name, _ in zone.rrsets):  # the name or an ENT
        _denial(response, zone, dnssec)
    else:
        response.set_rcode(dns.rcode.NXDOMAIN)
        _denial(response, zone, dnssec)
    return response


def respond(site: Site, address: str, wire: bytes) -> bytes | None:
    """Wire-format response of ``site`` at ``address`` to ``wire``, or None to stay silent."""
    try:
        query = dns.message.from_wire(wire)
    except Exception:
        return None
    response: dns.message.Message | None = answer(site, query)
    for hook in site.hooks:
        if response is None:
            return None
        response = hook(address, query, response)
    if response is None:
        return None
    return response.to_wire(max_size=65535)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, site: Site, address: str) -> None:
        self.site, self.address = site, address
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Python 3.11's selector transport does not subclass DatagramTransport: cast, not check.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        reply = respond(self.site, self.address, data)
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


class LoopbackDns:
    """Serve ``sites`` (address -> Site) from a thread with its own event loop.

    Every address listens on the same port, UDP and TCP: ``port`` when given, else the
    ephemeral port the first UDP socket receives (read ``.port`` after entering).
    """

    def __init__(self, sites: dict[str, Site], port: int = 0) -> None:
        self.sites = sites
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._udp: list[asyncio.DatagramTransport] = []
        self._tcp_servers: list[asyncio.Server] = []

    def __enter__(self) -> LoopbackDns:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _stop(self) -> None:
        for transport in self._udp:
            transport.close()
        for server in self._tcp_servers:
            server.close()
            await server.wait_closed()
        await asyncio.sleep(0)

    async def _start(self) -> None:
        loop = asyncio.get_running_loop()
        for address, site in self.sites.items():
            transport, _ = await loop.create_datagram_endpoint(
                lambda site=site, address=address: _Udp(site, address),  # type: ignore[misc]
                local_addr=(address, self.port),
            )
            self._udp.append(transport)
            if self.port == 0:
                self.port = transport.get_extra_info("sockname")[1]
            server = await asyncio.start_server(
                lambda r, w, site=site, address=address: self._tcp(site, address, r, w),
                address,
                self.port,
            )
            self._tcp_servers.append(server)

    @staticmethod
    async def _tcp(
        site: Site, address: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                (length,) = struct.unpack("!H", await reader.readexactly(2))
                reply = respond(site, address, await reader.readexactly(length))
                if reply is None:
                    break
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
