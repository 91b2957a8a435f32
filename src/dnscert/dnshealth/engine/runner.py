"""Running test cases on zones: one zone (``check_zone``) or a batch (``check_zones``).

A batch shares one ``QueryClient`` (sockets, answer cache) and one zone-cut cache, so common
parents are asked once. Each test case that waits runs in its own task (``start_eagerly``;
one that finds its answers ready finishes in the zone's task): an exception becomes an
``ENGINE_CHECK_CRASHED`` message, a zone that overruns ``config.zone_timeout`` gets
``ENGINE_ZONE_TIMEOUT`` for the unfinished test cases, and the rest of the batch goes on.
Engine messages use the test-case id ``ENGINE`` (our own vocabulary, not Zonemaster's).
After the Basic test cases, the delegation and name servers are found, and the questions the
test cases declare they ask every server (``TestCase.asks_every_server``) asked all at once,
before the other test cases start: they then find most answers ready.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import resource
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime

import dns.exception
import dns.name
import dns.rdatatype

from dnscert.dnshealth.engine import parallel, profiles, registry
from dnscert.dnshealth.engine.context import NsIp, ZoneContext
from dnscert.dnshealth.engine.gathering import retrieve, start_eagerly
from dnscert.dnshealth.engine.model import (
    EngineConfig,
    Level,
    Message,
    RunTotals,
    TestCaseResult,
    ZoneReport,
)
from dnscert.dnshealth.engine.query import QueryClient
from dnscert.dnshealth.engine.resolve import ZoneCutCache

ENGINE_ID = "ENGINE"
ENGINE_TAGS: dict[str, Level] = {
    "ENGINE_CHECK_CRASHED": Level.CRITICAL,
    "ENGINE_ZONE_TIMEOUT": Level.CRITICAL,
    "ENGINE_BAD_ZONE_NAME": Level.CRITICAL,
    "ENGINE_LOOKUP_ERROR": Level.WARNING,
    "ENGINE_TESTS_SKIPPED": Level.NOTICE,
}
#: Basic tags after which Zonemaster runs no further test module: nothing to test.
STOP_TAGS = frozenset({"B01_NO_CHILD", "B02_NO_DELEGATION", "B02_NO_WORKING_NS"})

#: Garbage-collector thresholds while a batch runs: automatic collections off. A batch keeps a
#: large heap (cached answers, reports kept by the caller) and makes almost no cyclic garbage
#: (about one object per zone on the NSD test bed), and CPython's automatic collections
#: re-scanned that heap again and again for nothing: with thresholds (50,000, 20, 1,000,000)
#: they took 1.85 ms of CPU per zone.
BATCH_GC_THRESHOLDS = (0, 0, 0)
#: Every this many zones everything is collected, then what survived is frozen
#: (``gc.freeze``): later collections only look at objects made since, so each object is
#: scanned about once in its life. Closing the last open batch freezes the rest too, then
#: unfreezes everything into the oldest generation (no scan at closing time). A collection
#: costs about 0.7 ms of CPU per zone since the last one and frees about one object per zone
#: (the NSD test bed, hostile responders included), so it is rare.
FULL_GC_EVERY_ZONES = 10_000
_gc_batches = 0
_gc_saved: tuple[int, int, int] | None = None
_gc_tuning = False


def tune_gc_in_batches(enabled: bool = True) -> None:
    """Let batches opened from now on tune the garbage collector (see ``BATCH_GC_THRESHOLDS``).

    Only for a process that does nothing but check zones (the ``dnscert check`` command, the
    engine's worker processes, the benchmark): the thresholds are the whole process's, and a
    web server or job runner that opens a batch must keep collecting its own garbage.
    """
    global _gc_tuning
    _gc_tuning = enabled


def engine_message(tag: str, **args: object) -> Message:
    """A message in the engine's own vocabulary (test case ``ENGINE``)."""
    return Message(ENGINE_ID, tag, ENGINE_TAGS[tag], args)


class Batch:
    """Shared state of a run: the query client and the zone-cut cache.

    In a process that asked for it (:func:`tune_gc_in_batches`), automatic garbage collection
    is off while a batch is open (``BATCH_GC_THRESHOLDS``); a collection (then a freeze of the
    survivors) follows every ``FULL_GC_EVERY_ZONES`` zones; closing the last open batch
    restores the thresholds and unfreezes.
    """

    def __init__(self, config: EngineConfig, client: QueryClient | None = None) -> None:
        self.config = config
        self.client = client or QueryClient(config)
        root = [address for _name, addresses in config.root_hints for address in addresses]
        self.cuts = ZoneCutCache(list(dict.fromkeys(root)))
        self.zones_checked = 0
        self._closed = False
        self._tunes_gc = _gc_tuning
        if self._tunes_gc:
            _batch_gc_enter()

    def zone_checked(self) -> None:
        """Count a finished zone; collect cyclic garbage every so many zones."""
        self.zones_checked += 1
        if self._tunes_gc and self.zones_checked % FULL_GC_EVERY_ZONES == 0:
            gc.collect()
            gc.freeze()

    async def close(self) -> None:
        """Close the shared sockets and give the garbage collector its thresholds back."""
        if not self._closed:
            self._closed = True
            if self._tunes_gc:
                _batch_gc_exit()
        await self.client.close()


async def check_zone(
    name: str,
    config: EngineConfig,
    tests: Iterable[str] | None = None,
    batch: Batch | None = None,
) -> ZoneReport:
    """Run the selected test cases (default: the config's profile) on one zone."""
    own_batch = batch is None
    shared = batch or Batch(config)
    try:
        return await _check(name, config, tests, shared)
    finally:
        if own_batch:
            await shared.close()


async def check_zones(
    names: Iterable[str],
    config: EngineConfig,
    concurrency: int = 20,
    tests: Iterable[str] | None = None,
    on_done: Callable[[ZoneReport], None] | None = None,
    workers: int | None = None,
    totals: RunTotals | None = None,
) -> AsyncIterator[ZoneReport]:
    """Check many zones, ``concurrency`` at a time; yield each report as it completes.

    ``workers`` > 1 (``None`` = one per CPU) shares a large batch out to that many worker
    processes, each with its own event loop, sockets and cache (``parallel.py``); a small
    batch, or a caller that may not start processes, stays in this process. Queries sent and
    CPU time are added to ``totals`` as each checker finishes.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    selected = list(tests) if tests is not None else None
    select_test_cases(selected, config.profile)  # bad ids or profile: fail before any query
    zones = iter(names)
    if workers is None or workers > 1:
        count = parallel.worker_count(workers)
        head = list(itertools.islice(zones, parallel.MIN_ZONES_PER_WORKER * count))
        zones = itertools.chain(head, zones)
        if count > 1 and len(head) >= parallel.MIN_ZONES_PER_WORKER * count:
            stream = parallel.check_in_processes(
                zones, config, concurrency, selected, count, totals
            )
            async for report in stream:
                if on_done is not None:
                    on_done(report)
                yield report
            return
    stream = check_stream(_from_iterator(zones), config, concurrency, selected, totals)
    async for report in stream:
        if on_done is not None:
            on_done(report)
        yield report


NameSource = Callable[[int], Awaitable[list[str]]]


def _from_iterator(zones: Iterator[str]) -> NameSource:
    """A name source over a plain iterator (``[]`` once it is exhausted)."""

    async def take(count: int) -> list[str]:
        return list(itertools.islice(zones, count))

    return take


async def check_stream(
    take: NameSource,
    config: EngineConfig,
    concurrency: int,
    tests: list[str] | None,
    totals: RunTotals | None = None,
) -> AsyncIterator[ZoneReport]:
    """Check the zones ``take(n)`` hands out (up to n at a time, ``[]`` = no more) on one batch.

    At most ``concurrency`` zones are in flight: a huge zone list is never all in memory.
    When the stream ends, what it cost is added to ``totals``.
    """
    started = time.process_time()
    batch = Batch(config)
    running: set[asyncio.Future[ZoneReport]] = set()
    exhausted = False
    try:
        while True:
            if not exhausted and len(running) < concurrency:
                fresh = await take(concurrency - len(running))
                exhausted = not fresh
                for zone in fresh:
                    running.add(asyncio.ensure_future(_check_guarded(zone, config, tests, batch)))
            if not running:
                return
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                yield task.result()
    finally:
        for task in running:
            task.cancel()
        await batch.close()
        if totals is not None:
            stats = batch.client.stats
            totals.add(
                RunTotals(
                    checkers=1,
                    queries_sent=stats.sent,
                    cache_hits=stats.cache_hits,
                    timeouts=stats.timeouts,
                    cpu_seconds=time.process_time() - started,
                    peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                )
            )


def _batch_gc_enter() -> None:
    """``BATCH_GC_THRESHOLDS`` from the first open batch on (the previous ones are kept)."""
    global _gc_batches, _gc_saved
    if _gc_batches == 0:
        _gc_saved = gc.get_threshold()
        gc.set_threshold(*BATCH_GC_THRESHOLDS)
    _gc_batches += 1


def _batch_gc_exit() -> None:
    """The thresholds from before the first batch, once the last open batch is closed."""
    global _gc_batches, _gc_saved
    _gc_batches = max(0, _gc_batches - 1)
    if _gc_batches == 0 and _gc_saved is not None:
        # Everything made since the last freeze joins the frozen objects first: restoring the
        # thresholds with millions of young objects would scan them all at the next
        # allocation (about 0.5 ms of CPU per zone of the batch) to find almost no garbage.
        gc.freeze()
        gc.set_threshold(*_gc_saved)
        gc.unfreeze()  # what the batch made is collectable again, as old objects
        _gc_saved = None


def select_test_cases(tests: Iterable[str] | None, profile: str) -> list[type[registry.TestCase]]:
    """The test case classes to run: the named ones (in run order) or the profile's."""
    if tests is None:
        return profiles.test_cases_for(profile)
    wanted = {registry.get(test_id).id for test_id in tests}
    return [case for case in registry.all_test_cases() if case.id in wanted]


async def _check_guarded(
    name: str, config: EngineConfig, tests: list[str] | None, batch: Batch
) -> ZoneReport:
    """``_check`` that turns an engine bug into a report instead of ending the batch."""
    try:
        return await _check(name, config, tests, batch)
    except Exception as exc:
        report = ZoneReport(zone=name, started=datetime.now(UTC), profile=config.profile)
        crash = engine_message(
            "ENGINE_CHECK_CRASHED", test_case=ENGINE_ID, error=f"{exc.__class__.__name__}: {exc}"
        )
        report.results.append(TestCaseResult(ENGINE_ID, "Engine", [crash]))
        return report


async def _check(
    name: str, config: EngineConfig, tests: Iterable[str] | None, batch: Batch
) -> ZoneReport:
    started = datetime.now(UTC)
    clock = time.monotonic()
    report = ZoneReport(zone=name, started=started, profile=config.profile)
    try:
        zone = dns.name.from_text(name)
    except dns.exception.DNSException as exc:
        crash = engine_message("ENGINE_BAD_ZONE_NAME", zone=name, error=str(exc))
        report.results.append(TestCaseResult(ENGINE_ID, "Engine", [crash]))
        return report
    cases = select_test_cases(tests, config.profile)
    ctx = ZoneContext(zone, config, batch.client, batch.cuts)
    deadline = clock + config.zone_timeout
    basic = [case for case in cases if case.module == "Basic"]
    others = [case for case in cases if case.module != "Basic"]
    report.results.extend(await _run_cases(basic, ctx, deadline))
    if tests is None and report.tags() & STOP_TAGS and not config.is_undelegated:
        skipped = engine_message("ENGINE_TESTS_SKIPPED", count=len(others))
        others = [case for case in others if case.id == "BASIC03"]
        report.results.append(TestCaseResult(ENGINE_ID, "Engine", [skipped]))
    if len(others) > 1:
        servers = await _discover(ctx, deadline)
        if servers:
            await _ask_every_server(ctx, servers, others, deadline)
    report.results.extend(await _run_cases(others, ctx, deadline))
    _add_lookup_errors(report, ctx)
    report.query_count = ctx.query_count
    report.duration_ms = int((time.monotonic() - clock) * 1000)
    batch.zone_checked()
    return report


async def _discover(ctx: ZoneContext, deadline: float) -> list[NsIp] | None:
    """Find the delegation and the zone's name servers before the test cases start.

    Nearly every test case begins with them: found first, the test cases go straight on to
    their own questions instead of each waiting (a task wake-up apiece) for the same answers.
    Bounded by the zone's deadline; an error here is left for the test cases to meet and
    report, as they would have without this step. Returns ``get_all_ns()`` when found in
    time, else None.
    """
    found = asyncio.gather(ctx.get_delegation(), ctx.get_all_ns())
    found.add_done_callback(retrieve)
    await asyncio.wait([found], timeout=max(0.0, deadline - time.monotonic()))
    if not found.done() or found.cancelled() or found.exception() is not None:
        return None
    _delegation, servers = found.result()
    return servers


async def _ask_every_server(
    ctx: ZoneContext, servers: list[NsIp], cases: list[type[registry.TestCase]], deadline: float
) -> None:
    """Ask every name server the questions the test cases will all ask it (``asks_every_server``),
    all at once, and wait for the answers (bounded by the zone's deadline).

    The test cases then find most of their answers ready and run on without waiting, each,
    for the same queries one after another. Nothing is asked that they would not ask.
    """
    questions = list(dict.fromkeys(q for case in cases for q in case.asks_every_server))
    if not questions:
        return
    addresses = dict.fromkeys(s.address for s in servers if s.address and ctx.can_query(s.address))
    pending = []
    for address in addresses:
        for question in questions:
            future = ctx.start_query(
                address, question.rdtype, tcp=question.tcp, dnssec=question.dnssec
            )
            if not future.done():
                pending.append(future)
    if pending:
        await asyncio.wait(pending, timeout=max(0.0, deadline - time.monotonic()))


async def _run_cases(
    cases: list[type[registry.TestCase]], ctx: ZoneContext, deadline: float
) -> list[TestCaseResult]:
    """Run test cases concurrently; results in the order of ``cases``."""
    if not cases:
        return []
    # Most test cases find every answer ready and finish without waiting: a task each was a
    # large part of a zone's CPU, so only those that wait get one.
    tasks = [start_eagerly(_run_case(case, ctx)) for case in cases]
    waiting = [task for task in tasks if not task.done()]
    pending: set[asyncio.Future[TestCaseResult]] = set()
    if waiting:
        remaining = max(0.0, deadline - time.monotonic())
        _done, pending = await asyncio.wait(waiting, timeout=remaining)
    results: list[TestCaseResult] = []
    for case, task in zip(cases, tasks, strict=True):
        if task in pending:
            task.cancel()
            timeout = engine_message(
                "ENGINE_ZONE_TIMEOUT", test_case=case.id, seconds=ctx.config.zone_timeout
            )
            results.append(TestCaseResult(case.id, case.module, [timeout]))
        else:
            results.append(task.result())
    return results


async def _run_case(case: type[registry.TestCase], ctx: ZoneContext) -> TestCaseResult:
    started = time.monotonic()
    try:
        messages = await case().run(ctx)
    except Exception as exc:  # a check's bug must never take the batch down
        detail = f"{exc.__class__.__name__}: {exc}"
        messages = [engine_message("ENGINE_CHECK_CRASHED", test_case=case.id, error=detail)]
    elapsed = int((time.monotonic() - started) * 1000)
    return TestCaseResult(case.id, case.module, list(messages), elapsed)


def _add_lookup_errors(report: ZoneReport, ctx: ZoneContext) -> None:
    errors = list(dict.fromkeys(ctx.resolver.errors))
    if not errors:
        return
    messages = [
        engine_message(
            "ENGINE_LOOKUP_ERROR",
            query_name=qname.to_text(),
            rrtype=dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype)),
            error=str(error),
        )
        for qname, rdtype, error in errors
    ]
    report.results.append(TestCaseResult(ENGINE_ID, "Engine", messages))
