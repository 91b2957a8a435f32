"""The query layer against real UDP/TCP servers on loopback: hostile and healthy ones."""

from __future__ import annotations

import socket
import time

import dns.flags
import dns.message
import dns.name
import dns.rcode
import pytest

from dnscert.dnshealth.engine.query import (
    Answer,
    FailureReason,
    QueryClient,
    QueryFailure,
    QueryOptions,
    make_query,
    query_wire,
)
from tests.dnshealth.engine.conftest import lab_config, make_zone, run
from tests.dnshealth.engine.fakeserver import Behaviour, FakeNetwork

SERVER = "127.201.9.1"


def _network(port: int, behaviour: Behaviour | None = None, extra: str = "") -> FakeNetwork:
    net = FakeNetwork(port)
    zone = make_zone("test.xa.", [("ns1.test.xa.", SERVER)], extra=extra)
    net.add(SERVER, [zone], behaviour)
    return net


def _options(port: int, **values: object) -> QueryOptions:
    return QueryOptions(port=port, **values)  # type: ignore[arg-type]


def test_it_answers_over_the_shared_udp_socket(port: int) -> None:
    async def body() -> tuple[int, int]:
        client = QueryClient(lab_config(port))
        async with _network(port):
            for name in ("test.xa.", "ns1.test.xa."):
                result = await client.query(SERVER, name, "A", _options(port))
                assert isinstance(result, Answer)
        sockets = len(client._endpoints)
        await client.close()
        return sockets, client.stats.sent

    assert run(body) == (1, 2)


def test_it_asks_an_identical_query_once_per_run(port: int) -> None:
    async def body() -> int:
        client = QueryClient(lab_config(port))
        async with _network(port) as net:
            first = await client.query(SERVER, "test.xa.", "SOA", _options(port))
            second = await client.query(SERVER, "test.xa.", "SOA", _options(port))
            assert first is second
            count = net.servers[SERVER].count("test.xa.", "SOA")
        await client.close()
        return count

    assert run(body) == 1


def test_it_gives_up_on_a_silent_server_in_bounded_time(port: int) -> None:
    async def body() -> QueryFailure | Answer:
        client = QueryClient(lab_config(port, timeout=0.2, retries=1))
        async with _network(port, Behaviour(silent=True)):
            result = await client.query(SERVER, "test.xa.", "SOA", _options(port))
        await client.close()
        return result

    started = time.monotonic()
    result = run(body)
    assert isinstance(result, QueryFailure)
    assert result.reason is FailureReason.TIMEOUT
    assert time.monotonic() - started < 5


def test_it_ignores_wrong_ids_and_garbage_before_the_real_answer(port: int) -> None:
    async def body() -> tuple[QueryFailure | Answer, int, int]:
        client = QueryClient(lab_config(port))
        behaviour = Behaviour(wrong_id_first=True, garbage_first=True)
        async with _network(port, behaviour):
            result = await client.query(SERVER, "test.xa.", "SOA", _options(port))
        await client.close()
        return result, client.stats.ignored, client.stats.malformed

    result, ignored, malformed = run(body)
    assert isinstance(result, Answer)
    assert result.aa
    assert ignored >= 1
    assert malformed >= 1


def test_it_reports_a_server_that_only_sends_garbage_as_malformed(port: int) -> None:
    async def body() -> QueryFailure | Answer:
        client = QueryClient(lab_config(port, timeout=0.2, retries=0))
        async with _network(port, Behaviour(only_garbage=True)):
            result = await client.query(SERVER, "test.xa.", "SOA", _options(port))
        await client.close()
        return result

    result = run(body)
    assert isinstance(result, QueryFailure)
    assert result.reason is FailureReason.MALFORMED


def test_it_falls_back_to_tcp_on_truncation(port: int) -> None:
    async def body() -> tuple[QueryFailure | Answer, list[tuple[str, str, bool]]]:
        client = QueryClient(lab_config(port))
        async with _network(port, Behaviour(always_truncate_udp=True)) as net:
            result = await client.query(SERVER, "test.xa.", "SOA", _options(port))
            queries = list(net.servers[SERVER].queries)
        await client.close()
        return result, queries

    result, queries = run(body)
    assert isinstance(result, Answer)
    assert result.tcp and not result.tc
    assert [tcp for _n, _t, tcp in queries] == [False, True]


def test_it_keeps_the_truncated_answer_when_tcp_fails(port: int) -> None:
    async def body() -> QueryFailure | Answer:
        client = QueryClient(lab_config(port, retries=0))
        behaviour = Behaviour(always_truncate_udp=True, no_tcp=True)
        async with _network(port, behaviour):
            result = await client.query(SERVER, "test.xa.", "SOA", _options(port))
        await client.close()
        return result

    result = run(body)
    assert isinstance(result, Answer)
    assert result.tc and not result.tcp


def test_it_accepts_an_oversized_udp_response(port: int) -> None:
    many = "".join(f'big.test.xa. TXT "{"x" * 200} {index}"\n' for index in range(20))

    async def body() -> QueryFailure | Answer:
        client = QueryClient(lab_config(port))
        async with _network(port, Behaviour(oversized_udp=True), extra=many):
            result = await client.query(SERVER, "big.test.xa.", "TXT", _options(port))
        await client.close()
        return result

    result = run(body)
    assert isinstance(result, Answer)
    assert result.size > 4000
    assert not result.tcp


def test_it_refuses_a_disabled_family_without_sending(port: int) -> None:
    async def body() -> QueryFailure | Answer:
        client = QueryClient(lab_config(port, ipv6=False))
        result = await client.query("::1", "test.xa.", "SOA", _options(port))
        await client.close()
        return result

    result = run(body)
    assert isinstance(result, QueryFailure)
    assert result.reason is FailureReason.DISABLED


def test_it_reports_a_bad_server_address(port: int) -> None:
    async def body() -> QueryFailure | Answer:
        client = QueryClient(lab_config(port))
        return await client.query("not-an-ip", "test.xa.", "SOA", _options(port))

    result = run(body)
    assert isinstance(result, QueryFailure)
    assert result.reason is FailureReason.BAD_ADDRESS
    assert "not-an-ip" in result.detail


def test_it_sends_edns_version_flags_and_class_as_asked(port: int) -> None:
    seen: list[dns.message.Message] = []

    def record(query: dns.message.Message, tcp: bool) -> None:
        seen.append(query)
        return None

    async def body() -> QueryFailure | Answer:
        client = QueryClient(lab_config(port))
        net = _network(port)
        net.servers[SERVER].handler = record
        async with net:
            options = _options(port, edns_version=1, dnssec=True, rd=True, bufsize=4096)
            result = await client.query(SERVER, "test.xa.", "SOA", options)
        await client.close()
        return result

    result = run(body)
    assert isinstance(result, Answer)
    assert result.rcode == dns.rcode.BADVERS
    query = seen[0]
    assert query.edns == 1 and query.payload == 4096
    assert query.ednsflags & dns.flags.DO
    assert query.flags & dns.flags.RD


def test_it_limits_the_rate_per_server(port: int) -> None:
    async def body() -> float:
        client = QueryClient(lab_config(port, rate_limit=10.0, rate_burst=1))
        async with _network(port):
            started = time.monotonic()
            for name in ("a.test.xa.", "b.test.xa.", "c.test.xa.", "d.test.xa."):
                await client.query(SERVER, name, "A", _options(port))
            elapsed = time.monotonic() - started
        await client.close()
        return elapsed

    # Four queries with one token of burst at 10/s must wait for three refills.
    assert run(body) >= 0.25


def test_it_keeps_the_cache_bounded(port: int) -> None:
    async def body() -> tuple[int, int]:
        client = QueryClient(lab_config(port, cache_size=10))
        async with _network(port):
            for index in range(30):
                await client.query(SERVER, f"n{index}.test.xa.", "A", _options(port))
            size = len(client._cache)
            await client.query(SERVER, "n29.test.xa.", "A", _options(port))
        await client.close()
        return size, client.stats.cache_hits

    size, hits = run(body)
    assert size <= 10
    assert hits == 1  # the newest answers stay cached


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"rd": True, "cd": True, "ad": True},
        {"edns_version": 0, "bufsize": 512},
        {"dnssec": True, "bufsize": 4096},
        {"edns_version": 1, "edns_flags": 0x0100, "edns_options": ((10, b"12345678"),)},
        {"qclass": 3},
    ],
)
def test_it_builds_the_same_query_wire_as_dnspython(values: dict[str, object]) -> None:
    options = QueryOptions(**values)  # type: ignore[arg-type]
    name = dns.name.from_text("www.example.xa.")
    fast = dns.message.from_wire(query_wire(name, 28, options))
    slow = make_query(name, 28, options)
    slow.id = 0
    assert fast.to_wire() == slow.to_wire()


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_it_opens_an_ipv6_socket_for_ipv6_servers(port: int) -> None:
    async def body() -> tuple[QueryFailure | Answer, int]:
        client = QueryClient(lab_config(port, ipv6=True))
        net = FakeNetwork(port)
        net.add("::1", [make_zone("test.xa.", [("ns1.test.xa.", "::1")])])
        async with net:
            result = await client.query("0:0::1", "test.xa.", "SOA", _options(port))
        sockets = len(client._endpoints)
        await client.close()
        return result, sockets

    result, sockets = run(body)
    assert isinstance(result, Answer) and result.address == "::1"
    assert sockets == 1


def test_it_sends_a_hand_built_message_over_udp_and_tcp(port: int) -> None:
    async def body() -> list[QueryFailure | Answer]:
        client = QueryClient(lab_config(port))
        message = dns.message.make_query("test.xa.", "SOA")
        async with _network(port):
            results = [
                await client.send(SERVER, message, tcp=tcp, port=port) for tcp in (False, True)
            ]
        await client.close()
        return results

    udp, tcp = run(body)
    assert isinstance(udp, Answer) and not udp.tcp and udp.aa
    assert isinstance(tcp, Answer) and tcp.tcp and tcp.aa


def test_it_sends_from_the_configured_source_address(port: int) -> None:
    async def body() -> set[str]:
        client = QueryClient(lab_config(port, source_ipv4="127.201.77.7"))
        async with _network(port) as net:
            result = await client.query(SERVER, "test.xa.", "SOA", _options(port))
            assert isinstance(result, Answer)
            clients = set(net.servers[SERVER].clients)
        await client.close()
        return clients

    assert run(body) == {"127.201.77.7"}
