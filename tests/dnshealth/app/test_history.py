"""History roll-up: old detail becomes one row per target per day, and nothing is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dnscert.dnshealth.choices import HealthStatus
from dnscert.dnshealth.history import percentile, rollup_history
from dnscert.dnshealth.models import DailyRollup, RollupRecord, ZoneResult
from tests.dnshealth.app import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def _result(target, run, at, status, tags, servers):  # type: ignore[no-untyped-def]
    messages = [["TEST01", tag, "WARNING", {}] for tag in tags]
    return ZoneResult.objects.create(
        run=run,
        target=target,
        checked_at=at,
        status=status,
        message_count=len(messages),
        messages=messages,
        nameservers=servers,
    )


def _history():  # type: ignore[no-untyped-def]
    org = factories.registry()
    shop, bank = factories.target(org, "shop.xa."), factories.target(org, "bank.xa.")
    run = factories.run()
    old_day = datetime(2026, 2, 20, tzinfo=UTC)
    for hour in range(4):
        at = old_day + timedelta(hours=hour)
        status = HealthStatus.RED if hour == 3 else HealthStatus.GREEN
        servers = [["ns1.x.", "192.0.2.1", hour != 3, 10.0 + hour, 20.0 + hour, 7]]
        _result(shop, run, at, status, ["A_TAG"] if hour % 2 else [], servers)
    _result(bank, run, old_day + timedelta(days=1), HealthStatus.AMBER, ["A_TAG", "B_TAG"], [])
    _result(shop, run, NOW - timedelta(days=2), HealthStatus.GREEN, [], [])
    return shop, bank


def test_it_rolls_up_old_detail_without_losing_counts() -> None:
    _history()
    old = ZoneResult.objects.filter(checked_at__lt=datetime(2026, 3, 1, tzinfo=UTC))
    detail_results = old.count()
    detail_messages = sum(old.values_list("message_count", flat=True))
    record = rollup_history(now=NOW, detail_days=30)
    rollups = DailyRollup.objects.all()
    assert sum(r.runs for r in rollups) == detail_results == record.results_rolled_up == 5
    assert sum(r.message_count for r in rollups) == detail_messages == record.messages_rolled_up
    assert record.results_deleted == 5 and record.rollups_written == 2
    assert (record.first_day.isoformat(), record.last_day.isoformat()) == (  # type: ignore[union-attr]
        "2026-02-20",
        "2026-02-21",
    )
    assert ZoneResult.objects.count() == 1  # the recent result stays as detail
    assert RollupRecord.objects.get() == record


def test_it_keeps_status_availability_latency_and_tags_per_day() -> None:
    shop, _bank = _history()
    rollup_history(now=NOW, detail_days=30)
    day = DailyRollup.objects.get(target=shop)
    assert day.runs == 4
    assert day.worst_status == HealthStatus.RED
    assert day.status_counts == {"green": 3, "red": 1}
    assert day.availability_pct == 75.0
    assert day.tags == {"A_TAG": 2}
    server = day.nameservers["ns1.x./192.0.2.1"]
    assert server["probes"] == 4 and server["reachable"] == 3
    assert (server["udp_p50"], server["udp_p95"], server["tcp_p95"]) == (11.0, 13.0, 23.0)
    assert server["serials"] == [7]


def test_it_adds_later_rollups_of_the_same_day_to_the_first() -> None:
    shop, _bank = _history()
    rollup_history(now=NOW, detail_days=30)
    _result(shop, factories.run(), datetime(2026, 2, 20, 23, tzinfo=UTC), "amber", ["C"], [])
    record = rollup_history(now=NOW, detail_days=30)
    day = DailyRollup.objects.get(target=shop)
    assert record.results_rolled_up == 1
    assert day.runs == 5 and day.status_counts == {"green": 3, "red": 1, "amber": 1}
    assert day.tags == {"A_TAG": 2, "C": 1}


def test_it_computes_nearest_rank_percentiles() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.95) == 5.0
    assert percentile([float(v) for v in range(1, 101)], 0.95) == 95.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
