"""The Celery application: distributed jobs over the broker in ``DNSCERT_BROKER_URL``.

Production runs ``celery -A dnscert worker`` (any number, on any machine sharing the database
and the broker) and exactly one ``celery -A dnscert beat``. Both run the jobs declared with
:func:`dnscert.core.jobs.job`: the worker through the task ``dnscert.run_job``, beat through
:class:`RegistryScheduler`, which builds its schedule from the same declarations.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dnscert.settings")

app = Celery("dnscert")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _jobs() -> Any:
    """The jobs module, with Django set up first (workers and beat start without it)."""
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from dnscert.core import jobs

    return jobs


@app.task(name="dnscert.run_job", ignore_result=True)
def run_job(run_id: int) -> None:
    """Run the JobRun ``run_id``; after a retryable error send it again with a countdown."""
    jobs = _jobs()
    delay = jobs.execute(run_id, jobs.worker_label("celery"))
    if delay is not None:
        run_job.apply_async(args=[run_id], countdown=delay)


@app.task(name="dnscert.enqueue_job", ignore_result=True)
def enqueue_job(name: str) -> int:
    """Enqueue the periodic job ``name`` (sent by celery beat) and return the run's id."""
    run = _jobs().enqueue(name)
    return int(run.pk)


class RegistryScheduler(PersistentScheduler):  # type: ignore[misc]
    """Celery beat's scheduler with the periodic jobs declared in code added to its schedule."""

    def setup_schedule(self) -> None:
        declared = _jobs().beat_schedule()
        self.app.conf.beat_schedule = {**declared, **(self.app.conf.beat_schedule or {})}
        super().setup_schedule()
