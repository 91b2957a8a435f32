"""Delegation watch: snapshots once per state, severity rules, planned change windows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dnscert.core.choices import Severity
from dnscert.core.exceptions import InvalidInput
from dnscert.dnshealth import signals, watch
from dnscert.dnshealth.choices import SignalKind
from dnscert.dnshealth.models import DelegationChange, DelegationSnapshot, Signal
from tests.dnshealth.app import factories
from tests.personas import member

OLD_NS = ["ns1.alpha-dns.xa.", "ns2.beta-dns.xb."]
DS_A = "12345 13 2 AAAA"
DS_B = "23456 13 2 BBBB"


def test_it_judges_all_ns_replaced_by_unknown_domains_as_high() -> None:
    old = factories.state(OLD_NS)
    new = factories.state(["ns1.evil.xc.", "ns2.evil.xc."])
    severity, reasons, diff = watch.judge(old, new, {"alpha-dns.xa", "beta-dns.xb"})
    assert severity == Severity.HIGH
    assert reasons == [watch.REASON_NEW_DOMAINS]
    assert diff["ns_removed"] == OLD_NS
    assert diff["ns_added"] == ["ns1.evil.xc.", "ns2.evil.xc."]


def test_it_judges_replacement_by_a_domain_used_before_as_medium() -> None:
    old = factories.state(OLD_NS)
    new = factories.state(["ns3.gamma-dns.xc."])
    known = {"alpha-dns.xa", "beta-dns.xb", "gamma-dns.xc"}
    assert watch.judge(old, new, known)[:2] == (Severity.MEDIUM, [watch.REASON_NS_REPLACED])


def test_it_judges_a_removed_nameserver_as_medium_and_an_added_one_as_low() -> None:
    known = {"alpha-dns.xa", "beta-dns.xb"}
    removed = watch.judge(factories.state(OLD_NS), factories.state(OLD_NS[:1]), known)
    added = watch.judge(factories.state(OLD_NS[:1]), factories.state(OLD_NS), known)
    assert removed[:2] == (Severity.MEDIUM, [watch.REASON_NS_REMOVED])
    assert added[:2] == (Severity.LOW, [watch.REASON_NS_ADDED])


def test_it_judges_ds_removed_on_a_signed_zone_as_high_and_a_rollover_as_medium() -> None:
    known = {"alpha-dns.xa", "beta-dns.xb"}
    signed = factories.state(OLD_NS, ds=[DS_A])
    assert watch.judge(signed, factories.state(OLD_NS), known)[:2] == (
        Severity.HIGH,
        [watch.REASON_DS_REMOVED],
    )
    rolled = factories.state(OLD_NS, ds=[DS_B])
    assert watch.judge(signed, rolled, known)[:2] == (Severity.MEDIUM, [watch.REASON_DS_ROLLOVER])
    assert watch.judge(factories.state(OLD_NS), signed, known)[:2] == (
        Severity.LOW,
        [watch.REASON_DS_ADDED],
    )


def test_it_judges_new_addresses_for_every_nameserver_as_high_and_for_some_as_medium() -> None:
    names = ["ns1.shop.xa.", "ns2.shop.xa."]
    old = factories.state(names, {names[0]: ["192.0.2.1"], names[1]: ["192.0.2.2"]})
    all_moved = factories.state(names, {names[0]: ["203.0.113.1"], names[1]: ["203.0.113.2"]})
    one_moved = factories.state(names, {names[0]: ["203.0.113.1"], names[1]: ["192.0.2.2"]})
    severity, reasons, diff = watch.judge(old, all_moved, {"shop.xa"})
    assert (severity, reasons) == (Severity.HIGH, [watch.REASON_ALL_GLUE])
    assert diff["glue_changed"] == {
        names[0]: [["192.0.2.1"], ["203.0.113.1"]],
        names[1]: [["192.0.2.2"], ["203.0.113.2"]],
    }
    assert watch.judge(old, one_moved, {"shop.xa"})[:2] == (
        Severity.MEDIUM,
        [watch.REASON_SOME_GLUE],
    )


def test_it_finds_registrable_domains_with_the_public_suffix_list() -> None:
    assert watch.registrable_domain("ns1.example.co.uk.") == "example.co.uk"
    assert watch.registrable_domain("NS1.Alpha-DNS.xa.") == "alpha-dns.xa"


@pytest.mark.django_db
def test_it_stores_one_snapshot_per_distinct_delegation() -> None:
    org = factories.registry()
    target = factories.target(org, "shop.xa.")
    assert watch.observe(target, factories.state(OLD_NS)) is None
    assert watch.observe(target, factories.state(OLD_NS)) is None
    assert DelegationSnapshot.objects.filter(target=target).count() == 1
    change = watch.observe(target, factories.state(OLD_NS[:1]))
    assert change is not None
    assert DelegationSnapshot.objects.filter(target=target).count() == 2
    assert (change.old.ns, change.new.ns) == (OLD_NS, OLD_NS[:1])
    assert change.severity == Severity.MEDIUM and not change.expected


@pytest.mark.django_db
def test_it_counts_the_organisations_directory_nameservers_as_known() -> None:
    org = factories.registry()
    factories.host(org, "ns9.backup-dns.xd.")
    target = factories.target(org, "shop.xa.")
    watch.observe(target, factories.state(OLD_NS))
    change = watch.observe(target, factories.state(["ns9.backup-dns.xd."]))
    assert change is not None and change.severity == Severity.MEDIUM


@pytest.mark.django_db
def test_it_marks_a_change_inside_a_planned_window_as_expected_without_a_signal() -> None:
    org = factories.registry()
    target = factories.target(org, "shop.xa.")
    now = timezone.now()
    plan = watch.plan_change(
        target,
        member(org),
        window_start=now - timedelta(hours=1),
        window_end=now + timedelta(hours=1),
        expected_ns=["ns1.new-dns.xc", "ns2.new-dns.xc."],
    )
    watch.observe(target, factories.state(OLD_NS), now - timedelta(hours=2))
    change = watch.observe(target, factories.state(["ns1.new-dns.xc.", "ns2.new-dns.xc."]), now)
    assert change is not None
    assert change.expected and change.planned_change == plan
    assert change.severity == Severity.HIGH  # kept, but expected: no alarm
    assert signals.signal_change(change) is None
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_it_does_not_expect_a_change_outside_the_window_or_to_other_nameservers() -> None:
    org = factories.registry()
    target = factories.target(org, "shop.xa.")
    now = timezone.now()
    watch.plan_change(
        target,
        None,
        window_start=now + timedelta(hours=1),
        window_end=now + timedelta(hours=3),
    )
    watch.plan_change(
        target,
        None,
        window_start=now - timedelta(hours=1),
        window_end=now + timedelta(hours=1),
        expected_ns=["ns1.planned-dns.xc."],
    )
    watch.observe(target, factories.state(OLD_NS), now - timedelta(hours=2))
    change = watch.observe(target, factories.state(["ns1.evil.xc."]), now)
    assert change is not None and not change.expected
    signal = signals.signal_change(change)
    assert signal is not None
    assert (signal.kind, signal.severity) == (SignalKind.DELEGATION_CHANGED, Severity.HIGH)


@pytest.mark.django_db
def test_it_refuses_a_planned_window_that_ends_before_it_starts() -> None:
    target = factories.target(factories.registry(), "shop.xa.")
    now = timezone.now()
    with pytest.raises(InvalidInput, match="window_end"):
        watch.plan_change(target, None, window_start=now, window_end=now - timedelta(minutes=1))


@pytest.mark.django_db
def test_it_resolves_the_signal_of_an_acknowledged_change() -> None:
    org = factories.registry()
    target = factories.target(org, "shop.xa.")
    watch.observe(target, factories.state(OLD_NS))
    change = watch.observe(target, factories.state(["ns1.evil.xc."]))
    assert change is not None
    signal = signals.signal_change(change)
    assert signal is not None and signal.state == "open"
    watch.acknowledge_change(change, member(org))
    signal.refresh_from_db()
    assert signal.state == "resolved"
    assert DelegationChange.objects.get().acknowledged_at is not None
