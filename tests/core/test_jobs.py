"""Jobs run in-process: declaration, success, failure, retries, scheduling, worker threads."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from dnscert.core import jobs
from dnscert.core.exceptions import InvalidInput
from dnscert.core.models import AuditEvent, JobRun

# Calls per token, so each test counts its own attempts.
CALLS: Counter[str] = Counter()
# Events the thread tests wait on, by token.
EVENTS: dict[str, threading.Event] = {}


@jobs.job("tests.add_numbers")
def add_numbers(*, a: int, b: int) -> dict[str, int]:
    return {"sum": a + b}


@jobs.job("tests.explode")
def explode(*, reason: str) -> None:
    raise ValueError(f"the job exploded: {reason}")


@jobs.job("tests.flaky_network", max_attempts=3)
def flaky_network(*, token: str, failures: int) -> int:
    CALLS[token] += 1
    if CALLS[token] <= failures:
        raise ConnectionRefusedError(f"attempt {CALLS[token]}: connection refused")
    if token in EVENTS:
        EVENTS[token].set()
    return CALLS[token]


@jobs.job("tests.wait_for_release")
def wait_for_release(*, token: str) -> str:
    EVENTS[f"{token}-started"].set()
    EVENTS[token].wait(10)
    return "released"


@jobs.job("tests.break_database")
def break_database() -> None:
    JobRun.objects.create(name=None)  # NOT NULL: the database refuses


@pytest.fixture(autouse=True)
def _no_retry_delay(settings: Any) -> None:
    settings.DNSCERT_JOBS_RETRY_DELAY = 0


@pytest.fixture
def worker_cleanup() -> Any:
    yield
    jobs.stop_inprocess_worker(timeout=10)


def test_it_runs_an_enqueued_job_and_records_the_result(db: Any) -> None:
    run = jobs.enqueue("tests.add_numbers", a=2, b=40)
    assert run.status == JobRun.Status.QUEUED
    assert run.backend == jobs.BACKEND_INPROCESS

    [done] = jobs.run_pending()

    assert done.status == JobRun.Status.SUCCEEDED
    assert done.result == {"sum": 42}
    assert done.attempts == 1
    assert done.started_at is not None and done.finished_at is not None
    assert done.finished_at >= done.started_at
    assert done.worker.startswith("inline:")
    assert done.error == ""


def test_it_records_a_failure_with_the_error_text(db: Any) -> None:
    jobs.enqueue("tests.explode", reason="bad zone")

    [done] = jobs.run_pending()

    assert done.status == JobRun.Status.FAILED
    assert done.error.startswith("ValueError: the job exploded: bad zone")
    assert "Traceback" in done.error
    assert done.attempts == 1  # a programming error is not retried


def test_it_keeps_the_callers_transaction_usable_after_a_database_error(db: Any) -> None:
    jobs.enqueue("tests.break_database")

    [done] = jobs.run_pending()

    assert done.status == JobRun.Status.FAILED
    assert "IntegrityError" in done.error
    assert JobRun.objects.count() == 1  # the surrounding transaction still works


def test_it_retries_a_network_error_then_succeeds(db: Any) -> None:
    jobs.enqueue("tests.flaky_network", token="retry-ok", failures=2)

    [done] = jobs.run_pending()

    assert done.status == JobRun.Status.SUCCEEDED
    assert done.attempts == 3
    assert done.result == 3


def test_it_gives_up_after_the_declared_attempts(db: Any) -> None:
    jobs.enqueue("tests.flaky_network", token="retry-fail", failures=10)

    [done] = jobs.run_pending()

    assert done.status == JobRun.Status.FAILED
    assert done.attempts == 3
    assert "ConnectionRefusedError: attempt 3: connection refused" in done.error
    assert CALLS["retry-fail"] == 3


def test_it_backs_off_exponentially(settings: Any) -> None:
    settings.DNSCERT_JOBS_RETRY_DELAY = 30
    assert [jobs.retry_delay(attempt) for attempt in (1, 2, 3)] == [30.0, 60.0, 120.0]
    assert jobs.retry_delay(30) == 3600.0


def test_it_claims_a_queued_run_only_once(db: Any) -> None:
    run = jobs.enqueue("tests.add_numbers", a=1, b=1)

    assert jobs.claim(run.pk, "first") is True
    assert jobs.claim(run.pk, "second") is False
    run.refresh_from_db()
    assert run.status == JobRun.Status.RUNNING
    assert run.worker == "first"


def test_it_refuses_unknown_jobs_and_non_json_arguments(db: Any) -> None:
    with pytest.raises(InvalidInput, match=r"no job named 'tests\.nothing'"):
        jobs.enqueue("tests.nothing")
    with pytest.raises(InvalidInput, match="JSON values"):
        jobs.enqueue("tests.add_numbers", a=object(), b=1)
    assert not JobRun.objects.exists()


def test_it_refuses_badly_named_or_duplicate_jobs() -> None:
    with pytest.raises(InvalidInput, match=r"app\.verb_noun"):
        jobs.job("NoDot")
    with pytest.raises(InvalidInput, match="already declared"):
        jobs.job("tests.add_numbers")(explode)


def test_it_fails_a_run_whose_job_is_no_longer_declared(db: Any) -> None:
    run = JobRun.objects.create(name="gone.removed_job")

    [done] = jobs.run_pending()

    assert done.pk == run.pk
    assert done.status == JobRun.Status.FAILED
    assert "no job named 'gone.removed_job'" in done.error


def test_it_enqueues_periodic_jobs_when_due(db: Any) -> None:
    interval = jobs.Job("tests.add_numbers", add_numbers, jobs.every(minutes=5), (), 1)
    nightly = jobs.Job("tests.explode", explode, jobs.daily(hour=3), (), 1)
    scheduler = jobs.Scheduler([interval, nightly])

    first = scheduler.tick()
    assert [run.name for run in first] == ["tests.add_numbers"]  # cron waits for its slot
    assert scheduler.tick() == []  # enqueued a moment ago: not due

    JobRun.objects.filter(pk=first[0].pk).update(queued_at=timezone.now() - timedelta(minutes=6))
    assert [run.name for run in scheduler.tick()] == ["tests.add_numbers"]

    JobRun.objects.create(name="tests.explode", queued_at=timezone.now() - timedelta(days=2))
    assert [run.name for run in scheduler.tick()] == ["tests.explode"]


def test_it_builds_the_beat_schedule_from_the_declarations() -> None:
    schedule = jobs.beat_schedule()

    assert schedule["core.prune_audit_log"]["task"] == jobs.ENQUEUE_TASK
    assert schedule["core.prune_audit_log"]["args"] == ("core.prune_audit_log",)
    assert "tests.add_numbers" not in schedule  # not periodic


@pytest.mark.django_db(transaction=True)
def test_it_runs_jobs_on_the_inprocess_worker_threads(worker_cleanup: Any) -> None:
    EVENTS["threads"] = threading.Event()
    jobs.start_inprocess_worker(2, with_scheduler=False)

    run = jobs.enqueue("tests.flaky_network", token="threads", failures=1)  # autocommit

    assert EVENTS["threads"].wait(15), "the worker thread never ran the job"
    jobs.stop_inprocess_worker(timeout=10)  # waits for the run to be recorded
    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.attempts == 2  # retried through the worker's backoff timer
    assert run.worker.startswith("thread:")


@pytest.mark.django_db(transaction=True)
def test_it_starts_worker_threads_at_first_dispatch_when_asked(
    settings: Any, worker_cleanup: Any
) -> None:
    settings.DNSCERT_JOBS_AUTOSTART = True
    EVENTS["autostart"] = threading.Event()

    run = jobs.enqueue("tests.flaky_network", token="autostart", failures=0)

    assert EVENTS["autostart"].wait(15), "no worker thread was started"
    jobs.stop_inprocess_worker(timeout=10)
    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.worker.startswith("thread:")


@pytest.mark.django_db(transaction=True)
def test_it_requeues_runs_left_running_by_a_dead_process(worker_cleanup: Any) -> None:
    finished = subprocess.Popen(["true"])
    finished.wait()  # its process id now names no process
    host = socket.gethostname()
    EVENTS["orphan"] = threading.Event()
    orphan = JobRun.objects.create(
        name="tests.flaky_network",
        kwargs={"token": "orphan", "failures": 0},
        status=JobRun.Status.RUNNING,
        backend=jobs.BACKEND_INPROCESS,
        attempts=1,
        worker=f"thread:{host}:{finished.pid}:dnscert-job-1",
    )
    alive = JobRun.objects.create(
        name="tests.add_numbers",
        status=JobRun.Status.RUNNING,
        backend=jobs.BACKEND_INPROCESS,
        worker=jobs.worker_label("thread"),  # this very process: still running it
    )

    jobs.start_inprocess_worker(1, with_scheduler=False)

    assert EVENTS["orphan"].wait(15), "the orphaned run was not run again"
    jobs.stop_inprocess_worker(timeout=10)
    orphan.refresh_from_db()
    alive.refresh_from_db()
    assert orphan.status == JobRun.Status.SUCCEEDED
    assert orphan.attempts == 2
    assert alive.status == JobRun.Status.RUNNING


@pytest.mark.django_db(transaction=True)
def test_it_lets_a_running_job_finish_when_stopping(worker_cleanup: Any) -> None:
    EVENTS["stop"] = threading.Event()
    EVENTS["stop-started"] = threading.Event()
    jobs.start_inprocess_worker(1, with_scheduler=False)
    run = jobs.enqueue("tests.wait_for_release", token="stop")
    assert EVENTS["stop-started"].wait(15)

    stopper = threading.Thread(target=jobs.stop_inprocess_worker, kwargs={"timeout": 15})
    stopper.start()
    EVENTS["stop"].set()
    stopper.join(20)

    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.result == "released"


@pytest.mark.django_db(transaction=True)
def test_it_stops_runjobs_cleanly_on_sigterm(capsys: Any) -> None:
    previous = signal.getsignal(signal.SIGTERM)

    def terminate_once_handled() -> None:
        # Never send SIGTERM before runjobs installed its handler: it would end pytest.
        deadline = time.monotonic() + 30
        while signal.getsignal(signal.SIGTERM) == previous and time.monotonic() < deadline:
            time.sleep(0.05)
        if signal.getsignal(signal.SIGTERM) == previous:
            return  # runjobs never started: pytest-timeout reports the hang
        time.sleep(0.5)  # let the worker threads start
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate_once_handled, daemon=True).start()

    call_command("runjobs", "--no-scheduler", "--threads", "1")

    out = capsys.readouterr().out
    assert "running jobs with 1 thread(s), scheduler off" in out
    assert out.rstrip().endswith("stopped")
    assert signal.getsignal(signal.SIGTERM) == previous  # the handler is put back


def test_it_runs_due_and_queued_jobs_once_from_the_command(db: Any, capsys: Any) -> None:
    jobs.enqueue("tests.add_numbers", a=3, b=4)

    call_command("runjobs", "--once", "--no-scheduler")

    assert "tests.add_numbers" in capsys.readouterr().out
    assert JobRun.objects.get().status == JobRun.Status.SUCCEEDED


def test_it_enqueues_from_the_command_line_with_json_arguments(db: Any, capsys: Any) -> None:
    call_command("enqueue", "tests.add_numbers", "--kw", "a=5", "--kw", "b=6")

    run = JobRun.objects.get()
    assert run.kwargs == {"a": 5, "b": 6}
    assert run.status == JobRun.Status.QUEUED  # the test transaction has not committed
    assert "tests.add_numbers" in capsys.readouterr().out


def test_it_dispatches_long_queued_runs_again_on_request(db: Any, capsys: Any) -> None:
    stuck = jobs.enqueue("tests.add_numbers", a=1, b=2)
    JobRun.objects.filter(pk=stuck.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    fresh = jobs.enqueue("tests.add_numbers", a=3, b=4)

    call_command("enqueue", "--redispatch-older-than", "10")

    assert "dispatched 1 queued run(s) again" in capsys.readouterr().out
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == JobRun.Status.SUCCEEDED  # no broker: dispatched inline
    assert fresh.status == JobRun.Status.QUEUED


def test_it_prunes_old_audit_events_and_records_the_pruning(db: Any) -> None:
    old = AuditEvent.objects.create(action="update", at=timezone.now() - timedelta(days=40))
    recent = AuditEvent.objects.create(action="update", at=timezone.now() - timedelta(days=2))

    result = jobs.prune_audit_log(retention_days=30)

    assert result == {"deleted": 1, "retention_days": 30}
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    pruning = AuditEvent.objects.exclude(pk=recent.pk).get()
    assert pruning.action == AuditEvent.Action.DELETE
    assert pruning.changes["deleted"] == 1


def test_it_prunes_finished_job_runs_but_keeps_queued_ones(db: Any) -> None:
    long_ago = timezone.now() - timedelta(days=90)
    JobRun.objects.create(name="a.b", status=JobRun.Status.SUCCEEDED, queued_at=long_ago)
    queued = JobRun.objects.create(name="a.b", status=JobRun.Status.QUEUED, queued_at=long_ago)

    assert jobs.prune_job_runs(retention_days=30)["deleted"] == 1
    assert list(JobRun.objects.all()) == [queued]
