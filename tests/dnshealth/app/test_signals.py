"""Stored results turn into signals once per state change, never once per run."""

from __future__ import annotations

import pytest
from django.test import override_settings

from dnscert.core.choices import Severity
from dnscert.dnshealth import services
from dnscert.dnshealth.choices import CheckKind, HealthStatus, SignalKind, SignalState, TargetKind
from dnscert.dnshealth.engine.model import Level
from dnscert.dnshealth.models import MonitoringTarget, Signal
from tests.dnshealth.app import factories

pytestmark = pytest.mark.django_db

BROKEN = [("DELEGATION01", "NOT_ENOUGH_NS_DEL", Level.ERROR)]
EXPIRING = [("DNSCERT01", "DC01_RRSIG_EXPIRES_SOON", Level.WARNING)]
SLOW = [("DNSCERT04", "DC04_UDP_LATENCY_HIGH", Level.WARNING)]


def _measure(target: MonitoringTarget, messages, check_kind=CheckKind.FULL):  # type: ignore[no-untyped-def]
    run = factories.run(check_kind)
    services.record_results(run, [target], [factories.measurement(target.name, messages)])
    target.refresh_from_db()
    return target


def _signals() -> list[tuple[str, str, str]]:
    return sorted(Signal.objects.values_list("kind", "target__name", "state"))


def test_it_opens_one_broken_signal_however_many_red_runs() -> None:
    target = factories.target(factories.registry(), "shop.xa.")
    for _ in range(3):
        _measure(target, BROKEN)
    assert target.status == HealthStatus.RED
    assert _signals() == [(SignalKind.ZONE_BROKEN, "shop.xa.", SignalState.OPEN)]
    assert Signal.objects.get().severity == Severity.HIGH


def test_it_resolves_a_broken_zone_and_records_its_recovery_once() -> None:
    target = factories.target(factories.registry(), "shop.xa.")
    _measure(target, BROKEN)
    _measure(target, [])
    _measure(target, [])
    assert target.status == HealthStatus.GREEN
    assert _signals() == [
        (SignalKind.ZONE_BROKEN, "shop.xa.", SignalState.RESOLVED),
        (SignalKind.ZONE_RECOVERED, "shop.xa.", SignalState.RESOLVED),
    ]


def test_it_rates_a_broken_tld_critical() -> None:
    target = factories.target(factories.registry(), "xa.", TargetKind.TLD)
    _measure(target, BROKEN)
    assert Signal.objects.get().severity == Severity.CRITICAL


def test_it_signals_expiring_signatures_until_a_full_check_no_longer_finds_them() -> None:
    target = factories.target(factories.registry(), "shop.xa.")
    _measure(target, EXPIRING)
    _measure(target, [], CheckKind.REACHABILITY)  # does not look at signatures
    assert _signals() == [(SignalKind.RRSIG_EXPIRING, "shop.xa.", SignalState.OPEN)]
    _measure(target, [])
    assert _signals() == [(SignalKind.RRSIG_EXPIRING, "shop.xa.", SignalState.RESOLVED)]


def test_it_signals_rssac047_breaches_of_tlds_only() -> None:
    org = factories.registry()
    tld = factories.target(org, "xa.", TargetKind.TLD)
    zone = factories.target(org, "shop.xa.")
    _measure(tld, SLOW)
    _measure(zone, SLOW)
    assert _signals() == [(SignalKind.RSSAC047_BELOW_THRESHOLD, "xa.", SignalState.OPEN)]


def test_it_lets_a_reachability_check_worsen_but_not_clear_a_full_checks_status() -> None:
    target = factories.target(factories.registry(), "shop.xa.")
    _measure(target, [("DNSSEC01", "BAD_SIG", Level.ERROR)])
    _measure(target, [], CheckKind.REACHABILITY)
    assert target.status == HealthStatus.RED
    _measure(target, [])
    _measure(target, BROKEN, CheckKind.REACHABILITY)
    assert target.status == HealthStatus.RED


@override_settings(DNSCERT_DNSHEALTH_IGNORE_TAGS=["A01_LOCAL_USE_ADDR"])
def test_it_leaves_ignored_tags_out_of_the_status_but_stores_them() -> None:
    target = factories.target(factories.registry(), "shop.xa.")
    _measure(target, [("ADDRESS01", "A01_LOCAL_USE_ADDR", Level.ERROR)])
    assert target.status == HealthStatus.GREEN
    assert target.latest_result is not None
    assert target.latest_result.messages == [["ADDRESS01", "A01_LOCAL_USE_ADDR", "ERROR", {}]]
    assert not Signal.objects.exists()
