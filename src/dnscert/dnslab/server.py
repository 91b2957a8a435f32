"""The lab server: sockets on every bound address, routing to server blocks, EDNS handling.

Each (address, port) gets a UDP and a TCP socket. A query goes to the server block on that
address whose zone is the longest match for the query name (the shortest for DS queries, as
CoreDNS does, so a parent served alongside its child answers DS), then through the block's
plugins in CoreDNS order. Unknown EDNS versions get BADVERS; UDP answers larger than the
client's buffer are truncated with TC set.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import resource
import struct
from dataclasses import dataclass, field
from pathlib import Path

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.rrset

from dnscert.dnslab.corefile import CorefileError, ServerBlock, parse_corefile
from dnscert.dnslab.plugins import (
    DROP,
    AclPlugin,
    ChaosPlugin,
    FilePlugin,
    HeaderPlugin,
    Plugin,
    Query,
    Reply,
    TemplatePlugin,
)
from dnscert.dnslab.resolver import UnboundPlugin

logger = logging.getLogger(__name__)

IGNORED_DIRECTIVES = {"log", "errors", "bind", "debug", "reload"}
MIN_UDP_PAYLOAD = 512
TCP_IDLE_TIMEOUT = 10.0


@dataclass
class BlockHandler:
    """One server block, ready to answer: its zones and its plugins in CoreDNS order."""

    zones: list[dns.name.Name]
    plugins: list[Plugin]
    binds: list[str] = field(default_factory=list)

    async def answer(self, query: Query) -> Reply | object | int:
        """Run the plugin chain; returns a Reply, DROP or an error rcode."""
        rewriters: list[Plugin] = []
        for plugin in self.plugins:
            outcome = await plugin.serve(query)
            if outcome is None:
                if isinstance(plugin, HeaderPlugin):
                    rewriters.append(plugin)
                continue
            if isinstance(outcome, Reply):
                for rewriter in rewriters:
                    rewriter.rewrite(outcome)
            return outcome
        return dns.rcode.SERVFAIL


def build_handler(block: ServerBlock, root: Path, port: int) -> BlockHandler:
    """Turn a parsed server block into a handler (zone files are loaded here)."""
    known = IGNORED_DIRECTIVES | {"acl", "chaos", "header", "template", "file", "unbound"}
    for directive in block.directives:
        if directive.name not in known:
            raise CorefileError(
                f"{directive.source}: directive {directive.name!r} is not supported"
            )
    plugins: list[Plugin] = [
        AclPlugin.from_directive(d, block.zones) for d in block.directives_named("acl")
    ]
    plugins += [ChaosPlugin.from_directive(d) for d in block.directives_named("chaos")]
    plugins += [HeaderPlugin.from_directive(d) for d in block.directives_named("header")]
    if templates := block.directives_named("template"):
        plugins.append(TemplatePlugin.from_directives(templates, block.zones))
    if files := block.directives_named("file"):
        plugins.append(FilePlugin.from_directives(files, block.zones, root))
    plugins += [
        UnboundPlugin.from_directive(d, root, port) for d in block.directives_named("unbound")
    ]
    binds = [arg for d in block.directives_named("bind") for arg in d.args]
    return BlockHandler([dns.name.from_text(z) for z in block.zones], plugins, binds)


class Router:
    """The server blocks listening on one (address, port), keyed by zone."""

    def __init__(self) -> None:
        self.by_zone: dict[dns.name.Name, BlockHandler] = {}

    def add(self, handler: BlockHandler, address: str) -> None:
        for zone in handler.zones:
            if zone in self.by_zone:
                logger.warning("zone %s is served twice on %s; the first block wins", zone, address)
                continue
            self.by_zone[zone] = handler

    def route(self, qname: dns.name.Name, qtype: int) -> BlockHandler | None:
        """Longest match; for DS the shortest non-root match; the root block last."""
        ds_handler: BlockHandler | None = None
        name = qname
        while len(name) > 1:
            handler = self.by_zone.get(name)
            if handler is not None:
                if qtype != dns.rdatatype.DS:
                    return handler
                ds_handler = handler
            name = name.parent()
        return ds_handler or self.by_zone.get(dns.name.root)


def _response(query: dns.message.Message, rcode: int) -> dns.message.Message:
    response = dns.message.make_response(query)
    response.flags |= query.flags & dns.flags.CD
    if query.edns >= 0:
        response.use_edns(0, query.ednsflags & dns.flags.DO, max(query.payload, MIN_UDP_PAYLOAD))
    response.set_rcode(
        dns.rcode.Rcode.make(rcode)
    )  # after use_edns: the extended rcode bits live in the OPT flags
    return response


def _fill(response: dns.message.Message, reply: Reply) -> None:
    response.set_rcode(dns.rcode.Rcode.make(reply.rcode))
    if reply.authoritative:
        response.flags |= dns.flags.AA
    if reply.recursion_available:
        response.flags |= dns.flags.RA
    response.flags |= reply.flags_set
    response.flags &= ~reply.flags_cleared
    response.answer = [_copy(r) for r in reply.answer]
    response.authority = [_copy(r) for r in reply.authority]
    response.additional = [_copy(r) for r in reply.additional]


def _copy(rrset: dns.rrset.RRset) -> dns.rrset.RRset:
    copy = dns.rrset.RRset(rrset.name, rrset.rdclass, rrset.rdtype, rrset.covers)
    copy.update(rrset)
    return copy


def _to_wire(response: dns.message.Message, limit: int) -> bytes:
    """Render within ``limit`` bytes: drop additional, then set TC and drop the rest."""
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        pass
    response.additional = []
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        pass
    response.flags |= dns.flags.TC
    response.answer = []
    response.authority = []
    return response.to_wire(max_size=limit)


def _formerr(wire: bytes) -> bytes | None:
    if len(wire) < 12:
        return None
    (query_id,) = struct.unpack("!H", wire[:2])
    flags = dns.flags.QR | dns.rcode.FORMERR
    return struct.pack("!HHHHHH", query_id, flags, 0, 0, 0, 0)


class LabServer:
    """The whole lab: handlers for every block and the sockets they listen on."""

    def __init__(self, blocks: list[ServerBlock], root: Path, port: int | None = None) -> None:
        self.routers: dict[tuple[str, int], Router] = {}
        for block in blocks:
            block_port = port if port is not None else block.port
            handler = build_handler(block, root, block_port)
            for address in handler.binds or ["127.0.0.1"]:
                key = (str(ipaddress.ip_address(address)), block_port)
                self.routers.setdefault(key, Router()).add(handler, address)
        self._transports: list[asyncio.BaseTransport] = []
        self._tcp_servers: list[asyncio.Server] = []

    @classmethod
    def from_corefile(cls, path: str | Path, port: int | None = None) -> LabServer:
        """Build from a Corefile; zone files are relative to the Corefile's folder."""
        config = Path(path).resolve()
        return cls(parse_corefile(config), config.parent, port)

    @property
    def endpoints(self) -> list[tuple[str, int]]:
        """Every (address, port) the server listens on."""
        return sorted(self.routers)

    async def handle(
        self, wire: bytes, endpoint: tuple[str, int], client: str, tcp: bool
    ) -> bytes | None:
        """Answer one query received on ``endpoint``; ``None`` means stay silent."""
        try:
            query = dns.message.from_wire(wire)
        except Exception:  # any malformed packet gets FORMERR, never a crash
            return _formerr(wire)
        response = await self._respond(query, endpoint, client, tcp)
        if response is None:
            return None
        limit = 65535 if tcp else max(MIN_UDP_PAYLOAD, query.payload if query.edns >= 0 else 0)
        return _to_wire(response, limit)

    async def _respond(
        self, query: dns.message.Message, endpoint: tuple[str, int], client: str, tcp: bool
    ) -> dns.message.Message | None:
        if query.flags & dns.flags.QR:
            return None
        if query.opcode() != dns.opcode.QUERY:
            return _response(query, dns.rcode.NOTIMP)
        if len(query.question) != 1:
            return _response(query, dns.rcode.FORMERR)
        if query.edns > 0:
            return _response(query, dns.rcode.BADVERS)
        question = query.question[0]
        handler = self.routers[endpoint].route(question.name, question.rdtype)
        if handler is None:
            outcome: object = dns.rcode.REFUSED
        else:
            do = bool(query.ednsflags & dns.flags.DO) if query.edns >= 0 else False
            request = Query(
                query,
                question.name,
                question.rdtype,
                question.rdclass,
                do,
                client,
                "tcp" if tcp else "udp",
            )
            outcome = await handler.answer(request)
        logger.debug(
            "%s %s -> %s: %s %s => %s",
            "tcp" if tcp else "udp",
            client,
            endpoint[0],
            question.name,
            dns.rdatatype.to_text(question.rdtype),
            outcome
            if not isinstance(outcome, Reply)
            else dns.rcode.to_text(dns.rcode.Rcode.make(outcome.rcode)),
        )
        if outcome is DROP:
            return None
        if isinstance(outcome, Reply):
            response = _response(query, outcome.rcode)
            _fill(response, outcome)
            return response
        assert isinstance(outcome, int)
        return _response(query, outcome)

    # ---- sockets ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Open a UDP and a TCP socket on every endpoint."""
        _raise_file_limit(4 * len(self.routers) + 256)
        loop = asyncio.get_running_loop()
        for endpoint in self.endpoints:
            transport, _ = await loop.create_datagram_endpoint(
                functools.partial(_UdpProtocol, self, endpoint), local_addr=endpoint
            )
            self._transports.append(transport)
            server = await asyncio.start_server(
                functools.partial(self._serve_tcp, endpoint=endpoint),
                host=endpoint[0],
                port=endpoint[1],
            )
            self._tcp_servers.append(server)
        logger.info("lab server listening on %d endpoints", len(self.endpoints))

    async def stop(self) -> None:
        """Close every socket."""
        for transport in self._transports:
            transport.close()
        for server in self._tcp_servers:
            server.close()
        for server in self._tcp_servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)
        self._transports.clear()
        self._tcp_servers.clear()

    async def _serve_tcp(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, endpoint: tuple[str, int]
    ) -> None:
        client = str(writer.get_extra_info("peername", ("?",))[0])
        try:
            while True:
                header = await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_TIMEOUT)
                wire = await reader.readexactly(struct.unpack("!H", header)[0])
                answer = await self.handle(wire, endpoint, client, tcp=True)
                if answer is None:
                    continue
                writer.write(struct.pack("!H", len(answer)) + answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: LabServer, endpoint: tuple[str, int]) -> None:
        self.server = server
        self.endpoint = endpoint
        self.transport: asyncio.DatagramTransport | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        task = asyncio.create_task(self._answer(data, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _answer(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        try:
            answer = await self.server.handle(data, self.endpoint, str(addr[0]), tcp=False)
        except Exception:
            logger.exception("lab server failed on a query from %s", addr[0])
            return
        if answer is not None and self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(answer, addr)


def _raise_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
