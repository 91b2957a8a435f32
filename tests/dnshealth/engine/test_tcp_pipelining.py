"""TCP queries share kept connections (RFC 7766) without ever changing a verdict.

Real TCP servers on loopback: a pipelining server, one that reads a single query per
connection and closes, one that reads a single query and then stalls, one that answers out of
order, and a refused port.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Awaitable, Callable
from typing import cast

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from dnscert.dnshealth.engine import tcp
from dnscert.dnshealth.engine.query import (
    Answer,
    FailureReason,
    QueryClient,
    QueryFailure,
    QueryOptions,
)
from tests.dnshealth.engine.conftest import lab_config, run

SERVER = "127.201.9.8"
NAMES = [f"z{index}.xa." for index in range(12)]

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _answer(query: bytes) -> bytes:
    message = dns.message.from_wire(query)
    response = dns.message.make_response(message)
    response.flags |= dns.flags.AA
    return response.to_wire()


def _transfer(query: bytes) -> list[bytes]:
    """An AXFR answer: REFUSED for ``r.xa.``, else a stream of three messages (SOA, A, SOA)."""
    message = dns.message.from_wire(query)
    zone = message.question[0].name
    if zone == dns.name.from_text("r.xa."):
        refused = dns.message.make_response(message)
        refused.set_rcode(dns.rcode.REFUSED)
        return [refused.to_wire()]
    soa = dns.rrset.from_text(zone, 300, "IN", "SOA", "ns.xa. admin.xa. 1 2 3 4 5")
    records = dns.rrset.from_text(zone, 300, "IN", "A", "192.0.2.1")
    stream = []
    for rrset in (soa, records, soa):
        response = dns.message.make_response(message)
        response.flags |= dns.flags.AA
        response.answer.append(rrset)
        stream.append(response.to_wire())
    return stream


async def _read_query(reader: asyncio.StreamReader) -> bytes:
    (length,) = struct.unpack("!H", await reader.readexactly(2))
    return await reader.readexactly(length)


def _write(writer: asyncio.StreamWriter, response: bytes) -> None:
    writer.write(struct.pack("!H", len(response)) + response)


class Server:
    """A TCP DNS server on loopback with a chosen way of handling its connections."""

    def __init__(self, port: int, style: str) -> None:
        self.port = port
        self.style = style
        self.connections = 0
        self.queries = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, SERVER, self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            if self.style == "pipelining":
                while True:
                    query = await _read_query(reader)
                    self.queries += 1
                    if dns.message.from_wire(query).question[0].rdtype == dns.rdatatype.AXFR:
                        for response in _transfer(query):
                            _write(writer, response)
                    else:
                        _write(writer, _answer(query))
            elif self.style == "one_then_close":
                self.queries += 1
                _write(writer, _answer(await _read_query(reader)))
                await writer.drain()
            elif self.style == "one_then_stall":
                self.queries += 1
                _write(writer, _answer(await _read_query(reader)))
                await asyncio.sleep(3)
            elif self.style == "reversed":  # answers the first two queries in reverse order
                first, second = await _read_query(reader), await _read_query(reader)
                self.queries += 2
                _write(writer, _answer(second))
                _write(writer, _answer(first))
                while True:
                    query = await _read_query(reader)
                    self.queries += 1
                    _write(writer, _answer(query))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def _ask_all(port: int, style: str, **config: object) -> tuple[list[object], Server, QueryClient]:
    async def body() -> tuple[list[object], Server, QueryClient]:
        async with Server(port, style) as server:
            client = QueryClient(lab_config(port, **config))
            options = QueryOptions(tcp=True, port=port)
            try:
                results = await asyncio.gather(
                    *(client.query(SERVER, name, "SOA", options) for name in NAMES)
                )
            finally:
                await client.close()
            return list(results), server, client

    return run(body)


def _all_answered(results: list[object]) -> bool:
    return (
        all(
            isinstance(result, Answer) and result.tcp and result.rcode == dns.rcode.NOERROR
            for result in results
        )
        and [result.qname.to_text() for result in results] == NAMES
    )  # type: ignore[attr-defined]


def test_queries_to_one_server_share_one_connection(port: int) -> None:
    results, server, client = _ask_all(port, "pipelining")
    assert _all_answered(results)
    assert server.connections == 1 and server.queries == len(NAMES)
    assert client.stats.tcp == len(NAMES) and client.stats.sent == len(NAMES)


def test_answers_out_of_order_reach_their_own_query(port: int) -> None:
    results, server, _client = _ask_all(port, "reversed")
    assert _all_answered(results)
    assert server.connections == 1


def test_a_server_that_closes_after_one_answer_still_answers_every_query(port: int) -> None:
    results, server, client = _ask_all(port, "one_then_close")
    assert _all_answered(results)
    assert server.queries == len(NAMES)  # each query read exactly once, on its own connection
    assert client.stats.sent > len(NAMES)  # the retries on connections of their own


def test_a_server_that_reads_one_query_per_connection_gets_each_alone(port: int) -> None:
    results, server, _client = _ask_all(port, "one_then_stall", timeout=0.3, retries=0)
    assert _all_answered(results)  # even without retries: the verdict is not pipelining's
    assert server.queries == len(NAMES)


def test_a_refused_connection_is_a_network_failure_for_every_waiting_query(port: int) -> None:
    async def body() -> list[object]:
        client = QueryClient(lab_config(port, retries=0))
        options = QueryOptions(tcp=True, port=port)
        try:
            return list(
                await asyncio.gather(*(client.query(SERVER, n, "SOA", options) for n in NAMES))
            )
        finally:
            await client.close()

    results = run(body)
    assert all(
        isinstance(result, QueryFailure) and result.reason is FailureReason.NETWORK
        for result in results
    )


def test_a_zone_transfer_shares_the_kept_connection_and_hand_built_messages_do_not(
    port: int,
) -> None:
    async def body() -> tuple[list[object], int]:
        async with Server(port, "pipelining") as server:
            client = QueryClient(lab_config(port))
            options = QueryOptions(tcp=True, port=port)
            try:
                results = [
                    await client.query(SERVER, "a.xa.", "SOA", options),
                    await client.query(SERVER, "r.xa.", "AXFR", options),
                    await client.query(SERVER, "b.xa.", "SOA", options),
                    await client.query(SERVER, "a.xa.", "AXFR", options),
                    await client.query(SERVER, "c.xa.", "SOA", options),
                    await client.send(SERVER, dns.message.make_query("a.xa.", "NS"), tcp=True),
                ]
            finally:
                await client.close()
            return results, server.connections

    results, connections = run(body)
    assert all(isinstance(result, Answer) for result in results)
    soa_a, refused, soa_b, transfer, soa_c, _ns = cast(list[Answer], results)
    assert refused.rcode == dns.rcode.REFUSED
    assert transfer.rdtype == dns.rdatatype.AXFR
    assert transfer.message.answer[0].rdtype == dns.rdatatype.SOA  # the stream's first message
    # The rest of the transfer's stream reaches no other query.
    assert [a.qname.to_text() for a in (soa_a, soa_b, soa_c)] == ["a.xa.", "b.xa.", "c.xa."]
    assert not any(a.message.answer for a in (soa_a, soa_b, soa_c))
    # The first kept connection carries SOA a, both AXFRs and SOA b; the open transfer
    # retires it, so SOA c opens the second; the hand-built NS has the third to itself.
    assert connections == 3


def test_an_idle_connection_is_closed(port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tcp, "IDLE_SECONDS", 0.05)

    async def body() -> tuple[int, int]:
        async with Server(port, "pipelining") as server:
            client = QueryClient(lab_config(port))
            try:
                options = QueryOptions(tcp=True, port=port)
                await client.query(SERVER, "a.xa.", "SOA", options)
                await asyncio.sleep(0.3)  # idle: the kept connection closes
                await client.query(SERVER, "b.xa.", "SOA", options)
            finally:
                await client.close()
            return server.connections, server.queries

    assert run(body) == (2, 2)


def test_a_kept_connection_that_stalls_does_not_cost_an_answer(port: int) -> None:
    async def body() -> tuple[object, object, int]:
        async with Server(port, "one_then_stall") as server:
            client = QueryClient(lab_config(port, timeout=0.3, retries=0))
            options = QueryOptions(tcp=True, port=port)
            try:
                first = await client.query(SERVER, "a.xa.", "SOA", options)
                second = await client.query(SERVER, "b.xa.", "SOA", options)
            finally:
                await client.close()
            return first, second, server.connections

    first, second, connections = run(body)
    assert isinstance(first, Answer) and isinstance(second, Answer)
    assert connections >= 2
