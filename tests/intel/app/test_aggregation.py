"""Daily aggregates: kept on ingest, rebuilt by the job to the same figures, pruned by age."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from dnscert.intel import aggregation
from dnscert.intel.jobs import aggregate, prune
from dnscert.intel.models import DailyAggregate, Event, FailedRecord
from tests.intel.app.conftest import World

pytestmark = pytest.mark.django_db


def _figures() -> set[tuple[date, str, str, int, int]]:
    return {
        (row.day, row.dimension, row.key, row.count, row.new_registrations)
        for row in DailyAggregate.objects.all()
    }


def test_it_rebuilds_the_same_figures_as_ingest_kept(world: World) -> None:
    kept = _figures()
    assert ("registrar", "9001", 3, 3) in {(d, k, c, n) for _day, d, k, c, n in kept}
    DailyAggregate.objects.all().delete()
    aggregation.rebuild_days(date(2026, 11, 1), date(2026, 11, 30))
    assert _figures() == kept


def test_the_job_rebuilds_recent_days(world: World) -> None:
    Event.objects.update(time_source=timezone.now())
    assert aggregate(days=1)["aggregates"] > 0
    today = timezone.now().date()
    assert DailyAggregate.objects.get(day=today, dimension="feed", key="world").count == 6


def test_it_prunes_by_the_retention_settings(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DNSCERT_INTEL_EVENT_RETENTION_DAYS", "2")
    monkeypatch.setenv("DNSCERT_INTEL_FAILED_RETENTION_DAYS", "0")
    monkeypatch.setenv("DNSCERT_INTEL_AGGREGATE_RETENTION_DAYS", "400")
    old = datetime(2026, 11, 20, tzinfo=UTC)
    DailyAggregate.objects.create(day=date(2020, 1, 1), dimension="tld", key="xa", count=1)
    later = old + timedelta(days=3)
    removed = aggregation.prune(now=later)
    assert removed == {"events": 6, "failed_records": 0, "aggregates": 1}
    assert not Event.objects.exists()
    assert DailyAggregate.objects.filter(day=date(2026, 11, 20)).exists()  # the roll-up stays
    assert FailedRecord.objects.count() == world.run.failed


def test_the_prune_job_runs_with_the_defaults(world: World) -> None:
    assert prune() == {"events": 0, "failed_records": 0, "aggregates": 0}


def test_it_counts_new_registrations_within_the_setting() -> None:
    moment = datetime(2026, 11, 20, tzinfo=UTC)
    assert aggregation.is_new_registration(moment, moment - timedelta(days=30), 30)
    assert not aggregation.is_new_registration(moment, moment - timedelta(days=31), 30)
    assert not aggregation.is_new_registration(moment, moment + timedelta(days=1), 30)
    assert not aggregation.is_new_registration(moment, None, 30)
