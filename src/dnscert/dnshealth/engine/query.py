"""The query layer: one shared UDP socket per address family and source, TCP fallback, cache.

Built for throughput: queries never get a socket of their own over UDP; responses are matched
to waiting queries by (server, port, id) and then by question, so stray, late, garbage or
wrongly-identified datagrams are ignored and the query keeps waiting until its timeout.
Every query has an explicit timeout and retry count, a per-server token bucket bounds the rate,
and identical queries within one run are asked once (in-flight ones are shared too). TCP
queries share a kept connection per server (``tcp.TcpPool``), IXFR and hand-built messages
excepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import functools
import ipaddress
import random
import socket
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.reversename
import dns.rrset

from dnscert.dnshealth.engine.model import EngineConfig
from dnscert.dnshealth.engine.names import kept_name
from dnscert.dnshealth.engine.tcp import TcpPool, Ticket, exchange_once
from dnscert.dnshealth.engine.wire import read_message

MAX_UDP_PAYLOAD = 65535
_T = TypeVar("_T")
_AA, _TC, _RA = int(dns.flags.AA), int(dns.flags.TC), int(dns.flags.RA)
_SOCKET_BUFFER = 4 * 1024 * 1024
#: Parsed responses kept by wire bytes (id excluded): name servers of one zone usually give
#: byte-identical answers, and parsing is the largest CPU cost of a query.
_PARSED_CACHE_SIZE = 4096


class FailureReason(enum.StrEnum):
    """Why a query produced no usable answer."""

    TIMEOUT = "timeout"  # nothing usable arrived before the last attempt timed out
    MALFORMED = "malformed"  # only unparseable responses arrived
    NETWORK = "network"  # the socket or connection failed (refused, reset, unreachable)
    DISABLED = "disabled"  # the address family is switched off in the configuration
    BAD_ADDRESS = "bad_address"  # the server address is not an IP address


@dataclass(frozen=True)
class QueryOptions:
    """Everything besides server and question that makes a query (hashable: a cache key)."""

    tcp: bool = False
    #: None = no OPT record; otherwise the EDNS version to send (0 for ordinary EDNS).
    edns_version: int | None = None
    dnssec: bool = False  # sets the DO bit (implies EDNS)
    bufsize: int = 1232
    edns_flags: int = 0  # extra EDNS flag bits (besides DO), e.g. unknown "Z" bits
    edns_options: tuple[tuple[int, bytes], ...] = ()
    rd: bool = False
    cd: bool = False
    ad: bool = False
    qclass: int = dns.rdataclass.IN
    port: int = 53
    #: Repeat a truncated UDP answer over TCP (off to look at the truncated answer itself).
    tcp_fallback: bool = True
    #: Over TCP, share a kept connection to the server with other queries (``tcp.TcpPool``);
    #: off: a connection of its own. IXFR always gets its own connection.
    pipelined: bool = True

    def __hash__(self) -> int:
        """The hash of every field, computed once: options are part of every query's key."""
        return self._hash

    @functools.cached_property
    def _hash(self) -> int:
        return hash(tuple(getattr(self, item.name) for item in dataclasses.fields(self)))

    def __getstate__(self) -> dict[str, Any]:
        """The fields without the kept hash (bytes hash differently in another process)."""
        return {key: value for key, value in self.__dict__.items() if key != "_hash"}


@dataclass
class Answer:
    """A parsed response from one server to one question."""

    address: str
    qname: dns.name.Name
    rdtype: int
    message: dns.message.Message
    size: int
    tcp: bool = False
    elapsed_ms: float = 0.0
    port: int = 53

    #: The (extended) response code as an int, e.g. ``dns.rcode.NOERROR``.
    rcode: int = dataclasses.field(init=False, repr=False)
    # Plain int: bit tests on the ``dns.flags.Flag`` enum go through Python-level code.
    _flags: int = dataclasses.field(init=False, repr=False)

    ok = True

    def __post_init__(self) -> None:
        """Read header flags and rcode once, as ints (``Message.rcode()``'s arithmetic)."""
        flags = int(self.message.flags)
        self._flags = flags
        self.rcode = (flags & 0x000F) | ((int(self.message.ednsflags) >> 20) & 0xFF0)

    @property
    def aa(self) -> bool:
        """True when the AA (authoritative answer) flag is set."""
        return bool(self._flags & _AA)

    @property
    def tc(self) -> bool:
        """True when the TC (truncated) flag is set."""
        return bool(self._flags & _TC)

    @property
    def ra(self) -> bool:
        """True when the RA (recursion available) flag is set."""
        return bool(self._flags & _RA)

    @property
    def has_edns(self) -> bool:
        """True when the response carries an OPT record."""
        return self.message.edns >= 0

    def records(
        self, rdtype: int | str, *, section: str = "answer", name: dns.name.Name | str | None = None
    ) -> list[Any]:
        """Rdata of type ``rdtype`` in ``section`` (answer/authority/additional), by owner."""
        wanted_type = rdatatype(rdtype)
        owner = dns.name.from_text(name) if isinstance(name, str) else name
        found: list[Any] = []
        for rrset in self._section(section):
            if rrset.rdtype == wanted_type and (owner is None or same_name(rrset.name, owner)):
                found.extend(rrset)
        return found

    def rrsets(self, section: str = "answer") -> list[dns.rrset.RRset]:
        """The RRsets of one section: ``answer``, ``authority`` or ``additional``."""
        return list(self._section(section))

    def _section(self, section: str) -> list[dns.rrset.RRset]:
        """The section itself (not a copy): for reading only."""
        if section == "answer":
            return self.message.answer
        if section == "authority":
            return self.message.authority
        if section == "additional":
            return self.message.additional
        raise ValueError(f"unknown section {section!r}; use answer, authority or additional")

    def owners(self, rdtype: int | str, section: str = "answer") -> set[dns.name.Name]:
        """Owner names of RRsets of ``rdtype`` in ``section``."""
        wanted_type = rdatatype(rdtype)
        return {rrset.name for rrset in self._section(section) if rrset.rdtype == wanted_type}

    def is_referral(self) -> bool:
        """True for a non-authoritative NOERROR answer with NS records in authority only."""
        return (
            self.rcode == 0
            and not self.aa
            and not self.message.answer
            and bool(self.owners(dns.rdatatype.NS, "authority"))
        )


@dataclass
class QueryFailure:
    """No usable answer: the reason says why (timeout, malformed, network, ...)."""

    address: str
    qname: dns.name.Name
    rdtype: int
    reason: FailureReason
    detail: str = ""
    port: int = 53

    ok = False


QueryResult = Answer | QueryFailure


@dataclass
class QueryStats:
    """Counters over a client's life (a whole batch of zones)."""

    sent: int = 0
    received: int = 0
    timeouts: int = 0
    tcp: int = 0
    cache_hits: int = 0
    ignored: int = 0  # datagrams that matched no waiting query (stray, wrong id or question)
    malformed: int = 0


@functools.lru_cache(maxsize=65536)
def normalise_address(address: str) -> str:
    """The canonical text of an IP address; raise ``ValueError`` naming a bad one."""
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).compressed
    except ValueError:
        raise ValueError(f"not an IP address: {address!r}") from None


@functools.lru_cache(maxsize=65536)
def ip_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """``ipaddress.ip_address(address)``, remembered (checks look the same addresses up often).

    Raises ``ValueError`` for text that is not an IP address, as ``ipaddress`` does.
    """
    return ipaddress.ip_address(address)


def same_name(first: dns.name.Name, second: dns.name.Name) -> bool:
    """``first == second`` (case-insensitive), without dnspython's label loop when it can."""
    if len(first.labels) != len(second.labels):
        return False
    return first.labels == second.labels or first == second


def name_key(name: dns.name.Name) -> tuple[bytes, ...]:
    """A hashable key equal for names equal case-insensitively (cheaper than ``hash(name)``)."""
    return tuple(label.lower() for label in name.labels)


@functools.lru_cache(maxsize=65536)
def name_from_text(text: str) -> dns.name.Name:
    """``dns.name.from_text(text)`` as a ``KeptName``, remembered (names are immutable)."""
    return kept_name(text)


@functools.lru_cache(maxsize=65536)
def reverse_name(address: str) -> dns.name.Name:
    """``dns.reversename.from_address(address)``, remembered (PTR and prefix lookups)."""
    return dns.reversename.from_address(address)


@functools.lru_cache(maxsize=1024)
def rdatatype(value: int | str) -> dns.rdatatype.RdataType:
    """``dns.rdatatype.RdataType.make(value)``, remembered (checks name types as text)."""
    return dns.rdatatype.RdataType.make(value)


def is_ipv6(address: str) -> bool:
    """True when ``address`` is an IPv6 address."""
    return ":" in address


def make_query(qname: dns.name.Name, rdtype: int, options: QueryOptions) -> dns.message.Message:
    """Build the query message that ``options`` describe."""
    query = dns.message.make_query(
        qname, dns.rdatatype.RdataType.make(rdtype), dns.rdataclass.RdataClass.make(options.qclass)
    )
    query.flags = 0
    for wanted, flag in ((options.rd, dns.flags.RD), (options.cd, dns.flags.CD)):
        if wanted:
            query.flags |= flag
    if options.ad:
        query.flags |= dns.flags.AD
    if options.edns_version is not None or options.dnssec:
        ednsflags = options.edns_flags | (dns.flags.DO if options.dnssec else 0)
        edns_options: list[dns.edns.Option] = [
            dns.edns.GenericOption(dns.edns.OptionType.make(code), data)
            for code, data in options.edns_options
        ]
        query.use_edns(
            options.edns_version or 0,
            ednsflags=ednsflags,
            payload=options.bufsize,
            options=edns_options,
        )
    return query


def query_wire(qname: dns.name.Name, rdtype: int, options: QueryOptions) -> bytes:
    """The wire form of the query ``options`` describe (id 0), built without a Message."""
    return _query_wire(qname.labels, rdtype, options)


@functools.lru_cache(maxsize=16384)
def _query_wire(labels: tuple[bytes, ...], rdtype: int, options: QueryOptions) -> bytes:
    """``query_wire`` remembered: a zone's questions go to each of its servers' addresses."""
    flags = 0
    for wanted, flag in ((options.rd, dns.flags.RD), (options.cd, dns.flags.CD)):
        if wanted:
            flags |= flag
    if options.ad:
        flags |= dns.flags.AD
    edns = options.edns_version is not None or options.dnssec
    header = struct.pack("!HHHHHH", 0, flags, 1, 0, 0, 1 if edns else 0)
    wire = header + _name_wire(labels) + struct.pack("!HH", rdtype, options.qclass)
    if not edns:
        return wire
    ednsflags = (options.edns_flags | (dns.flags.DO if options.dnssec else 0)) & 0xFFFF
    ttl = ((options.edns_version or 0) & 0xFF) << 16 | ednsflags
    rdata = b"".join(
        struct.pack("!HH", code, len(data)) + data for code, data in options.edns_options
    )
    opt = b"\x00" + struct.pack("!HHIH", dns.rdatatype.OPT, options.bufsize, ttl, len(rdata))
    return wire + opt + rdata


@functools.lru_cache(maxsize=65536)
def _name_wire(labels: tuple[bytes, ...]) -> bytes:
    """The uncompressed wire form of a name with these labels (case kept)."""
    wire = dns.name.Name(labels).to_wire()
    assert wire is not None  # absolute names only: from_text always makes them
    return wire


@dataclass
class _Waiter:
    #: Settled with (response, time received), or None on timeout (``_udp_attempt``); None
    #: for an exchange driven by callbacks (``owner``).
    future: asyncio.Future[tuple[bytes, float] | None] | None
    question: tuple[dns.name.Name, int, int]
    #: The query's question section as sent: a response echoing it byte for byte matches
    #: without parsing (other spellings, e.g. another letter case, are compared parsed).
    question_wire: bytes
    malformed: int = 0
    owner: _UdpExchange | None = None


class _SharedUdp(asyncio.DatagramProtocol):
    """One UDP socket shared by every query of one family and source address."""

    def __init__(self, client: QueryClient) -> None:
        self.client = client
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # The default buffer still works, only with more drops under load.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _SOCKET_BUFFER)

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self.client._on_datagram(data, addr)

    def error_received(self, exc: Exception) -> None:
        """ICMP errors on an unconnected socket name no query: the query times out instead."""


class QueryClient:
    """Sends queries for a whole run; share one instance across every zone of a batch."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.stats = QueryStats()
        self._endpoints: dict[tuple[int, str | None], _SharedUdp] = {}
        self._endpoint_locks: dict[tuple[int, str | None], asyncio.Lock] = {}
        self._waiters: dict[tuple[str, int, int], _Waiter] = {}
        self._cache: dict[tuple[Any, ...], asyncio.Future[QueryResult]] = {}
        self._buckets: dict[str, list[float]] = {}
        self._parsed: dict[bytes, dns.message.Message] = {}
        self._tcp_pool = TcpPool()

    # ---- public API -------------------------------------------------------------------------

    async def query(
        self,
        address: str,
        qname: dns.name.Name | str,
        rdtype: int | str,
        options: QueryOptions | None = None,
    ) -> QueryResult:
        """Ask ``address`` about (qname, rdtype); identical queries in this run are asked once."""
        task = self.start(address, qname, rdtype, options)
        if task.done():
            return task.result()
        # Shielded: a cancelled caller (zone timeout) leaves the shared query to finish.
        return await shielded(task)

    def start(
        self,
        address: str,
        qname: dns.name.Name | str,
        rdtype: int | str,
        options: QueryOptions | None = None,
    ) -> asyncio.Future[QueryResult]:
        """The query, under way or done (asked once per run): wait for it through ``shielded``."""
        options = options or QueryOptions(port=self.config.port)
        name = name_from_text(qname) if isinstance(qname, str) else qname
        type_ = rdtype if isinstance(rdtype, int) else int(rdatatype(rdtype))
        # The labels (case kept: 0x20 probes differ), not the Name, whose hash is a slow loop.
        key = (address, name.labels, type_, options)
        task = self._cache.get(key)
        if task is None:
            task = self._start(address, name, type_, options)
            self._cache[key] = task
            if len(self._cache) > self.config.cache_size:
                self._evict()
        else:
            self.stats.cache_hits += 1
        return task

    def _start(
        self, address: str, qname: dns.name.Name, rdtype: int, options: QueryOptions
    ) -> asyncio.Future[QueryResult]:
        """The query under way: a UDP query by callbacks when nothing has to be awaited first
        (the socket is open, no rate limit), else a task (TCP, first query, rate limit)."""
        if not options.tcp and self.config.rate_limit <= 0:
            try:
                server: str | None = normalise_address(address)
            except ValueError:
                server = None  # the task reports the bad address
            if server is not None and (self.config.ipv6 if is_ipv6(server) else self.config.ipv4):
                endpoint = self._endpoints.get(_endpoint_key(server, self.config))
                transport = endpoint.transport if endpoint is not None else None
                if endpoint is not None and transport is not None and not transport.is_closing():
                    future: asyncio.Future[QueryResult] = asyncio.get_running_loop().create_future()
                    _UdpExchange(self, future, address, server, qname, rdtype, options, endpoint)
                    return future
        return asyncio.ensure_future(self._query_guarded(address, qname, rdtype, options))

    def finished(
        self, address: str, qname: dns.name.Name | str, rdtype: int | str, options: QueryOptions
    ) -> QueryResult | None:
        """The result of the identical query if it already finished in this run, else None."""
        name = name_from_text(qname) if isinstance(qname, str) else qname
        type_ = rdtype if isinstance(rdtype, int) else int(rdatatype(rdtype))
        task = self._cache.get((address, name.labels, type_, options))
        if task is None or not task.done():
            return None
        self.stats.cache_hits += 1
        return task.result()

    async def send(
        self,
        address: str,
        message: dns.message.Message,
        *,
        tcp: bool = False,
        port: int | None = None,
    ) -> QueryResult:
        """Send a message built by the caller (never cached); no TCP fallback when ``tcp``."""
        question = message.question[0]
        options = QueryOptions(
            tcp=tcp, port=port or self.config.port, qclass=question.rdclass, pipelined=False
        )
        wire = message.to_wire()
        exchange = self._exchange(address, question.name, question.rdtype, wire, options)
        if not tcp:
            return await exchange
        # Its own task: the TCP timeout (``asyncio.timeout``) binds to the task that enters
        # it, and a test case started eagerly (``gathering.start_eagerly``) is in its zone's.
        return await asyncio.ensure_future(exchange)

    def _evict(self) -> None:
        """Drop the oldest tenth of the finished cache entries."""
        budget = max(1, self.config.cache_size // 10)
        for key in [key for key, task in self._cache.items() if task.done()][:budget]:
            del self._cache[key]

    def clear_cache(self) -> None:
        """Forget every cached answer (between independent batches)."""
        self._cache.clear()

    async def close(self) -> None:
        """Close the shared sockets."""
        for endpoint in self._endpoints.values():
            if endpoint.transport is not None:
                endpoint.transport.close()
        self._endpoints.clear()
        self._tcp_pool.close()

    # ---- internals ----------------------------------------------------------------------

    async def _query_guarded(
        self, address: str, qname: dns.name.Name, rdtype: int, options: QueryOptions
    ) -> QueryResult:
        try:
            return await self._query_uncached(address, qname, rdtype, options)
        except Exception as exc:  # a hostile answer must never escape as a crash
            detail = f"{exc.__class__.__name__}: {exc}"
            return QueryFailure(address, qname, rdtype, FailureReason.NETWORK, detail)

    async def _query_uncached(
        self, address: str, qname: dns.name.Name, rdtype: int, options: QueryOptions
    ) -> QueryResult:
        wire = query_wire(qname, rdtype, options)
        result = await self._exchange(address, qname, rdtype, wire, options)
        if isinstance(result, Answer) and result.tc and not options.tcp and options.tcp_fallback:
            tcp_options = dataclasses.replace(options, tcp=True)
            tcp_result = await self._exchange(address, qname, rdtype, wire, tcp_options)
            return tcp_result if isinstance(tcp_result, Answer) else result
        return result

    async def _exchange(
        self,
        address: str,
        qname: dns.name.Name,
        rdtype: int,
        wire: bytes,
        options: QueryOptions,
    ) -> QueryResult:
        try:
            server = normalise_address(address)
        except ValueError as exc:
            return QueryFailure(address, qname, rdtype, FailureReason.BAD_ADDRESS, str(exc))
        if (is_ipv6(server) and not self.config.ipv6) or (
            not is_ipv6(server) and not self.config.ipv4
        ):
            return QueryFailure(server, qname, rdtype, FailureReason.DISABLED, "family disabled")
        if options.tcp:
            return await self._tcp(server, qname, rdtype, wire, options)
        return await self._udp(server, qname, rdtype, wire, options)

    async def _udp(
        self,
        server: str,
        qname: dns.name.Name,
        rdtype: int,
        wire: bytes,
        options: QueryOptions,
    ) -> QueryResult:
        try:
            endpoint = self._endpoints.get(_endpoint_key(server, self.config))
            if endpoint is None:
                endpoint = await self._endpoint(server)
        except OSError as exc:
            reason = FailureReason.NETWORK
            return QueryFailure(server, qname, rdtype, reason, str(exc), options.port)
        question = (qname, rdtype, options.qclass)
        malformed = 0
        for _attempt in range(self.config.retries + 1):
            if self.config.rate_limit > 0:
                await self._take_token(server)
            outcome = await self._udp_attempt(endpoint, server, question, wire, options.port)
            if isinstance(outcome, tuple):
                wire, elapsed = outcome
                return self._answer(server, qname, rdtype, wire, elapsed, False, options.port)
            if isinstance(outcome, QueryFailure):
                return outcome
            malformed += outcome
        reason = FailureReason.MALFORMED if malformed else FailureReason.TIMEOUT
        self.stats.timeouts += reason is FailureReason.TIMEOUT
        detail = f"no valid response after {self.config.retries + 1} attempts"
        return QueryFailure(server, qname, rdtype, reason, detail, options.port)

    async def _udp_attempt(
        self,
        endpoint: _SharedUdp,
        server: str,
        question: tuple[dns.name.Name, int, int],
        wire: bytes,
        port: int,
    ) -> tuple[bytes, float] | QueryFailure | int:
        """One send and wait: the response, a failure, or the count of malformed responses."""
        loop = asyncio.get_running_loop()
        key = self._free_key(server, port)
        future: asyncio.Future[tuple[bytes, float] | None] = loop.create_future()
        waiter = _Waiter(future, question, _question_section(wire))
        self._waiters[key] = waiter
        # A plain timer instead of wait_for + shield: two fewer futures per datagram.
        timer = loop.call_later(self.config.timeout, _expire, future)
        try:
            assert endpoint.transport is not None
            endpoint.transport.sendto(struct.pack("!H", key[2]) + wire[2:], (server, port))
            self.stats.sent += 1
            sent_at = time.monotonic()
            outcome = await future
            if outcome is None:
                return waiter.malformed
            response, received_at = outcome
            return response, (received_at - sent_at) * 1000.0
        except OSError as exc:
            return QueryFailure(server, question[0], question[1], FailureReason.NETWORK, str(exc))
        finally:
            timer.cancel()
            self._waiters.pop(key, None)

    def _free_key(self, server: str, port: int) -> tuple[str, int, int]:
        while True:
            key = (server, port, random.getrandbits(16))
            if key not in self._waiters:
                return key

    def _on_datagram(self, data: bytes, addr: tuple[Any, ...]) -> None:
        if len(data) < 12:
            self.stats.ignored += 1
            return
        (query_id,) = struct.unpack_from("!H", data)
        waiter = self._waiters.get((addr[0], addr[1], query_id))
        if waiter is None:
            waiter = self._waiters.get((_safe_normalise(addr[0]), addr[1], query_id))
        if waiter is None or (waiter.future is not None and waiter.future.done()):
            self.stats.ignored += 1
            return
        if not (waiter.question_wire and data.startswith(waiter.question_wire, 12)):
            question = _question_of(data)
            if question is None:
                waiter.malformed += 1
                self.stats.malformed += 1
                return
            if question != waiter.question and question != _NO_QUESTION:
                self.stats.ignored += 1
                return
        self.stats.received += 1
        if waiter.owner is not None:
            waiter.owner.response(data, time.monotonic())
        else:
            assert waiter.future is not None
            waiter.future.set_result((data, time.monotonic()))

    def _answer(
        self,
        server: str,
        qname: dns.name.Name,
        rdtype: int,
        wire: bytes,
        elapsed: float,
        tcp: bool,
        port: int,
    ) -> QueryResult:
        try:
            message = self._parse(wire)
        except (dns.exception.DNSException, ValueError, struct.error, IndexError) as exc:
            self.stats.malformed += 1
            detail = f"malformed response: {exc}"
            return QueryFailure(server, qname, rdtype, FailureReason.MALFORMED, detail, port)
        return Answer(server, qname, rdtype, message, len(wire), tcp, elapsed, port)

    def _parse(self, wire: bytes) -> dns.message.Message:
        """Parse ``wire``, reusing the parse of a byte-identical earlier response (id aside).

        Answers are read-only for checks, so the copy shares sections with the cached parse;
        only the id (the one part that differs) is its own.
        """
        body = wire[2:]
        parsed = self._parsed.get(body)
        if parsed is None:
            parsed = read_message(wire)
            if len(self._parsed) >= _PARSED_CACHE_SIZE:
                del self._parsed[next(iter(self._parsed))]
            self._parsed[body] = parsed
            return parsed
        # copy.copy without its reduce machinery: a Message is a plain object with a __dict__.
        message = object.__new__(type(parsed))
        message.__dict__.update(parsed.__dict__)
        message.id = int.from_bytes(wire[:2], "big")
        return message

    async def _endpoint(self, server: str) -> _SharedUdp:
        key = _endpoint_key(server, self.config)
        family, source = key
        endpoint = self._endpoints.get(key)
        if endpoint is not None:
            return endpoint
        lock = self._endpoint_locks.setdefault(key, asyncio.Lock())
        async with lock:
            endpoint = self._endpoints.get(key)
            if endpoint is None:
                endpoint = await self._open_endpoint(family, source)
                self._endpoints[key] = endpoint
        return endpoint

    async def _open_endpoint(self, family: int, source: str | None) -> _SharedUdp:
        loop = asyncio.get_running_loop()
        local = (source or ("::" if family == socket.AF_INET6 else "0.0.0.0"), 0)
        _transport, protocol = await loop.create_datagram_endpoint(
            lambda: _SharedUdp(self), local_addr=local, family=family
        )
        return protocol

    async def _tcp(
        self,
        server: str,
        qname: dns.name.Name,
        rdtype: int,
        wire: bytes,
        options: QueryOptions,
    ) -> QueryResult:
        failure: QueryFailure | None = None
        for _attempt in range(self.config.retries + 1):
            if self.config.rate_limit > 0:
                await self._take_token(server)
            result = await self._tcp_attempt(server, qname, rdtype, wire, options)
            if isinstance(result, Answer):
                return result
            failure = result
            if result.reason is not FailureReason.TIMEOUT:
                break
        assert failure is not None
        return failure

    async def _tcp_attempt(
        self,
        server: str,
        qname: dns.name.Name,
        rdtype: int,
        wire: bytes,
        options: QueryOptions,
    ) -> QueryResult:
        started = time.monotonic()
        self.stats.sent += 1
        self.stats.tcp += 1
        source = self.config.source_ipv6 if is_ipv6(server) else self.config.source_ipv4
        local = (source, 0) if source else None
        try:
            if options.pipelined and rdtype not in _ON_OWN_CONNECTION:
                stream = rdtype == dns.rdatatype.AXFR
                response, id_matches = await self._tcp_pipelined(
                    server, options.port, local, wire, stream
                )
            else:
                response, id_matches = await self._tcp_once(server, options.port, local, wire)
        except TimeoutError:
            self.stats.timeouts += 1
            return QueryFailure(
                server, qname, rdtype, FailureReason.TIMEOUT, "TCP timeout", options.port
            )
        except OSError as exc:
            detail = f"TCP: {exc.__class__.__name__}: {exc}"
            return QueryFailure(server, qname, rdtype, FailureReason.NETWORK, detail, options.port)
        self.stats.received += 1
        # The question echoed byte for byte matches without parsing; any other spelling (another
        # letter case, compression, no question) is compared parsed.
        echoed = _question_section(wire)
        matches = bool(echoed) and response.startswith(echoed, 12)
        if not matches:
            question = _question_of(response)
            matches = question in ((qname, rdtype, options.qclass), _NO_QUESTION)
        if not matches or not id_matches:
            self.stats.malformed += 1
            detail = "TCP response does not match the query (id or question)"
            reason = FailureReason.MALFORMED
            return QueryFailure(server, qname, rdtype, reason, detail, options.port)
        elapsed = (time.monotonic() - started) * 1000.0
        return self._answer(server, qname, rdtype, response, elapsed, True, options.port)

    async def _tcp_once(
        self, server: str, port: int, local: tuple[str, int] | None, wire: bytes
    ) -> tuple[bytes, bool]:
        """The response on a connection of its own, and whether its id is the query's."""
        query_id = struct.pack("!H", random.getrandbits(16))
        # ``asyncio.timeout`` rather than ``wait_for``: no extra task per query.
        async with asyncio.timeout(self.config.timeout):
            response = await exchange_once(server, port, local, query_id + wire[2:])
        return response, response[:2] == query_id

    async def _tcp_pipelined(
        self, server: str, port: int, local: tuple[str, int] | None, wire: bytes, stream: bool
    ) -> tuple[bytes, bool]:
        """The response over a kept connection (matched by id there).

        A failure that pipelining may have caused (the connection carried other queries too)
        gets one more go on a connection of its own: the verdict is the one-query one.
        """
        ticket = Ticket(stream=stream)
        try:
            async with asyncio.timeout(self.config.timeout):
                response = await self._tcp_pool.exchange(server, port, local, wire, ticket)
            return response, True
        except (TimeoutError, OSError):
            if not ticket.shared:
                raise
        self.stats.sent += 1
        self.stats.tcp += 1
        return await self._tcp_once(server, port, local, wire)

    async def _take_token(self, server: str) -> None:
        """Per-server token bucket: wait until ``server`` may receive one more query."""
        rate = self.config.rate_limit
        if rate <= 0:
            return
        now = time.monotonic()
        bucket = self._buckets.setdefault(server, [float(self.config.rate_burst), now])
        bucket[0] = min(float(self.config.rate_burst), bucket[0] + (now - bucket[1]) * rate)
        bucket[1] = now
        bucket[0] -= 1.0
        if bucket[0] < 0:
            await asyncio.sleep(-bucket[0] / rate)


class _UdpExchange:
    """One UDP query driven by callbacks, without a task: send, wait, retry, settle ``future``.

    The steps and outcomes of ``QueryClient._query_guarded`` over UDP (``_udp``,
    ``_udp_attempt``, the TCP repeat of a truncated answer), for the common case where
    nothing has to be awaited before sending: the task, its coroutines and its wake-ups were
    a large part of the CPU a query cost. Started by its constructor.
    """

    __slots__ = (
        "address",
        "attempts",
        "client",
        "endpoint",
        "future",
        "key",
        "malformed",
        "options",
        "qname",
        "question",
        "question_wire",
        "rdtype",
        "sent_at",
        "server",
        "timer",
        "wire",
    )

    def __init__(
        self,
        client: QueryClient,
        future: asyncio.Future[QueryResult],
        address: str,
        server: str,
        qname: dns.name.Name,
        rdtype: int,
        options: QueryOptions,
        endpoint: _SharedUdp,
    ) -> None:
        self.client = client
        self.future = future
        self.address = address  # as the caller gave it (the TCP repeat normalises it again)
        self.server = server
        self.qname = qname
        self.rdtype = rdtype
        self.options = options
        self.endpoint = endpoint
        self.attempts = 0
        self.malformed = 0
        self.key: tuple[str, int, int] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.sent_at = 0.0
        try:
            self.wire = query_wire(qname, rdtype, options)
            self.question = (qname, rdtype, options.qclass)
            self.question_wire = _question_section(self.wire)
        except Exception as exc:  # nothing may escape as a crash
            self._crashed(exc)
            return
        self.send()

    def send(self) -> None:
        """One attempt: a fresh id, a timer, the datagram."""
        client = self.client
        self.attempts += 1
        key = client._free_key(self.server, self.options.port)
        self.key = key
        client._waiters[key] = _Waiter(None, self.question, self.question_wire, owner=self)
        self.timer = self.future.get_loop().call_later(client.config.timeout, self.expire)
        try:
            transport = self.endpoint.transport
            assert transport is not None
            datagram = struct.pack("!H", key[2]) + self.wire[2:]
            transport.sendto(datagram, (self.server, self.options.port))
        except OSError as exc:
            self._forget()
            reason = FailureReason.NETWORK
            self._settle(QueryFailure(self.server, self.qname, self.rdtype, reason, str(exc)))
            return
        except Exception as exc:
            self._forget()
            self._crashed(exc)
            return
        client.stats.sent += 1
        self.sent_at = time.monotonic()

    def response(self, data: bytes, received_at: float) -> None:
        """A datagram matching the query arrived (``QueryClient._on_datagram``)."""
        self._forget()
        try:
            elapsed = (received_at - self.sent_at) * 1000.0
            port = self.options.port
            result = self.client._answer(
                self.server, self.qname, self.rdtype, data, elapsed, False, port
            )
            if isinstance(result, Answer) and result.tc and self.options.tcp_fallback:
                task = asyncio.ensure_future(self._over_tcp(result))
                task.add_done_callback(self._settle_from)
                return
        except Exception as exc:
            self._crashed(exc)
            return
        self._settle(result)

    def expire(self) -> None:
        """The timer fired: no valid response; another attempt or the failure."""
        self.timer = None
        assert self.key is not None
        waiter = self.client._waiters.pop(self.key, None)
        if waiter is not None:
            self.malformed += waiter.malformed
        if self.future.done():
            return
        retries = self.client.config.retries
        if self.attempts < retries + 1:
            self.send()
            return
        reason = FailureReason.MALFORMED if self.malformed else FailureReason.TIMEOUT
        self.client.stats.timeouts += reason is FailureReason.TIMEOUT
        detail = f"no valid response after {retries + 1} attempts"
        port = self.options.port
        self._settle(QueryFailure(self.server, self.qname, self.rdtype, reason, detail, port))

    async def _over_tcp(self, truncated: Answer) -> QueryResult:
        """The truncated answer asked again over TCP (kept when TCP gives no answer)."""
        try:
            options = dataclasses.replace(self.options, tcp=True)
            tcp_result = await self.client._exchange(
                self.address, self.qname, self.rdtype, self.wire, options
            )
        except Exception as exc:
            detail = f"{exc.__class__.__name__}: {exc}"
            reason = FailureReason.NETWORK
            return QueryFailure(self.address, self.qname, self.rdtype, reason, detail)
        return tcp_result if isinstance(tcp_result, Answer) else truncated

    def _settle_from(self, task: asyncio.Future[QueryResult]) -> None:
        if task.cancelled():
            reason = FailureReason.NETWORK
            self._settle(QueryFailure(self.address, self.qname, self.rdtype, reason, "cancelled"))
        else:
            self._settle(task.result())

    def _forget(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.key is not None:
            self.client._waiters.pop(self.key, None)

    def _crashed(self, exc: Exception) -> None:
        detail = f"{exc.__class__.__name__}: {exc}"
        reason = FailureReason.NETWORK
        self._settle(QueryFailure(self.address, self.qname, self.rdtype, reason, detail))

    def _settle(self, result: QueryResult) -> None:
        if not self.future.done():
            self.future.set_result(result)


class CountingClient:
    """A view of a shared ``QueryClient`` that counts the queries asked through it (one zone)."""

    def __init__(self, client: QueryClient) -> None:
        self.client = client
        self.config = client.config
        self.count = 0

    async def query(
        self,
        address: str,
        qname: dns.name.Name | str,
        rdtype: int | str,
        options: QueryOptions | None = None,
    ) -> QueryResult:
        """Like ``QueryClient.query``, counted."""
        self.count += 1
        return await self.client.query(address, qname, rdtype, options)

    async def send(
        self, address: str, message: dns.message.Message, *, tcp: bool = False
    ) -> QueryResult:
        """Like ``QueryClient.send``, counted."""
        self.count += 1
        return await self.client.send(address, message, tcp=tcp)


def _endpoint_key(server: str, config: EngineConfig) -> tuple[int, str | None]:
    """(address family, source address) of the shared UDP socket for ``server``."""
    if is_ipv6(server):
        return int(socket.AF_INET6), config.source_ipv6
    return int(socket.AF_INET), config.source_ipv4


def shielded(task: asyncio.Future[_T]) -> asyncio.Future[_T]:
    """A future that settles as ``task`` does; cancelling it leaves ``task`` running.

    ``asyncio.shield`` without its extra bookkeeping (two callbacks, pure-Python checks):
    every query waits through one of these, so the difference shows in a batch's CPU.
    """
    outer: asyncio.Future[_T] = task.get_loop().create_future()
    task.add_done_callback(functools.partial(relay, outer))
    return outer


def relay(outer: asyncio.Future[_T], task: asyncio.Future[_T]) -> None:
    """Done-callback of ``task``: settle ``outer`` as ``task`` settled (unless it is done)."""
    if outer.done():  # the waiter was cancelled: nobody wants the result any more
        return
    if task.cancelled():
        outer.cancel()
        return
    error = task.exception()
    if error is not None:
        outer.set_exception(error)
    else:
        outer.set_result(task.result())


def _safe_normalise(address: str) -> str:
    try:
        return normalise_address(address)
    except ValueError:
        return address


#: Question types asked over TCP on a connection of their own. AXFR shares the kept one: an
#: AXFR server must take AXFR and other queries on one connection (RFC 5936 section 4.1.2),
#: and only the first message of the transfer is read (``tcp.Ticket.stream``).
_ON_OWN_CONNECTION = frozenset({int(dns.rdatatype.IXFR)})
#: What ``_question_of`` returns for a response without a question (some FORMERR answers).
_NO_QUESTION = (dns.name.empty, -1, -1)


def _question_section(query: bytes) -> bytes:
    """The first question (name, type, class) of a query as sent (b"" when there is none)."""
    offset = 12
    try:
        while query[offset]:  # uncompressed labels up to the root label
            offset += query[offset] + 1
    except IndexError:
        return b""
    return query[12 : offset + 5]


def _expire(future: asyncio.Future[tuple[bytes, float] | None]) -> None:
    """Timer callback: end a UDP wait that got no response (``None`` = timed out)."""
    if not future.done():
        future.set_result(None)


def _question_of(wire: bytes) -> tuple[dns.name.Name, int, int] | None:
    """The first question of a wire message, or None when it cannot be read."""
    try:
        (qdcount,) = struct.unpack_from("!H", wire, 4)
        if qdcount < 1:
            return _NO_QUESTION
        name, used = dns.name.from_wire(wire, 12)
        rdtype, rdclass = struct.unpack_from("!HH", wire, 12 + used)
    except (dns.exception.DNSException, struct.error, IndexError, ValueError):
        return None
    return name, rdtype, rdclass


def unique(items: Iterable[Any]) -> list[Any]:
    """Items in first-seen order without duplicates."""
    return list(dict.fromkeys(items))


__all__ = [
    "Answer",
    "CountingClient",
    "FailureReason",
    "QueryClient",
    "QueryFailure",
    "QueryOptions",
    "QueryResult",
    "QueryStats",
    "ip_address",
    "make_query",
    "query_wire",
]
