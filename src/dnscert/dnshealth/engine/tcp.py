"""DNS over TCP: one query per connection, or many queries over one kept connection.

``exchange_once`` opens a connection, writes one framed query, reads one framed response and
closes: hand-built messages, IXFR, and the repeat of a query that failed on a shared
connection use it. ``TcpPool`` keeps one connection per server and pipelines queries over it
(RFC 7766 sections 6.2.1 and 7): a batch of zones on a few hosting providers opens a handful
of connections instead of several per zone, and connection setup is most of a TCP query's
CPU. An AXFR rides the kept connection too (RFC 5936 section 4.1.2): its first message
answers the query; the rest of the stream finds no query waiting for its id and is dropped,
and a connection that may carry more of it takes no new query (``Ticket.stream``).

Responses are matched to queries by message id (unique among the queries a connection has
in flight). A connection that times out a query takes no new ones; an idle one closes after
``IDLE_SECONDS``. Pipelining must never change a verdict: a query that fails on a
connection that also carried other queries (a server that reads one query per connection,
closes early or stalls) is reported as ``shared`` so the caller can ask once more on a
connection of its own, which is exactly the one-query-per-connection exchange.
"""

from __future__ import annotations

import asyncio
import random
import struct
from dataclasses import dataclass
from typing import cast

#: A kept connection with nothing in flight is closed after this many seconds.
IDLE_SECONDS = 3.0
#: Queries in flight on one connection before another connection to the server is opened.
MAX_IN_FLIGHT = 64
#: Queries one connection carries before it takes no more (ids stay unique well beyond).
MAX_QUERIES_PER_CONNECTION = 10_000

_LENGTH = struct.Struct("!H")


class _Single(asyncio.Protocol):
    """One query over one connection: write it framed, collect one framed response.

    A bare protocol rather than streams: no reader, writer, drain or wait_closed, which cost
    more CPU than the exchange itself. A connection that ends before the whole response
    arrived fails the exchange with ``ConnectionError``.
    """

    def __init__(self, wire: bytes, response: asyncio.Future[bytes]) -> None:
        self.wire = wire
        self.response = response
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        cast(asyncio.Transport, transport).write(_LENGTH.pack(len(self.wire)) + self.wire)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) >= 2 and not self.response.done():
            (length,) = _LENGTH.unpack_from(self.buffer)
            if len(self.buffer) >= 2 + length:
                self.response.set_result(self.buffer[2 : 2 + length])

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.response.done():
            got = len(self.buffer)
            self.response.set_exception(
                exc or ConnectionError(f"connection closed after {got} bytes of the response")
            )


async def exchange_once(
    server: str, port: int, local: tuple[str, int] | None, wire: bytes
) -> bytes:
    """Send ``wire`` on a connection of its own; the first framed response (raises OSError)."""
    loop = asyncio.get_running_loop()
    response: asyncio.Future[bytes] = loop.create_future()
    transport, _protocol = await loop.create_connection(
        lambda: _Single(wire, response), server, port, local_addr=local
    )
    try:
        return await response
    finally:
        transport.close()


@dataclass
class Ticket:
    """What happened to one pipelined query besides its outcome."""

    #: The connection also carried other queries: a failure may be pipelining's fault.
    shared: bool = False
    #: Set by the caller: the answer may be a stream of messages (AXFR). A connection whose
    #: first message of it is not a refusal takes no new query and closes once the queries
    #: in flight on it are done, instead of reading a whole zone to drop it.
    stream: bool = False


def _may_continue(response: bytes) -> bool:
    """True when a stream's first message may have more behind it: NOERROR with records."""
    return len(response) >= 12 and response[3] & 0x0F == 0 and (response[6] | response[7]) != 0


class _Connection(asyncio.Protocol):
    """One kept connection to one server with the queries in flight on it."""

    def __init__(self, pool: TcpPool, key: tuple[str, int, str | None]) -> None:
        self.pool = pool
        self.key = key
        self.loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[None] = self.loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.in_flight: dict[bytes, asyncio.Future[bytes]] = {}
        self.buffer = bytearray()
        self.carried = 0
        self.usable = True  # False: takes no new query (timed out, closing, too many queries)
        self.closed = False
        self.next_id = random.getrandbits(16)
        self.idle: asyncio.TimerHandle | None = None
        self.last_used = self.loop.time()

    # ---- protocol --------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while len(buffer) >= 2:
            length = (buffer[0] << 8) | buffer[1]
            if len(buffer) < 2 + length:
                break
            message = bytes(buffer[2 : 2 + length])
            del buffer[: 2 + length]
            future = self.in_flight.pop(message[:2], None)
            if future is not None and not future.done():
                future.set_result(message)
        self._after_change()

    def connection_lost(self, exc: Exception | None) -> None:
        self.usable = False
        self.closed = True
        self.pool._forget(self)
        if self.idle is not None:
            self.idle.cancel()
        got = len(self.buffer)
        for future in self.in_flight.values():
            if not future.done():
                future.set_exception(
                    ConnectionError(f"connection closed after {got} bytes of the response")
                    if exc is None
                    else exc
                )
        self.in_flight.clear()

    # ---- queries ---------------------------------------------------------------------------

    def submit(self, wire: bytes) -> tuple[bytes, asyncio.Future[bytes]]:
        """Write ``wire`` (its id replaced by a free one); the id and the response's future."""
        assert self.transport is not None
        while True:
            self.next_id = (self.next_id + 1) & 0xFFFF
            query_id = _LENGTH.pack(self.next_id)
            if query_id not in self.in_flight:
                break
        future: asyncio.Future[bytes] = self.loop.create_future()
        self.in_flight[query_id] = future
        self.carried += 1
        if self.carried >= MAX_QUERIES_PER_CONNECTION:
            self.usable = False
        self.last_used = self.loop.time()
        self.transport.write(_LENGTH.pack(len(wire)) + query_id + wire[2:])
        return query_id, future

    def release(self, query_id: bytes, answered: bool) -> None:
        """The query is over: forget it; one that got no answer retires the connection."""
        self.in_flight.pop(query_id, None)
        if not answered:
            self.usable = False
        self._after_change()

    def _after_change(self) -> None:
        if self.in_flight or self.closed:
            return
        if not self.usable:
            self.close()
        elif self.idle is None:
            self.idle = self.loop.call_later(IDLE_SECONDS, self._idle_timeout)

    def _idle_timeout(self) -> None:
        # One timer per idle spell, not one per query: it looks at the last use when it fires.
        self.idle = None
        if self.in_flight or self.closed:
            return
        quiet = self.loop.time() - self.last_used
        if quiet >= IDLE_SECONDS:
            self.close()
        else:
            self.idle = self.loop.call_later(IDLE_SECONDS - quiet, self._idle_timeout)

    def close(self) -> None:
        """Close now; queries still in flight fail with ``ConnectionError``."""
        self.usable = False
        self.pool._forget(self)
        if self.idle is not None:
            self.idle.cancel()
            self.idle = None
        if self.transport is not None and not self.closed:
            self.transport.close()


class TcpPool:
    """Kept connections per (server, port, source address); pipelines queries over them."""

    def __init__(self) -> None:
        self._connections: dict[tuple[str, int, str | None], list[_Connection]] = {}
        self._connecting: set[asyncio.Task[None]] = set()
        self.opened = 0

    async def exchange(
        self, server: str, port: int, local: tuple[str, int] | None, wire: bytes, ticket: Ticket
    ) -> bytes:
        """Send ``wire`` over a kept connection; its response (raises OSError on failure)."""
        connection = self._pick((server, port, local[0] if local else None), local)
        if not connection.ready.done():
            try:
                await asyncio.shield(connection.ready)
            except asyncio.CancelledError:
                connection.usable = False  # too slow to connect: later queries try anew
                raise
        connection.ready.result()  # raises the connection's error
        if connection.closed:
            ticket.shared = True  # closed after carrying others: worth a connection of its own
            raise ConnectionError("connection closed before the query was written")
        query_id, future = connection.submit(wire)
        answered = False
        try:
            response = await future
            answered = True
            if ticket.stream and _may_continue(response):
                connection.usable = False
            return response
        finally:
            ticket.shared = connection.carried > 1
            connection.release(query_id, answered)

    def _pick(self, key: tuple[str, int, str | None], local: tuple[str, int] | None) -> _Connection:
        connections = self._connections.setdefault(key, [])
        for connection in connections:
            closing = connection.transport is not None and connection.transport.is_closing()
            if connection.usable and not closing and len(connection.in_flight) < MAX_IN_FLIGHT:
                return connection
        connection = _Connection(self, key)
        connections.append(connection)
        self.opened += 1
        task = asyncio.ensure_future(self._connect(connection, local))
        self._connecting.add(task)
        task.add_done_callback(self._connecting.discard)
        return connection

    async def _connect(self, connection: _Connection, local: tuple[str, int] | None) -> None:
        server, port, _source = connection.key
        try:
            await connection.loop.create_connection(
                lambda: connection, server, port, local_addr=local
            )
        except (OSError, asyncio.CancelledError) as exc:
            connection.usable = False
            connection.closed = True
            self._forget(connection)
            error = exc if isinstance(exc, OSError) else ConnectionError("connection cancelled")
            connection.ready.set_exception(error)
            connection.ready.exception()  # retrieved: nobody may be waiting any more
            return
        connection.ready.set_result(None)
        connection._after_change()  # closes it if every waiter gave up, else arms the idle timer

    def _forget(self, connection: _Connection) -> None:
        connections = self._connections.get(connection.key)
        if connections is not None and connection in connections:
            connections.remove(connection)
            if not connections:
                del self._connections[connection.key]

    def close(self) -> None:
        """Close every kept connection and stop the ones still connecting."""
        for task in list(self._connecting):
            task.cancel()
        for connections in list(self._connections.values()):
            for connection in list(connections):
                connection.close()
        self._connections.clear()
