"""Checking a large batch of zones in several worker processes (one per core by default).

asyncio runs on one core; the engine's cost is CPU (building, parsing and judging answers), so
``check_zones(..., workers=N)`` hands the zones out to N processes started with ``forkserver``
(no inherited sockets, threads or event loop). Each worker runs ``runner.check_stream`` on its
own event loop, query client and cache and sends every ``ZoneReport`` back as soon as it is
done; zones are handed out in small chunks, so a slow share does not idle the other workers
and a long zone list is never all in memory. A worker that dies ends the run with
``WorkerFailed`` rather than a hang.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import queue
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any

from dnscert.dnshealth.engine import eventloop
from dnscert.dnshealth.engine.model import EngineConfig, RunTotals, ZoneReport

#: Below this many zones per worker, starting processes costs more than it saves.
MIN_ZONES_PER_WORKER = 100
#: Zones handed to a worker at a time.
CHUNK = 8
#: How often (seconds) the parent checks that its workers are alive while it waits.
_POLL = 0.5

_REPORT, _DONE, _ERROR = "report", "done", "error"


class WorkerFailed(RuntimeError):
    """A worker process crashed or died: the batch cannot be completed."""


def worker_count(workers: int | None) -> int:
    """Processes to use: ``workers``, or one per CPU for None; 1 inside a daemon process."""
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    wanted = workers if workers is not None else (os.cpu_count() or 1)
    # Daemonic processes (e.g. Celery's prefork pool) may not start children.
    if multiprocessing.current_process().daemon:
        return 1
    return wanted


def _context() -> ForkServerContext | SpawnContext:
    """``forkserver`` (the engine imported once, in the server), else ``spawn``."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return SpawnContext()
    context = ForkServerContext()
    context.set_forkserver_preload(["dnscert.dnshealth.engine.runner"])
    return context


async def check_in_processes(
    zones: Iterator[str],
    config: EngineConfig,
    concurrency: int,
    tests: list[str] | None,
    workers: int,
    totals: RunTotals | None = None,
) -> AsyncIterator[ZoneReport]:
    """Check ``zones`` in ``workers`` processes, ``concurrency`` zones at once in each.

    Each worker's :class:`RunTotals` is added to ``totals`` when it says it is done.
    """
    context = _context()
    inbox: Any = context.Queue(maxsize=workers * 4)
    outbox: Any = context.Queue()
    processes = [
        context.Process(
            target=_work,
            args=(config, tests, concurrency, inbox, outbox),
            name=f"dnshealth-worker-{index}",
            daemon=True,
        )
        for index in range(workers)
    ]
    for process in processes:
        process.start()
    stop = threading.Event()
    feeder = threading.Thread(
        target=_feed, args=(zones, inbox, workers, stop), name="dnshealth-feeder", daemon=True
    )
    feeder.start()
    try:
        async for report in _collect(outbox, processes, totals):
            yield report
    finally:
        stop.set()
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            await asyncio.to_thread(process.join)
        feeder.join(timeout=5)
        for channel in (inbox, outbox):
            channel.cancel_join_thread()
            channel.close()


async def _collect(
    outbox: Any, processes: Sequence[BaseProcess], totals: RunTotals | None
) -> AsyncIterator[ZoneReport]:
    """Reports from the workers until every one has said it is done (with its totals)."""
    finished = 0
    while finished < len(processes):
        item = await asyncio.to_thread(_get, outbox)
        if item is None:
            dead = [p.name for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise WorkerFailed(f"worker process(es) died: {', '.join(dead)}")
            continue
        kind, payload = item
        if kind == _REPORT:
            yield payload
        elif kind == _DONE:
            finished += 1
            if totals is not None:
                totals.add(payload)
        else:
            raise WorkerFailed(f"a worker process failed: {payload}")


def _get(outbox: Any) -> tuple[str, Any] | None:
    try:
        item: tuple[str, Any] = outbox.get(timeout=_POLL)
    except queue.Empty:
        return None
    return item


def _feed(zones: Iterator[str], inbox: Any, workers: int, stop: threading.Event) -> None:
    """Thread: hand the zone names out in chunks, then one end marker per worker."""
    chunks = iter(lambda: list(itertools.islice(zones, CHUNK)), [])
    for item in itertools.chain(chunks, [None] * workers):
        while not stop.is_set():
            try:
                inbox.put(item, timeout=_POLL)
                break
            except queue.Full:
                continue
        if stop.is_set():
            return


def _work(
    config: EngineConfig, tests: list[str] | None, concurrency: int, inbox: Any, outbox: Any
) -> None:
    """Worker process body: check what the inbox hands out, send each report back."""
    from dnscert.dnshealth.engine.runner import tune_gc_in_batches  # runner imports this module

    tune_gc_in_batches()
    totals = RunTotals()
    try:
        eventloop.run(_serve(config, tests, concurrency, inbox, outbox, totals))
    except BaseException as exc:  # reported to the parent, which ends the run
        outbox.put((_ERROR, f"{exc.__class__.__name__}: {exc}"))
        raise
    outbox.put((_DONE, totals))


async def _serve(
    config: EngineConfig,
    tests: list[str] | None,
    concurrency: int,
    inbox: Any,
    outbox: Any,
    totals: RunTotals,
) -> None:
    from dnscert.dnshealth.engine.runner import check_stream  # here: runner imports this module

    pending: list[str] = []
    ended = False

    async def take(count: int) -> list[str]:
        nonlocal ended
        while len(pending) < count and not ended:
            chunk = await asyncio.to_thread(inbox.get)
            if chunk is None:
                ended = True
            else:
                pending.extend(chunk)
        handed = pending[:count]
        del pending[:count]
        return handed

    async for report in check_stream(take, config, concurrency, tests, totals):
        outbox.put((_REPORT, report))
