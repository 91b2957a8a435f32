"""SLA clocks: targets per severity from settings, overdue rule in Python and in SQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dnscert.core.choices import Severity
from dnscert.env import ConfigError
from dnscert.incidents import conf, services, sla
from dnscert.incidents.choices import IncidentStatus
from dnscert.incidents.models import Incident
from tests.incidents import factories
from tests.personas import staff

pytestmark = pytest.mark.django_db


def _aged(minutes: int, severity: str = Severity.HIGH) -> Incident:
    incident = factories.incident(severity=severity)
    created = timezone.now() - timedelta(minutes=minutes)
    Incident.objects.filter(pk=incident.pk).update(created_at=created)
    incident.refresh_from_db()
    return incident


def test_defaults_and_overrides(settings: Any) -> None:
    assert conf.sla_targets(Severity.CRITICAL).acknowledge == timedelta(minutes=15)
    settings.DNSCERT_INCIDENT_SLA_CRITICAL = "5,10,20"
    targets = conf.sla_targets(Severity.CRITICAL)
    assert (targets.acknowledge, targets.resolve) == (timedelta(minutes=5), timedelta(minutes=20))


@pytest.mark.parametrize("value", ["5,10", "a,b,c", "5,0,10", "-1,2,3"])
def test_bad_targets_fail_loudly_naming_the_variable(settings: Any, value: str) -> None:
    settings.DNSCERT_INCIDENT_SLA_LOW = value
    with pytest.raises(ConfigError, match="DNSCERT_INCIDENT_SLA_LOW"):
        conf.sla_targets(Severity.LOW)


def test_a_high_incident_is_overdue_to_acknowledge_after_30_minutes() -> None:
    on_time, late = _aged(10), _aged(45)
    assert not sla.is_overdue(on_time)
    clocks = {clock.name: clock for clock in sla.clocks(late)}
    assert clocks["acknowledge"].overdue and not clocks["resolve"].overdue
    assert set(sla.overdue(Incident.objects.all())) == {late}


def test_acknowledging_stops_the_clock_and_keeps_the_breach() -> None:
    late = _aged(45)
    services.transition(late, IncidentStatus.TRIAGED, by=staff())
    clock = sla.clocks(late)[0]
    assert not clock.overdue and clock.breached and not clock.running
    assert not sla.overdue(Incident.objects.all()).exists()


def test_finished_incidents_are_never_overdue() -> None:
    late = _aged(10_000)
    services.transition(late, IncidentStatus.CLOSED, by=staff())
    assert not sla.is_overdue(late)
    assert not sla.overdue(Incident.objects.all()).exists()


def test_python_and_sql_rules_agree() -> None:
    incidents = [_aged(m, s) for m in (5, 40, 300, 2000) for s in Severity.values]
    in_sql = set(sla.overdue(Incident.objects.all()))
    assert in_sql == {i for i in incidents if sla.is_overdue(i)}
    annotated = {i.pk: i.overdue for i in sla.with_overdue(Incident.objects.all())}  # type: ignore[attr-defined]
    assert {pk for pk, flag in annotated.items() if flag} == {i.pk for i in in_sql}


@pytest.mark.parametrize(
    ("delta", "text"),
    [(timedelta(minutes=5), "5m"), (timedelta(hours=3, minutes=5), "3h 05m"),
     (timedelta(days=2, hours=1), "2d 1h"), (timedelta(minutes=-90), "-1h 30m")],
)  # fmt: skip
def test_durations_read_compactly(delta: timedelta, text: str) -> None:
    assert sla.format_duration(delta) == text
