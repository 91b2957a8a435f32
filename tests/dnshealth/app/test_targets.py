"""Monitoring targets follow the directory; staff edit schedules through an audited service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.core.models import AuditEvent
from dnscert.directory.choices import OrganisationKind, ZoneKind
from dnscert.dnshealth.choices import TargetKind
from dnscert.dnshealth.models import MonitoringTarget
from dnscert.dnshealth.targets import sync_targets, update_schedule
from tests.dnshealth.app import factories
from tests.personas import make_org, staff

pytestmark = pytest.mark.django_db


def _directory() -> None:
    root_operator = make_org(OrganisationKind.ROOT_OPERATOR)
    registry = factories.registry()
    shop = make_org(OrganisationKind.DNS_OPERATOR)
    factories.zone(root_operator, ".", ZoneKind.ROOT)
    factories.host(root_operator, "a.root-servers.xa.", "127.77.0.1")
    factories.zone(registry, "xa.", ZoneKind.TLD)
    factories.zone(shop, "shop.xa.")
    factories.zone(shop, "old.xa.", monitored=False)


def test_it_creates_a_target_per_monitored_zone_and_nameserver_with_default_schedules() -> None:
    _directory()
    report = sync_targets()
    assert report.as_dict() == {"created": 4, "updated": 0, "disabled": 0, "unchanged": 0}
    rows = {
        (t.kind, t.name, t.reachability_interval, t.full_interval, t.watch_delegation)
        for t in MonitoringTarget.objects.all()
    }
    assert rows == {
        (TargetKind.ROOT, ".", 5, 60, False),
        (TargetKind.TLD, "xa.", 5, 60, True),
        (TargetKind.ZONE, "shop.xa.", 1440, 1440, True),
        (TargetKind.NAMESERVER, "a.root-servers.xa.", 5, 60, False),
    }


def test_it_changes_nothing_on_a_second_sync_and_keeps_staff_schedules() -> None:
    _directory()
    sync_targets()
    tld = MonitoringTarget.objects.get(name="xa.")
    update_schedule(tld, staff(), reachability_interval=2, full_interval=30)
    events = AuditEvent.objects.count()
    again = sync_targets()
    assert again.as_dict() == {"created": 0, "updated": 0, "disabled": 0, "unchanged": 4}
    assert AuditEvent.objects.count() == events
    tld.refresh_from_db()
    assert (tld.reachability_interval, tld.full_interval) == (2, 30)


def test_it_disables_the_target_of_a_zone_no_longer_monitored() -> None:
    _directory()
    sync_targets()
    zone = MonitoringTarget.objects.get(name="shop.xa.").zone
    assert zone is not None
    zone.monitored = False
    zone.save()
    report = sync_targets()
    assert report.disabled == 1
    assert not MonitoringTarget.objects.get(name="shop.xa.").enabled


def test_it_audits_a_schedule_change_and_pulls_the_next_check_in() -> None:
    _directory()
    sync_targets()
    target = MonitoringTarget.objects.get(name="shop.xa.")
    now = timezone.now()
    target.last_full_at = now - timedelta(hours=2)
    target.next_full_due = now + timedelta(hours=22)
    target.save()
    update_schedule(target, staff(), full_interval=60)
    target.refresh_from_db()
    assert target.next_full_due <= timezone.now()
    event = AuditEvent.objects.filter(object_type="dnshealth.monitoringtarget").latest("at")
    assert event.changes == {"full_interval": [1440, 60]}


@pytest.mark.parametrize("value", [0, -5, "soon", 31 * 24 * 60 + 1])
def test_it_refuses_a_bad_interval_naming_the_field(value: object) -> None:
    _directory()
    sync_targets()
    target = MonitoringTarget.objects.get(name="xa.")
    with pytest.raises(InvalidInput, match="reachability_interval"):
        update_schedule(target, staff(), reachability_interval=value)  # type: ignore[arg-type]
