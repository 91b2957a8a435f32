"""Throughput measures of the query layer keep its behaviour: shared parses, fast matching."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import dns.flags
import dns.message
import dns.name

from dnscert.dnshealth.engine.query import Answer, QueryClient, QueryOptions
from tests.dnshealth.engine.conftest import lab_config, make_zone, run
from tests.dnshealth.engine.fakeserver import Behaviour, FakeNetwork

FIRST = "127.201.11.1"
SECOND = "127.201.11.2"
THIRD = "127.201.11.3"


def _network(port: int, behaviour: Behaviour | None = None) -> FakeNetwork:
    net = FakeNetwork(port)
    servers = [("ns1.perf.xa.", FIRST), ("ns2.perf.xa.", SECOND)]
    for address in (FIRST, SECOND):
        net.add(address, [make_zone("perf.xa.", servers)], behaviour)
    return net


def test_it_parses_byte_identical_answers_of_two_servers_once(port: int) -> None:
    async def body() -> tuple[Answer, Answer, int]:
        client = QueryClient(lab_config(port))
        options = QueryOptions(port=port)
        async with _network(port):
            first = await client.query(FIRST, "perf.xa.", "SOA", options)
            second = await client.query(SECOND, "perf.xa.", "SOA", options)
        await client.close()
        assert isinstance(first, Answer) and isinstance(second, Answer)
        return first, second, len(client._parsed)

    first, second, parsed = run(body)
    assert parsed == 1
    assert (first.address, second.address) == (FIRST, SECOND)
    assert first.message is not second.message
    assert first.message.answer == second.message.answer
    assert first.aa and second.aa


def test_it_keeps_each_answer_its_own_id_when_the_parse_is_shared(port: int) -> None:
    async def body() -> list[int]:
        client = QueryClient(lab_config(port))
        ids = []
        async with _network(port):
            for bufsize in (1232, 1400):  # two queries, one answer body
                options = QueryOptions(port=port, edns_version=0, bufsize=bufsize)
                result = await client.query(FIRST, "perf.xa.", "SOA", options)
                assert isinstance(result, Answer)
                ids.append(result.message.id)
        await client.close()
        assert len(client._parsed) == 1
        return ids

    ids = run(body)
    assert len(ids) == 2
    assert all(0 <= query_id < 65536 for query_id in ids)


def test_it_accepts_an_answer_whose_question_changed_case(port: int) -> None:
    async def body() -> tuple[Answer | object, int]:
        client = QueryClient(lab_config(port))
        async with _network(port, Behaviour(lowercase_question=True)):
            result = await client.query(FIRST, "PeRf.Xa.", "SOA", QueryOptions(port=port))
        await client.close()
        return result, client.stats.ignored

    result, ignored = run(body)
    assert isinstance(result, Answer)
    assert result.message.question[0].name.to_text() == "perf.xa."
    assert result.qname == dns.name.from_text("PeRf.Xa.")
    assert ignored == 0


class _OtherQuestionFirst(asyncio.DatagramProtocol):
    """Answers every query twice, same id: first for another name, then for the right one."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        query = dns.message.from_wire(data)
        other = dns.message.make_query("other.xa.", query.question[0].rdtype)
        other.id = query.id
        for question in (other, query):
            response = dns.message.make_response(question)
            response.flags |= dns.flags.AA
            self.transport.sendto(response.to_wire(), addr)


def test_it_ignores_an_answer_with_the_right_id_to_another_question(port: int) -> None:
    async def body() -> tuple[Answer | object, int]:
        loop = asyncio.get_running_loop()
        transport, _protocol = await loop.create_datagram_endpoint(
            _OtherQuestionFirst, local_addr=(THIRD, port)
        )
        client = QueryClient(lab_config(port, timeout=1.0, retries=0))
        try:
            result = await client.query(THIRD, "perf.xa.", "NS", QueryOptions(port=port))
        finally:
            await client.close()
            transport.close()
        return result, client.stats.ignored

    result, ignored = run(body)
    assert isinstance(result, Answer)
    assert result.message.question[0].name == dns.name.from_text("perf.xa.")
    assert ignored == 1
