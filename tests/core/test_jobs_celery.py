"""Jobs on Celery: a real Celery worker consuming from a real Redis runs a real job.

The worker runs in a thread of the test process (Celery's own testing worker), so it shares the
test database on SQLite (in-memory) and PostgreSQL alike. The test waits on Celery's
``task_postrun`` signal rather than polling the database while the worker writes to it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from dnscert.celery import RegistryScheduler, app
from dnscert.core import jobs
from dnscert.core.models import AuditEvent, JobRun
from tests.core.test_jobs import CALLS  # also declares the tests.* jobs

pytestmark = pytest.mark.redis


@pytest.fixture
def celery_on_redis(
    redis_url: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Point the platform and the Celery app at the test's Redis; restore afterwards."""
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    settings.DNSCERT_BROKER_URL = redis_url
    previous = app.conf.broker_url
    app.close()
    app.conf.broker_url = redis_url
    try:
        yield redis_url
    finally:
        app.close()
        app.conf.broker_url = previous


@pytest.fixture
def finished_tasks() -> Iterator[threading.Semaphore]:
    """Released once for every task the worker finishes."""
    finished = threading.Semaphore(0)

    def released(**kwargs: Any) -> None:
        finished.release()

    signals.task_postrun.connect(released, weak=False)
    try:
        yield finished
    finally:
        signals.task_postrun.disconnect(released)


@pytest.mark.django_db(transaction=True)
def test_it_runs_a_job_on_a_real_celery_worker_over_redis(
    celery_on_redis: str, finished_tasks: threading.Semaphore
) -> None:
    old = AuditEvent.objects.create(action="update", at=timezone.now() - timedelta(days=40))

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        run = jobs.enqueue("core.prune_audit_log", retention_days=30)  # autocommit: sent now
        assert finished_tasks.acquire(timeout=60), "the Celery worker never ran the task"

    run.refresh_from_db()
    assert run.backend == jobs.BACKEND_CELERY
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert run.result == {"deleted": 1, "retention_days": 30}
    assert run.worker.startswith("celery:")
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_it_retries_on_celery_with_a_countdown(
    celery_on_redis: str, finished_tasks: threading.Semaphore, settings: Any
) -> None:
    settings.DNSCERT_JOBS_RETRY_DELAY = 0
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        run = jobs.enqueue("tests.flaky_network", token="celery-retry", failures=1)
        assert finished_tasks.acquire(timeout=60)  # the failed first attempt
        assert finished_tasks.acquire(timeout=60)  # the retry

    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert run.attempts == 2
    assert CALLS["celery-retry"] == 2


def test_it_gives_celery_beat_the_declared_schedule(tmp_path: Path) -> None:
    scheduler = RegistryScheduler(app=app, schedule_filename=str(tmp_path / "beat"), lazy=False)
    try:
        entry = scheduler.schedule["core.prune_audit_log"]
        assert entry.task == jobs.ENQUEUE_TASK
        assert entry.args == ("core.prune_audit_log",)
        assert entry.schedule == jobs.REGISTRY["core.prune_audit_log"].schedule
    finally:
        scheduler.close()
