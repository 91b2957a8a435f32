"""Live "check this zone now": a full check of one zone in a background thread, with progress.

:func:`start_check` records an on-demand :class:`~dnscert.dnshealth.models.MonitoringRun`
(audited) and, once the transaction commits, runs the engine in a thread: the test cases run a
few at a time and each finished one is published as a progress event; the outcome is then
stored exactly like a scheduled result (``services.record_results``: result row, status,
delegation watch, signals). :func:`events` yields the progress for the Server-Sent Events
endpoint. Progress lives in this process's memory; a client that reaches another process
(several web workers) still gets the final report, read from the database.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from django.db import OperationalError, close_old_connections, connection, transaction
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.dnshealth import services, storage
from dnscert.dnshealth.choices import CheckKind, RunStatus
from dnscert.dnshealth.engine import eventloop
from dnscert.dnshealth.engine.model import EngineConfig, TestCaseResult, ZoneReport
from dnscert.dnshealth.engine.runner import (
    ENGINE_ID,
    STOP_TAGS,
    Batch,
    check_zone,
    engine_message,
    select_test_cases,
)
from dnscert.dnshealth.models import MonitoringRun, MonitoringTarget, ZoneResult

logger = logging.getLogger(__name__)

#: Test cases run at the same time during a live check.
CASE_CONCURRENCY = 4
#: Progress logs kept in memory (the oldest finished ones are dropped first).
KEEP_PROGRESS = 200
#: Seconds between keep-alive comments while a stream waits for the next event.
KEEPALIVE_SECONDS = 10.0
#: Longest a stream stays open.
STREAM_TIMEOUT_SECONDS = 300.0

EVENT_START = "start"
EVENT_TEST_CASE = "test_case"
EVENT_REPORT = "report"
EVENT_FAILED = "failed"

Event = tuple[str, dict[str, Any]]
T = TypeVar("T")

#: Attempts, and the growing pause between them, when SQLite says the database is locked.
LOCK_RETRIES = 20
LOCK_RETRY_DELAY = 0.05


@dataclass
class Progress:
    """The events of one live check, in order, and whether it has finished."""

    run_id: int
    target_id: int | None = None
    events: list[Event] = field(default_factory=list)
    finished: bool = False
    opened: float = field(default_factory=time.monotonic)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, name: str, data: dict[str, Any], *, final: bool = False) -> None:
        with self.changed:
            self.events.append((name, data))
            self.finished = self.finished or final
            self.changed.notify_all()

    def wait_after(self, count: int, timeout: float) -> tuple[list[Event], bool]:
        """Events after the first ``count`` (waiting up to ``timeout`` for one), and finished."""
        with self.changed:
            self.changed.wait_for(lambda: len(self.events) > count or self.finished, timeout)
            return list(self.events[count:]), self.finished


class ProgressBoard:
    """The progress logs of this process, by run id (thread-safe, bounded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._logs: OrderedDict[int, Progress] = OrderedDict()

    def open(self, run_id: int, target_id: int | None = None) -> Progress:
        with self._lock:
            progress = self._logs[run_id] = Progress(run_id, target_id)
            while len(self._logs) > KEEP_PROGRESS:
                self._logs.popitem(last=False)
            return progress

    def get(self, run_id: int) -> Progress | None:
        with self._lock:
            return self._logs.get(run_id)

    def running_for(self, target_id: int) -> Progress | None:
        """An unfinished, recent live check of ``target_id`` in this process, if any."""
        oldest = time.monotonic() - STREAM_TIMEOUT_SECONDS
        with self._lock:
            running = (
                progress
                for progress in self._logs.values()
                if progress.target_id == target_id
                and not progress.finished
                and progress.opened >= oldest
            )
            return next(running, None)


BOARD = ProgressBoard()


def engine_config() -> EngineConfig:
    """The engine configuration of a live check (the scheduled full check's)."""
    return storage.engine_config(CheckKind.FULL)


# --- starting --------------------------------------------------------------------------------


@transaction.atomic
def start_check(target: MonitoringTarget, actor: Any) -> MonitoringRun:
    """Record an on-demand full check of ``target`` and start it after commit; audited."""
    if not target.is_zone:
        raise InvalidInput("zone", f"{target.name} is a name server host, not a zone")
    if not target.enabled:
        raise InvalidInput("zone", f"{target.name} is not enabled for monitoring")
    running = BOARD.running_for(target.pk)
    if running is not None:
        raise InvalidInput(
            "zone", f"a check of {target.name} is already running (run {running.run_id})"
        )
    run = MonitoringRun.objects.create(
        check_kind=CheckKind.FULL,
        profile=storage.PROFILE_FOR_KIND[CheckKind.FULL],
        target_ids=[target.pk],
        target_count=1,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor, audit.Action.CREATE, run, object_repr=f"live check of {target.name}")
    BOARD.open(run.pk, target.pk)
    transaction.on_commit(lambda: _spawn(run.pk, target.pk))
    return run


def _spawn(run_id: int, target_id: int) -> None:
    thread = threading.Thread(
        target=run_check, args=(run_id, target_id), name=f"livecheck-{run_id}", daemon=True
    )
    thread.start()


def run_check(run_id: int, target_id: int) -> None:
    """The thread's body: measure with progress, store the result, publish the report."""
    progress = BOARD.get(run_id) or BOARD.open(run_id)
    try:
        close_old_connections()
        target = MonitoringTarget.objects.select_related("latest_full_result").get(pk=target_id)
        _retrying_when_locked(
            lambda: MonitoringRun.objects.filter(pk=run_id).update(started=timezone.now())
        )
        measurement = eventloop.run(measure_with_progress(target, engine_config(), progress))
        result = _retrying_when_locked(lambda: _store(run_id, target, measurement))
        progress.publish(EVENT_REPORT, report_event(result), final=True)
    except Exception as exc:  # the client must hear about any failure
        logger.exception("live check of run %s failed", run_id)
        _retrying_when_locked(partial(_fail, run_id, exc))
        progress.publish(EVENT_FAILED, {"error": f"{type(exc).__name__}: {exc}"}, final=True)
    finally:
        connection.close()


def _retrying_when_locked(action: Callable[[], T]) -> T:
    """Run a database step, retrying while SQLite reports the database or a table locked.

    The embedded SQLite database has one writer at a time; the request that started the
    check may still hold it for a moment. Other databases never raise this.
    """
    for attempt in range(1, LOCK_RETRIES):
        try:
            return action()
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(LOCK_RETRY_DELAY * attempt)
    return action()


def _store(run_id: int, target: MonitoringTarget, measurement: storage.Measurement) -> ZoneResult:
    run = MonitoringRun.objects.get(pk=run_id)
    with transaction.atomic():
        (result,) = services.record_results(run, [target], [measurement])
        MonitoringRun.objects.filter(pk=run_id).update(
            status=RunStatus.SUCCEEDED, finished=timezone.now(), result_count=1
        )
    return result


def _fail(run_id: int, exc: BaseException) -> None:
    MonitoringRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED, finished=timezone.now(), error=f"{type(exc).__name__}: {exc}"
    )


# --- measuring with progress -----------------------------------------------------------------


async def measure_with_progress(
    target: MonitoringTarget, config: EngineConfig, progress: Progress
) -> storage.Measurement:
    """The engine's test cases (a few at a time, each published as it ends) plus the probe."""
    batch = Batch(config)
    try:
        report = await _report_with_progress(target.name, config, batch, progress.publish)
        measurement = await storage.probe_zone(target.name, batch, target.watch_delegation)
    finally:
        await batch.close()
    measurement.report = report
    return measurement


async def _report_with_progress(
    zone: str, config: EngineConfig, batch: Batch, publish: Callable[..., None]
) -> ZoneReport:
    cases = select_test_cases(None, config.profile)
    report = ZoneReport(zone=zone, started=datetime.now(UTC), profile=config.profile)
    counter = _Counter(len(cases), publish)
    publish(EVENT_START, {"zone": zone, "total": len(cases), "profile": config.profile})
    basic = [case.id for case in cases if case.module == "Basic"]
    others = [case.id for case in cases if case.module != "Basic"]
    await _run_cases(zone, basic, config, batch, report, counter)
    if report.tags() & STOP_TAGS and not config.is_undelegated:
        skipped = [case for case in others if case != "BASIC03"]
        note = engine_message("ENGINE_TESTS_SKIPPED", count=len(skipped))
        report.results.append(TestCaseResult(ENGINE_ID, "Engine", [note]))
        counter.skip(len(skipped))
        others = [case for case in others if case == "BASIC03"]
    await _run_cases(zone, others, config, batch, report, counter)
    report.duration_ms = int((datetime.now(UTC) - report.started).total_seconds() * 1000)
    return report


class _Counter:
    """Counts finished test cases and publishes one event per case."""

    def __init__(self, total: int, publish: Callable[..., None]) -> None:
        self.total, self.done, self.publish = total, 0, publish

    def skip(self, count: int) -> None:
        self.total -= count

    def finished(self, result: TestCaseResult) -> None:
        self.done += 1
        level = result.worst_level
        self.publish(
            EVENT_TEST_CASE,
            {
                "test_case": result.test_case,
                "module": result.module,
                "worst_level": level.name if level is not None else None,
                "messages": len(result.messages),
                "done": self.done,
                "total": self.total,
            },
        )


async def _run_cases(
    zone: str,
    case_ids: list[str],
    config: EngineConfig,
    batch: Batch,
    report: ZoneReport,
    counter: _Counter,
) -> None:
    """Run ``case_ids`` a few at a time; add their results (and engine notes, once) to report."""
    semaphore = asyncio.Semaphore(CASE_CONCURRENCY)
    seen_engine: set[tuple[str, str]] = {(m.tag, str(m.args)) for m in _engine_messages(report)}

    async def one(case_id: str) -> ZoneReport:
        async with semaphore:
            return await check_zone(zone, config, tests=[case_id], batch=batch)

    for finished in asyncio.as_completed([one(case_id) for case_id in case_ids]):
        partial = await finished
        report.query_count += partial.query_count
        for result in partial.results:
            if result.test_case == ENGINE_ID:
                _add_engine_notes(report, result, seen_engine)
            else:
                report.results.append(result)
                counter.finished(result)


def _engine_messages(report: ZoneReport) -> list[Any]:
    return [m for r in report.results if r.test_case == ENGINE_ID for m in r.messages]


def _add_engine_notes(
    report: ZoneReport, result: TestCaseResult, seen: set[tuple[str, str]]
) -> None:
    """Engine notes (lookup errors) repeat in every partial run: keep each one once."""
    fresh = [m for m in result.messages if (m.tag, str(m.args)) not in seen]
    seen.update((m.tag, str(m.args)) for m in fresh)
    if fresh:
        report.results.append(TestCaseResult(ENGINE_ID, "Engine", fresh))


# --- reporting -------------------------------------------------------------------------------


def report_event(result: ZoneResult) -> dict[str, Any]:
    """The final event: where the result is, its status, and its messages above INFO."""
    notable = [m for m in result.message_dicts() if m["level"] not in ("DEBUG", "INFO")]
    return {
        "run": result.run_id,
        "result": result.pk,
        "zone": result.target.name,
        "status": result.status,
        "worst_level": result.worst_level or None,
        "message_count": result.message_count,
        "notable": notable[:100],
        "checked_at": result.checked_at.isoformat(),
    }


def _final_from_database(run: MonitoringRun) -> Event | None:
    """The final event of a finished run, read from the database (None while it runs)."""
    if run.status == RunStatus.FAILED:
        return EVENT_FAILED, {"error": run.error or "the check failed"}
    if run.status != RunStatus.SUCCEEDED:
        return None
    result = ZoneResult.objects.filter(run=run).select_related("target").first()
    if result is None:
        return EVENT_FAILED, {"error": "the check stored no result"}
    return EVENT_REPORT, report_event(result)


def events(run: MonitoringRun, timeout: float = STREAM_TIMEOUT_SECONDS) -> Iterator[Event | None]:
    """The run's events as they happen; ``None`` is a keep-alive (nothing new yet)."""
    progress = BOARD.get(run.pk)
    if progress is None:
        yield from _events_from_database(run.pk, timeout)
        return
    sent, deadline = 0, time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh, finished = progress.wait_after(sent, KEEPALIVE_SECONDS)
        sent += len(fresh)
        yield from fresh
        if finished and not fresh:
            return
        if not fresh:
            yield None


def _events_from_database(run_id: int, timeout: float) -> Iterator[Event | None]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        final = _final_from_database(MonitoringRun.objects.get(pk=run_id))
        if final is not None:
            yield final
            return
        yield None
        time.sleep(1.0)
