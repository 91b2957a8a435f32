"""Jobs: one way to declare background work, run in-process or on Celery workers.

Declare a job once, in the ``jobs.py`` module of an app, on a plain function that takes
keyword arguments with JSON values (ids, never model objects)::

    from dnscert.core.jobs import every, job

    @job("dnshealth.measure_zone", schedule=every(minutes=5))
    def measure_zone(*, zone_id: int) -> dict[str, int]:
        ...

and start it with ``enqueue("dnshealth.measure_zone", zone_id=zone.pk)``. ``enqueue`` writes a
:class:`~dnscert.core.models.JobRun` row (status ``queued``) and dispatches it when the
surrounding transaction commits:

* with ``DNSCERT_BROKER_URL`` set, to the Celery task ``dnscert.run_job`` (``celery -A
  dnscert worker``); periodic jobs are sent by ``celery -A dnscert beat``;
* otherwise, to the in-process worker when this process started one
  (:func:`start_inprocess_worker`: ``dnscert serve`` and ``dnscert runjobs`` do);
* otherwise, with ``DNSCERT_JOBS_INLINE`` true (the default), the job runs synchronously in
  the caller right after commit (one-off commands, shells); with it false the run stays
  queued for a separate ``dnscert runjobs`` process, which picks queued runs from the database.

Inside tests the surrounding test transaction never commits, so runs stay ``queued``: call
:func:`run_pending` to run them synchronously, or wrap the code in pytest-django's
``django_capture_on_commit_callbacks(execute=True)``.

Every backend goes through :func:`execute`: it claims the run atomically (an UPDATE that only
succeeds while the run is queued), records timings, attempts, result and error, and retries
network errors (``retry_on``, :data:`NETWORK_ERRORS` by default, or :class:`TransientJobError`)
with exponential backoff up to ``max_attempts``.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import queue
import re
import smtplib
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, TypeAlias

import dns.exception
from celery.schedules import crontab, schedule
from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from dnscert.celery import app as celery_app
from dnscert.core import audit
from dnscert.core.exceptions import DnscertError, InvalidInput
from dnscert.core.models import AuditEvent, JobRun

logger = logging.getLogger(__name__)

#: Name of the Celery task that runs one JobRun by id.
RUN_TASK = "dnscert.run_job"
#: Name of the Celery task that celery beat calls to enqueue a periodic job.
ENQUEUE_TASK = "dnscert.enqueue_job"

BACKEND_CELERY = "celery"
BACKEND_INPROCESS = "inprocess"

#: Errors that mean "the network let us down, try again later".
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    dns.exception.Timeout,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)

_JOB_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_.]+$")
_MAX_ERROR_CHARS = 20_000
_MAX_BACKOFF_SECONDS = 3600.0

Schedule: TypeAlias = schedule  # ``crontab`` is a subclass of ``schedule``


class TransientJobError(DnscertError):
    """Raised by a job to say "this failed for a passing reason, retry me later"."""


@dataclass(frozen=True)
class Job:
    """A declared job: its name, the function it runs, its schedule and retry policy."""

    name: str
    func: Callable[..., Any]
    schedule: Schedule | None
    retry_on: tuple[type[BaseException], ...]
    max_attempts: int

    @property
    def retryable(self) -> tuple[type[BaseException], ...]:
        return (*self.retry_on, TransientJobError)


#: Every declared job, by name.
REGISTRY: dict[str, Job] = {}


# --- declaring ------------------------------------------------------------------------------


def every(*, seconds: int = 0, minutes: int = 0, hours: int = 0, days: int = 0) -> Schedule:
    """A schedule that runs a job at a fixed interval, e.g. ``every(minutes=5)``."""
    interval = timedelta(seconds=seconds, minutes=minutes, hours=hours, days=days)
    if interval <= timedelta(0):
        raise InvalidInput("schedule", "the interval must be positive")
    return schedule(run_every=interval, nowfun=timezone.now, app=celery_app)


def cron(
    minute: str = "*",
    hour: str = "*",
    day_of_week: str = "*",
    day_of_month: str = "*",
    month_of_year: str = "*",
) -> Schedule:
    """A cron-like schedule (fields as in crontab(5)), in the Celery app's time zone."""
    return crontab(
        minute=minute,
        hour=hour,
        day_of_week=day_of_week,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        nowfun=timezone.now,
        app=celery_app,
    )


def daily(hour: int = 3, minute: int = 0) -> Schedule:
    """Once a day at ``hour:minute``."""
    return cron(minute=str(minute), hour=str(hour))


def job(
    name: str,
    *,
    schedule: Schedule | None = None,
    retry_on: tuple[type[BaseException], ...] = NETWORK_ERRORS,
    max_attempts: int = 3,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare ``name`` as a job running the decorated function (returned unchanged)."""
    if not _JOB_NAME.match(name):
        raise InvalidInput("name", f"job names look like 'app.verb_noun', got {name!r}")
    if max_attempts < 1:
        raise InvalidInput("max_attempts", "must be at least 1")

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        existing = REGISTRY.get(name)
        if existing is not None and _qualname(existing.func) != _qualname(func):
            raise InvalidInput("name", f"job {name!r} is already declared by {existing.func}")
        REGISTRY[name] = Job(name, func, schedule, tuple(retry_on), max_attempts)
        return func

    return register


def get_job(name: str) -> Job:
    """The declared job called ``name``, or a clear error listing the known ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY)) or "none"
        raise InvalidInput("name", f"no job named {name!r} (known jobs: {known})") from None


def autodiscover() -> None:
    """Import the ``jobs`` module of every installed dnscert app so its jobs register."""
    for config in apps.get_app_configs():
        if not config.name.startswith("dnscert."):
            continue
        module_name = f"{config.name}.jobs"
        try:
            importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise


def _qualname(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


# --- enqueueing and dispatching -------------------------------------------------------------


def current_backend() -> str:
    """``celery`` when a broker is configured, else ``inprocess``."""
    return BACKEND_CELERY if settings.DNSCERT_BROKER_URL else BACKEND_INPROCESS


def enqueue(name: str, **kwargs: Any) -> JobRun:
    """Record a run of job ``name`` with ``kwargs`` and dispatch it after commit."""
    get_job(name)
    _check_json(kwargs)
    run = JobRun.objects.create(name=name, kwargs=kwargs, backend=current_backend())
    transaction.on_commit(partial(dispatch, run.pk), robust=True)
    return run


def _check_json(kwargs: dict[str, Any]) -> None:
    for key, value in kwargs.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise InvalidInput(
                key, f"job arguments must be JSON values (ids, not objects), got {type(value)}"
            ) from None


def dispatch(run_id: int) -> None:
    """Hand the queued run ``run_id`` to the configured backend (see the module docstring)."""
    if settings.DNSCERT_BROKER_URL:
        celery_app.send_task(RUN_TASK, args=[run_id])
    elif _worker is not None and _worker.is_running:
        _worker.submit(run_id)
    elif settings.DNSCERT_JOBS_AUTOSTART:
        start_inprocess_worker(with_scheduler=False).submit(run_id)
    elif settings.DNSCERT_JOBS_INLINE:
        run_inline(run_id)


def redispatch_queued(older_than: timedelta) -> int:
    """Dispatch again the runs queued longer than ``older_than`` (e.g. after losing the broker).

    Safe to repeat: a run is only ever claimed once, so a duplicate message does nothing.
    """
    cutoff = timezone.now() - older_than
    stuck = JobRun.objects.filter(
        status=JobRun.Status.QUEUED, backend=current_backend(), queued_at__lt=cutoff
    )
    run_ids = list(stuck.order_by("queued_at").values_list("id", flat=True))
    for run_id in run_ids:
        dispatch(run_id)
    return len(run_ids)


def run_inline(run_id: int) -> JobRun:
    """Run ``run_id`` in the calling thread, sleeping between retries, and return it."""
    label = worker_label("inline")
    delay = execute(run_id, label)
    while delay is not None:
        time.sleep(delay)
        delay = execute(run_id, label)
    return JobRun.objects.get(pk=run_id)


def run_pending(names: Iterable[str] | None = None) -> list[JobRun]:
    """Run every queued run (optionally only of ``names``) synchronously, oldest first."""
    runs = JobRun.objects.filter(status=JobRun.Status.QUEUED).order_by("queued_at", "id")
    if names is not None:
        runs = runs.filter(name__in=list(names))
    return [run_inline(run_id) for run_id in list(runs.values_list("id", flat=True))]


# --- executing ------------------------------------------------------------------------------


def worker_label(kind: str) -> str:
    """Who runs a job: kind, host, process and thread, for the JobRun's ``worker`` field."""
    thread = threading.current_thread().name
    return f"{kind}:{socket.gethostname()}:{os.getpid()}:{thread}"[:200]


def retry_delay(attempt: int) -> float:
    """Seconds to wait before attempt ``attempt + 1``: exponential from the base setting."""
    base = float(settings.DNSCERT_JOBS_RETRY_DELAY)
    return float(min(base * (2 ** max(attempt - 1, 0)), _MAX_BACKOFF_SECONDS))


def claim(run_id: int, worker: str) -> bool:
    """Atomically move a queued run to running; False when someone else got it first."""
    updated = JobRun.objects.filter(pk=run_id, status=JobRun.Status.QUEUED).update(
        status=JobRun.Status.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        attempts=F("attempts") + 1,
        worker=worker,
    )
    return updated == 1


def execute(run_id: int, worker: str) -> float | None:
    """Claim and run ``run_id``; return seconds until a retry is due, else None.

    After a retryable error with attempts left the run goes back to ``queued`` and the caller
    (in-process timer, inline loop or Celery countdown) dispatches it again after the delay.
    """
    if not claim(run_id, worker):
        return None
    run = JobRun.objects.get(pk=run_id)
    declared = REGISTRY.get(run.name)
    if declared is None:
        _finish(run, JobRun.Status.FAILED, error=f"no job named {run.name!r} is declared")
        return None
    try:
        result = _call(declared, run.kwargs)
    except declared.retryable as exc:
        if run.attempts < declared.max_attempts:
            return _requeue(run, exc)
        _finish(run, JobRun.Status.FAILED, error=_error_text(exc))
    except Exception as exc:
        _finish(run, JobRun.Status.FAILED, error=_error_text(exc))
    except BaseException as exc:
        _finish(run, JobRun.Status.FAILED, error=f"interrupted: {_error_text(exc)}")
        raise
    else:
        _finish(run, JobRun.Status.SUCCEEDED, result=audit.json_safe(result))
    return None


def _call(declared: Job, kwargs: dict[str, Any]) -> Any:
    # Inside a caller's transaction (inline runs), a savepoint keeps a failing job from
    # breaking it; elsewhere each job manages its own transactions (no long-held locks).
    in_transaction = transaction.get_connection().in_atomic_block
    with audit.channel(audit.Via.JOB), transaction.atomic() if in_transaction else nullcontext():
        return declared.func(**kwargs)


def _requeue(run: JobRun, exc: BaseException) -> float:
    delay = retry_delay(run.attempts)
    logger.warning(
        "job %s #%s attempt %s failed, retry in %.0fs", run.name, run.pk, run.attempts, delay
    )
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.QUEUED, finished_at=timezone.now(), error=_error_text(exc)
    )
    return delay


def _finish(run: JobRun, status: str, *, result: Any = None, error: str = "") -> None:
    if status == JobRun.Status.FAILED:
        logger.error("job %s #%s failed: %s", run.name, run.pk, error.splitlines()[0])
    JobRun.objects.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(), result=result, error=error
    )


def _error_text(exc: BaseException) -> str:
    trace = "".join(traceback.format_exception(exc))
    return f"{type(exc).__name__}: {exc}\n\n{trace}"[:_MAX_ERROR_CHARS]


# --- periodic scheduling --------------------------------------------------------------------


class Scheduler:
    """Enqueues periodic jobs when due; the last run of each job is read from the database."""

    def __init__(self, jobs: Iterable[Job] | None = None) -> None:
        self.started_at = timezone.now()
        self._jobs = list(jobs) if jobs is not None else None

    def periodic_jobs(self) -> list[Job]:
        source = self._jobs if self._jobs is not None else REGISTRY.values()
        return [declared for declared in source if declared.schedule is not None]

    def is_due(self, declared: Job) -> bool:
        """True when ``declared`` has not been enqueued within its schedule."""
        assert declared.schedule is not None
        last = JobRun.objects.filter(name=declared.name).order_by("-queued_at").first()
        if last is not None:
            last_at = last.queued_at
        elif isinstance(declared.schedule, crontab):
            last_at = self.started_at  # a cron job waits for its next slot
        else:
            return True  # an interval job that never ran runs now
        return bool(declared.schedule.remaining_estimate(last_at) <= timedelta(0))

    def tick(self) -> list[JobRun]:
        """Enqueue every due periodic job and return the new runs."""
        due = [declared for declared in self.periodic_jobs() if self.is_due(declared)]
        return [enqueue(declared.name) for declared in due]


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The periodic jobs as a Celery beat schedule (each entry enqueues its job)."""
    return {
        declared.name: {
            "task": ENQUEUE_TASK,
            "schedule": declared.schedule,
            "args": (declared.name,),
        }
        for declared in REGISTRY.values()
        if declared.schedule is not None
    }


# --- the in-process worker ------------------------------------------------------------------


class InProcessWorker:
    """A pool of job threads fed by a queue, plus an optional scheduler thread.

    The scheduler thread also sweeps the database for queued in-process runs nobody dispatched
    here (enqueued by another process, or left over from a restart).
    """

    def __init__(self, threads: int, with_scheduler: bool, tick_seconds: float) -> None:
        self.threads = max(threads, 1)
        self.with_scheduler = with_scheduler
        self.tick_seconds = tick_seconds
        self._queue: queue.Queue[int] = queue.Queue()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._timers: set[threading.Timer] = set()
        self._lock = threading.Lock()

    @property
    def is_running(self) -> bool:
        return bool(self._threads) and not self._stopping.is_set()

    def start(self) -> None:
        """Start the job threads and, if asked, the scheduler thread."""
        self._sweep(first=True)
        for number in range(self.threads):
            self._spawn(self._work, f"dnscert-job-{number + 1}")
        if self.with_scheduler:
            self._spawn(self._schedule, "dnscert-scheduler")
        logger.info("in-process jobs: %s threads, scheduler %s", self.threads, self.with_scheduler)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def submit(self, run_id: int) -> None:
        """Queue ``run_id`` for the job threads."""
        self._queue.put(run_id)

    def submit_later(self, run_id: int, delay: float) -> None:
        """Queue ``run_id`` after ``delay`` seconds (a retry with backoff)."""
        timer = threading.Timer(delay, self._fire_timer, args=(run_id,))
        timer.daemon = True
        with self._lock:
            self._timers.add(timer)
        timer.start()

    def _fire_timer(self, run_id: int) -> None:
        with self._lock:
            self._timers = {timer for timer in self._timers if timer.is_alive()}
        if not self._stopping.is_set():
            self.submit(run_id)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop taking work, let running jobs finish (up to ``timeout``), then return.

        Runs still queued stay queued in the database and are picked up at the next start.
        """
        self._stopping.set()
        with self._lock:
            for timer in self._timers:
                timer.cancel()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.1))
        self._threads = []

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                run_id = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            self._run_one(run_id)

    def _run_one(self, run_id: int) -> None:
        close_old_connections()
        try:
            delay = execute(run_id, worker_label("thread"))
        except Exception:
            logger.exception("job run #%s could not be executed", run_id)
            delay = None
        finally:
            close_old_connections()
        if delay is not None:
            self.submit_later(run_id, delay)

    def _schedule(self) -> None:
        scheduler = Scheduler()
        while not self._stopping.is_set():
            close_old_connections()
            try:
                scheduler.tick()  # new runs reach this worker through dispatch()
                self._sweep(first=False)
            except Exception:
                logger.exception("the job scheduler failed; trying again next tick")
            finally:
                close_old_connections()
            self._stopping.wait(self.tick_seconds)

    def _sweep(self, *, first: bool) -> None:
        if first:
            requeue_orphaned_runs()
        queued = JobRun.objects.filter(status=JobRun.Status.QUEUED, backend=BACKEND_INPROCESS)
        if not first:
            # Retries wait on timers here; only never-tried runs from elsewhere are swept.
            stale = timezone.now() - timedelta(seconds=self.tick_seconds)
            queued = queued.filter(attempts=0, queued_at__lt=stale)
        for run_id in queued.order_by("queued_at").values_list("id", flat=True):
            self.submit(run_id)


def requeue_orphaned_runs() -> int:
    """Put back in the queue the runs left ``running`` by a dead process of this host.

    Only in-process runs qualify: their ``worker`` label names the host and process id, so a
    run whose process no longer exists (killed, crashed) can safely be run again.
    """
    prefixes = [f"{kind}:{socket.gethostname()}:" for kind in ("thread", "inline")]
    running = JobRun.objects.filter(status=JobRun.Status.RUNNING, backend=BACKEND_INPROCESS)
    orphaned = [
        run.pk
        for run in running.only("pk", "worker")
        if any(run.worker.startswith(prefix) for prefix in prefixes)
        and not _process_alive(run.worker.split(":")[2])
    ]
    return JobRun.objects.filter(pk__in=orphaned, status=JobRun.Status.RUNNING).update(
        status=JobRun.Status.QUEUED, error="the worker process ended during the run; requeued"
    )


def _process_alive(pid_text: str) -> bool:
    try:
        os.kill(int(pid_text), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


_worker: InProcessWorker | None = None
_worker_lock = threading.Lock()


def start_inprocess_worker(
    threads: int | None = None, *, with_scheduler: bool = True
) -> InProcessWorker:
    """Start this process's in-process worker (once) and return it."""
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_running:
            _worker = InProcessWorker(
                threads or settings.DNSCERT_INPROCESS_WORKERS,
                with_scheduler,
                float(settings.DNSCERT_SCHEDULER_TICK_SECONDS),
            )
            _worker.start()
        return _worker


def stop_inprocess_worker(timeout: float = 30.0) -> None:
    """Stop this process's in-process worker, if any, letting running jobs finish."""
    global _worker
    with _worker_lock:
        if _worker is not None:
            _worker.stop(timeout)
            _worker = None


# --- built-in jobs --------------------------------------------------------------------------


@job("core.prune_audit_log", schedule=daily(hour=3, minute=17))
def prune_audit_log(*, retention_days: int | None = None) -> dict[str, int]:
    """Delete audit events older than ``DNSCERT_AUDIT_RETENTION_DAYS`` and record the pruning."""
    days = retention_days if retention_days is not None else settings.DNSCERT_AUDIT_RETENTION_DAYS
    if days < 1:
        raise InvalidInput("retention_days", "must be at least 1")
    cutoff = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
        audit.record(
            None,
            audit.Action.DELETE,
            object_repr=f"audit events older than {days} days",
            changes={"deleted": deleted, "before": cutoff.isoformat()},
        )
    return {"deleted": deleted, "retention_days": days}


@job("core.prune_job_runs", schedule=daily(hour=3, minute=47))
def prune_job_runs(*, retention_days: int | None = None) -> dict[str, int]:
    """Delete finished job runs older than ``DNSCERT_JOB_RETENTION_DAYS``."""
    days = retention_days if retention_days is not None else settings.DNSCERT_JOB_RETENTION_DAYS
    if days < 1:
        raise InvalidInput("retention_days", "must be at least 1")
    cutoff = timezone.now() - timedelta(days=days)
    finished = (JobRun.Status.SUCCEEDED, JobRun.Status.FAILED)
    deleted, _ = JobRun.objects.filter(status__in=finished, queued_at__lt=cutoff).delete()
    return {"deleted": deleted, "retention_days": days}
