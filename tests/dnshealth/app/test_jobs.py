"""The DNS health jobs are declared with their schedules and run through the job runner."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dnscert.core.jobs import autodiscover, enqueue, get_job, run_pending
from dnscert.core.models import JobRun
from dnscert.dnshealth.models import RollupRecord


def test_it_declares_the_periodic_jobs() -> None:
    autodiscover()
    assert get_job("dnshealth.plan_runs").schedule.run_every == timedelta(minutes=1)  # type: ignore[union-attr]
    assert get_job("dnshealth.sync_targets").schedule.run_every == timedelta(hours=1)  # type: ignore[union-attr]
    assert get_job("dnshealth.rollup_history").schedule is not None
    assert get_job("dnshealth.retry_notifications").schedule is not None
    assert get_job("dnshealth.run_batch").schedule is None


@pytest.mark.django_db
def test_it_runs_the_rollup_job_and_keeps_its_record() -> None:
    autodiscover()
    enqueue("dnshealth.rollup_history")
    (run,) = run_pending(["dnshealth.rollup_history"])
    assert run.status == JobRun.Status.SUCCEEDED
    record = RollupRecord.objects.get()
    assert run.result == {
        "record": record.pk,
        "results_rolled_up": 0,
        "results_deleted": 0,
        "rollups_written": 0,
    }
