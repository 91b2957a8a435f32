"""Worker processes: a large batch is shared out over several processes, reports come back."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import AsyncIterator, Iterator

import pytest

from dnscert.dnshealth.engine import parallel
from dnscert.dnshealth.engine.cli import build_parser
from dnscert.dnshealth.engine.model import EngineConfig, RunTotals, ZoneReport
from dnscert.dnshealth.engine.runner import check_zones
from tests.dnshealth.engine.conftest import build_tree, lab_config, run
from tests.dnshealth.engine.fakeserver import FakeNetwork

ZONES = ["good.xa", "absent.xa", "bad..name", "good.xa."]


def _tags(port: int, workers: int) -> dict[str, set[str]]:
    async def body() -> dict[str, set[str]]:
        net = FakeNetwork(port)
        build_tree(net)
        async with net:
            reports = [
                report
                async for report in check_zones(
                    ZONES, lab_config(port), concurrency=2, tests=["BASIC02"], workers=workers
                )
            ]
        return {report.zone: report.tags() for report in reports}

    return run(body)


def test_it_gives_the_same_reports_from_worker_processes(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[int] = []
    original = parallel.check_in_processes

    def counting(
        zones: Iterator[str],
        config: EngineConfig,
        concurrency: int,
        tests: list[str] | None,
        workers: int,
        totals: RunTotals | None = None,
    ) -> AsyncIterator[ZoneReport]:
        used.append(workers)
        return original(zones, config, concurrency, tests, workers, totals)

    in_process = _tags(port, workers=1)
    monkeypatch.setattr(parallel, "MIN_ZONES_PER_WORKER", 1)
    monkeypatch.setattr(parallel, "check_in_processes", counting)
    in_workers = _tags(port, workers=2)
    assert used == [2]
    assert in_workers == in_process
    assert in_workers["good.xa"] == {"B02_AUTH_RESPONSE_SOA"}
    assert in_workers["bad..name"] == {"ENGINE_BAD_ZONE_NAME"}


def _totals(port: int, workers: int) -> tuple[RunTotals, int, int]:
    """Totals of checking ``ZONES``, the queries the servers received, the reports."""

    async def body() -> tuple[RunTotals, int, int]:
        net = FakeNetwork(port)
        build_tree(net)
        totals = RunTotals()
        async with net:
            stream = check_zones(
                ZONES, lab_config(port), concurrency=2, workers=workers, totals=totals
            )
            reports = [report async for report in stream]
        return totals, net.total_queries(), len(reports)

    return run(body)


def test_it_adds_up_what_every_checker_sent_and_spent(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "MIN_ZONES_PER_WORKER", 1)
    alone, received_alone, reports_alone = _totals(port, workers=1)
    shared, received_shared, reports_shared = _totals(port, workers=2)
    assert reports_alone == reports_shared == len(ZONES)
    assert (alone.checkers, shared.checkers) == (1, 2)
    # The same zones cost the same queries, whichever processes sent them; every query a
    # server received was counted by a checker (a datagram to an address nobody serves is
    # counted as sent, not received).
    assert shared.queries_sent == alone.queries_sent
    assert received_shared == received_alone
    assert alone.queries_sent >= received_alone > 0
    for totals in (alone, shared):
        assert totals.cache_hits > 0  # the test cases of a zone share their questions
        assert totals.cpu_seconds > 0
        assert totals.peak_rss_mb > 10


def test_it_keeps_a_small_batch_in_this_process(port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> AsyncIterator[ZoneReport]:
        raise AssertionError("a small batch must not start worker processes")

    monkeypatch.setattr(parallel, "check_in_processes", refuse)
    assert _tags(port, workers=2)["good.xa"] == {"B02_AUTH_RESPONSE_SOA"}


def test_it_ends_the_run_when_a_worker_dies() -> None:
    context = parallel._context()
    dead = context.Process(target=os._exit, args=(3,), name="dying-worker")
    dead.start()
    dead.join()
    outbox = context.Queue()

    async def body() -> None:
        async for _report in parallel._collect(outbox, [dead], None):
            pass

    with pytest.raises(parallel.WorkerFailed, match="dying-worker"):
        run(body)
    outbox.close()


def test_it_counts_workers_from_the_cpus_and_refuses_zero() -> None:
    assert parallel.worker_count(None) == (os.cpu_count() or 1)
    assert parallel.worker_count(3) == 3
    with pytest.raises(ValueError, match="workers must be at least 1"):
        parallel.worker_count(0)
    assert not multiprocessing.current_process().daemon


def test_it_takes_the_worker_count_from_the_command_line() -> None:
    parser = build_parser()
    assert parser.parse_args(["good.xa", "--workers", "2"]).workers == 2
    assert parser.parse_args(["good.xa"]).workers is None
    with pytest.raises(SystemExit):
        parser.parse_args(["good.xa", "--workers", "0"])
