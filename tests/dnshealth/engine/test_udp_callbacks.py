"""UDP queries driven by callbacks (once the shared socket is open) against hostile servers.

The first query of an address family opens the shared socket in a task; the later ones are
sent and settled by callbacks (``query._UdpExchange``). They must give exactly what the
task path gives: retries, timeouts, garbage and wrong ids ignored, TCP after truncation.
"""

from __future__ import annotations

import asyncio
import time

from dnscert.dnshealth.engine.query import (
    Answer,
    FailureReason,
    QueryClient,
    QueryFailure,
    QueryOptions,
    QueryResult,
)
from tests.dnshealth.engine.conftest import lab_config, make_zone, run
from tests.dnshealth.engine.fakeserver import Behaviour, FakeNetwork

WARM = "127.201.9.2"  # a healthy server: its query opens the shared socket
SERVER = "127.201.9.3"


def _ask(
    port: int, behaviour: Behaviour, **config: object
) -> tuple[QueryResult, bool, list[tuple[str, str, bool]], QueryClient]:
    """Warm the socket, then ask the server behaving as ``behaviour`` by callbacks."""

    async def body() -> tuple[QueryResult, bool, list[tuple[str, str, bool]], QueryClient]:
        net = FakeNetwork(port)
        net.add(WARM, [make_zone("warm.xa.", [("ns1.warm.xa.", WARM)])])
        net.add(SERVER, [make_zone("test.xa.", [("ns1.test.xa.", SERVER)])], behaviour)
        client = QueryClient(lab_config(port, **config))
        options = QueryOptions(port=port)
        async with net:
            warm = await client.query(WARM, "warm.xa.", "SOA", options)
            assert isinstance(warm, Answer)
            pending = client.query(SERVER, "test.xa.", "SOA", options)
            step = asyncio.ensure_future(pending)
            await asyncio.sleep(0)  # the query is under way
            under_way = next(iter(f for k, f in client._cache.items() if k[0] == SERVER))
            by_callbacks = not isinstance(under_way, asyncio.Task)
            result = await step
            queries = list(net.servers[SERVER].queries)
        await client.close()
        return result, by_callbacks, queries, client

    return run(body)


def test_a_healthy_answer_comes_by_callbacks(port: int) -> None:
    result, by_callbacks, queries, client = _ask(port, Behaviour())
    assert by_callbacks
    assert isinstance(result, Answer) and result.aa and not result.tcp
    assert result.address == SERVER and result.elapsed_ms >= 0
    assert len(queries) == 1 and client.stats.sent == 2


def test_wrong_ids_and_garbage_are_ignored_before_the_answer(port: int) -> None:
    behaviour = Behaviour(wrong_id_first=True, garbage_first=True)
    result, by_callbacks, _queries, client = _ask(port, behaviour)
    assert by_callbacks
    assert isinstance(result, Answer) and result.aa
    assert client.stats.ignored >= 1 and client.stats.malformed >= 1


def test_a_silent_server_is_asked_again_then_times_out(port: int) -> None:
    started = time.monotonic()
    result, by_callbacks, _queries, client = _ask(
        port, Behaviour(silent=True), timeout=0.2, retries=2
    )
    assert by_callbacks
    assert isinstance(result, QueryFailure) and result.reason is FailureReason.TIMEOUT
    assert result.detail == "no valid response after 3 attempts"
    assert client.stats.sent == 1 + 3 and client.stats.timeouts == 1
    assert time.monotonic() - started < 5
    assert not client._waiters  # nothing left behind


def test_only_garbage_is_malformed(port: int) -> None:
    result, by_callbacks, _queries, _client = _ask(
        port, Behaviour(only_garbage=True), timeout=0.2, retries=1
    )
    assert by_callbacks
    assert isinstance(result, QueryFailure) and result.reason is FailureReason.MALFORMED


def test_a_truncated_answer_is_asked_again_over_tcp(port: int) -> None:
    result, by_callbacks, queries, _client = _ask(port, Behaviour(always_truncate_udp=True))
    assert by_callbacks
    assert isinstance(result, Answer) and result.tcp and not result.tc
    assert [tcp for _name, _type, tcp in queries] == [False, True]


def test_the_truncated_answer_stays_when_tcp_fails(port: int) -> None:
    behaviour = Behaviour(always_truncate_udp=True, no_tcp=True)
    result, by_callbacks, _queries, _client = _ask(port, behaviour, retries=0)
    assert by_callbacks
    assert isinstance(result, Answer) and result.tc and not result.tcp
