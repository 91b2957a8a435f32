"""TCP exchanges against servers that split, cut or stall their answers; the engine's loop."""

from __future__ import annotations

import asyncio
import struct
import sys
from collections.abc import Awaitable, Callable

import dns.message
import dns.rcode
import pytest

from dnscert.dnshealth.engine import eventloop
from dnscert.dnshealth.engine.query import Answer, FailureReason, QueryClient, QueryFailure
from tests.dnshealth.engine.conftest import lab_config, run

SERVER = "127.201.9.7"
Reply = Callable[[asyncio.StreamWriter, bytes], Awaitable[None]]


async def _answer_in_bytes(writer: asyncio.StreamWriter, query: bytes) -> None:
    """A correct answer, written one byte at a time."""
    response = dns.message.make_response(dns.message.from_wire(query)).to_wire()
    for byte in struct.pack("!H", len(response)) + response:
        writer.write(bytes([byte]))
        await writer.drain()


async def _half_an_answer(writer: asyncio.StreamWriter, query: bytes) -> None:
    """The length of an answer and half of it, then the connection closes."""
    response = dns.message.make_response(dns.message.from_wire(query)).to_wire()
    writer.write(struct.pack("!H", len(response)) + response[: len(response) // 2])


async def _nothing(writer: asyncio.StreamWriter, query: bytes) -> None:
    """Keeps the connection open and says nothing."""
    await asyncio.sleep(5)


def _ask(port: int, reply: Reply) -> Answer | QueryFailure:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
        await reply(writer, await reader.readexactly(length))
        writer.close()

    async def body() -> Answer | QueryFailure:
        server = await asyncio.start_server(serve, SERVER, port)
        client = QueryClient(lab_config(port, timeout=0.5, retries=0))
        try:
            return await client.send(SERVER, dns.message.make_query("t.xa.", "SOA"), tcp=True)
        finally:
            await client.close()
            server.close()

    return run(body)


def test_it_reassembles_an_answer_that_arrives_byte_by_byte(port: int) -> None:
    result = _ask(port, _answer_in_bytes)
    assert isinstance(result, Answer) and result.tcp
    assert result.rcode == dns.rcode.NOERROR


def test_it_reports_a_connection_closed_mid_answer_as_a_network_failure(port: int) -> None:
    result = _ask(port, _half_an_answer)
    assert isinstance(result, QueryFailure)
    assert result.reason is FailureReason.NETWORK
    assert "closed after" in result.detail


def test_it_times_out_a_silent_tcp_server(port: int) -> None:
    result = _ask(port, _nothing)
    assert isinstance(result, QueryFailure) and result.reason is FailureReason.TIMEOUT


def test_the_engine_loop_returns_the_result_and_uses_uvloop_when_installed() -> None:
    uvloop = pytest.importorskip("uvloop")

    async def main() -> tuple[str, list[int]]:
        return type(asyncio.get_running_loop()).__module__, list(range(3))

    module, value = eventloop.run(main())
    assert value == [0, 1, 2]
    assert module.startswith(uvloop.__name__)


def test_the_engine_loop_falls_back_to_asyncio_without_uvloop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # the import fails
    assert eventloop.loop_factory() is None

    async def main() -> bool:
        return isinstance(asyncio.get_running_loop(), asyncio.BaseEventLoop)

    assert eventloop.run(main()) is True
