"""Planning splits due targets into batch jobs; results move the due times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dnscert.core.models import JobRun
from dnscert.dnshealth import services
from dnscert.dnshealth.choices import CheckKind, RunStatus, TargetKind
from dnscert.dnshealth.engine.model import Level
from dnscert.dnshealth.models import MonitoringRun, MonitoringTarget
from dnscert.dnshealth.storage import ServerTiming
from tests.dnshealth.app import factories

pytestmark = pytest.mark.django_db


def _targets(count: int) -> list[MonitoringTarget]:
    org = factories.registry()
    return [factories.target(org, f"zone{index}.xa.") for index in range(count)]


def test_it_splits_due_targets_into_batches_and_claims_them() -> None:
    _targets(5)
    runs = services.plan_runs(batch_size=2)
    assert [run.target_count for run in runs] == [2, 2, 1]
    assert {run.check_kind for run in runs} == {CheckKind.FULL}
    assert JobRun.objects.filter(name="dnshealth.run_batch").count() == 3
    assert all(run.job_run is not None and run.status == RunStatus.QUEUED for run in runs)
    assert services.plan_runs(batch_size=2) == []  # claimed: not planned twice


def test_it_plans_a_reachability_check_when_only_that_is_due() -> None:
    (target,) = _targets(1)
    now = timezone.now()
    MonitoringTarget.objects.filter(pk=target.pk).update(
        next_full_due=now + timedelta(hours=1), next_reachability_due=now - timedelta(minutes=1)
    )
    (run,) = services.plan_runs()
    assert (run.check_kind, run.profile, run.target_ids) == (
        CheckKind.REACHABILITY,
        "quick",
        [target.pk],
    )


def test_it_plans_again_once_a_claim_expired() -> None:
    _targets(1)
    services.plan_runs()
    later = timezone.now() + timedelta(minutes=services.CLAIM_MINUTES + 1)
    assert len(services.plan_runs(now=later)) == 1


def test_it_skips_disabled_targets() -> None:
    (target,) = _targets(1)
    MonitoringTarget.objects.filter(pk=target.pk).update(enabled=False)
    assert services.plan_runs() == []


def test_it_moves_due_times_by_the_targets_intervals_after_a_result() -> None:
    org = factories.registry()
    target = factories.target(org, "xa.", TargetKind.TLD, reachability_interval=5, full_interval=60)
    timing = ServerTiming("a.nic.xa.", "192.0.2.1", 1.5, 3.0, 2026010101)
    measurement = factories.measurement("xa.", servers=[timing])
    (result,) = services.record_results(factories.run(), [target], [measurement])
    target.refresh_from_db()
    assert target.next_full_due - target.last_full_at == timedelta(minutes=60)  # type: ignore[operator]
    assert target.next_reachability_due - target.last_full_at == timedelta(minutes=5)  # type: ignore[operator]
    assert target.latest_result == result == target.latest_full_result
    assert result.nameserver_dicts() == [
        {
            "ns": "a.nic.xa.",
            "address": "192.0.2.1",
            "reachable": True,
            "udp_ms": 1.5,
            "tcp_ms": 3.0,
            "serial": 2026010101,
        }
    ]
    assert result.soa_serials == [2026010101]


def test_it_records_a_failed_batch_and_releases_its_targets() -> None:
    (target,) = _targets(1)
    (run,) = services.plan_runs()
    MonitoringRun.objects.filter(pk=run.pk).update(check_kind="bogus")
    with pytest.raises(ValueError):
        services.run_batch(run.pk)
    run.refresh_from_db()
    target.refresh_from_db()
    assert run.status == RunStatus.FAILED and "bogus" in run.error
    assert target.claimed_until is None


def test_it_keeps_info_messages_on_the_latest_full_result_only() -> None:
    (target,) = _targets(1)
    messages = [("BASIC01", "B01_CHILD_FOUND", Level.INFO), ("ZONE01", "Z01_ODD", Level.NOTICE)]
    (first,) = services.record_results(
        factories.run(), [target], [factories.measurement(target.name, messages)]
    )
    assert [row[1] for row in first.messages] == ["B01_CHILD_FOUND", "Z01_ODD"]
    target.refresh_from_db()
    (quick,) = services.record_results(
        factories.run(CheckKind.REACHABILITY),
        [target],
        [factories.measurement(target.name, messages)],
    )
    assert [row[1] for row in quick.messages] == ["Z01_ODD"]
    target.refresh_from_db()
    (second,) = services.record_results(
        factories.run(), [target], [factories.measurement(target.name, messages)]
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert [row[1] for row in first.messages] == ["Z01_ODD"]
    assert first.message_count == 2
    assert [row[1] for row in second.messages] == ["B01_CHILD_FOUND", "Z01_ODD"]
