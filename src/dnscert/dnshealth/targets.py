"""Monitoring targets from the directory, and the staff's edits of their schedules.

:func:`sync_targets` makes one target per monitored zone of the directory (the root, every
TLD a registry runs, every zone a constituent registered) and one per name server host. It is
idempotent: a second call changes nothing, schedules staff edited are kept, and targets whose
zone is no longer monitored are disabled (their history stays).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.directory.choices import ZoneKind
from dnscert.directory.models import NameserverHost, Zone
from dnscert.dnshealth.choices import TargetKind
from dnscert.dnshealth.models import DEFAULT_SCHEDULES, MonitoringTarget

#: Longest schedule interval staff may set: 31 days, in minutes.
MAX_INTERVAL_MINUTES = 31 * 24 * 60

_ZONE_KINDS = {
    ZoneKind.ROOT: TargetKind.ROOT,
    ZoneKind.TLD: TargetKind.TLD,
    ZoneKind.ZONE: TargetKind.ZONE,
}


@dataclass
class SyncReport:
    """What one synchronisation did."""

    created: int = 0
    updated: int = 0
    disabled: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "disabled": self.disabled,
            "unchanged": self.unchanged,
        }


def _new_target(kind: str, name: str, **links: Any) -> MonitoringTarget:
    reachability, full = DEFAULT_SCHEDULES[kind]
    return MonitoringTarget(
        kind=kind,
        name=name,
        reachability_interval=reachability,
        full_interval=full,
        watch_delegation=kind in (TargetKind.TLD, TargetKind.ZONE),
        **links,
    )


def _apply(target: MonitoringTarget, values: dict[str, Any], report: SyncReport) -> None:
    """Set ``values`` on an existing target; save and count only when something changed."""
    changed = {key: value for key, value in values.items() if getattr(target, key) != value}
    if not changed:
        report.unchanged += 1
        return
    before = {key: getattr(target, key) for key in changed}
    for key, value in changed.items():
        setattr(target, key, value)
    target.save()
    if changed.get("enabled") is False:
        report.disabled += 1
    else:
        report.updated += 1
    audit.record(None, audit.Action.UPDATE, target, changes=audit.changes_between(before, changed))


def _sync_zone(zone: Zone, report: SyncReport) -> None:
    kind = _ZONE_KINDS[ZoneKind(zone.kind)]
    target = MonitoringTarget.objects.filter(zone=zone).first()
    if target is None:
        if not zone.monitored:
            return
        target = _new_target(kind, zone.name, zone=zone, organisation=zone.organisation)
        target.save()
        report.created += 1
        audit.record(None, audit.Action.CREATE, target)
        return
    values: dict[str, Any] = {
        "name": zone.name,
        "kind": kind,
        "organisation_id": zone.organisation_id,
    }
    if not zone.monitored:
        values["enabled"] = False
    _apply(target, values, report)


def _sync_nameserver(host: NameserverHost, report: SyncReport) -> None:
    target = MonitoringTarget.objects.filter(nameserver=host).first()
    if target is None:
        target = _new_target(
            TargetKind.NAMESERVER, host.hostname, nameserver=host, organisation=host.organisation
        )
        target.save()
        report.created += 1
        audit.record(None, audit.Action.CREATE, target)
        return
    values = {"name": host.hostname, "organisation_id": host.organisation_id}
    _apply(target, values, report)


@transaction.atomic
def sync_targets() -> SyncReport:
    """Create or update the targets of every directory zone and name server host."""
    report = SyncReport()
    for zone in Zone.objects.select_related("organisation").order_by("name"):
        _sync_zone(zone, report)
    for host in NameserverHost.objects.select_related("organisation").order_by("hostname"):
        _sync_nameserver(host, report)
    return report


def _interval(field: str, value: Any) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(field, f"must be a whole number of minutes, not {value!r}") from None
    if not 1 <= minutes <= MAX_INTERVAL_MINUTES:
        raise InvalidInput(field, f"must be between 1 and {MAX_INTERVAL_MINUTES} minutes")
    return minutes


@transaction.atomic
def update_schedule(
    target: MonitoringTarget,
    actor: Any,
    *,
    reachability_interval: int | None = None,
    full_interval: int | None = None,
    enabled: bool | None = None,
    watch_delegation: bool | None = None,
) -> MonitoringTarget:
    """Change a target's schedule (staff only; the caller checks the permission), audited.

    A shorter interval takes effect at once: the next due times are pulled in when the new
    interval would make them earlier.
    """
    values: dict[str, Any] = {}
    if reachability_interval is not None:
        values["reachability_interval"] = _interval("reachability_interval", reachability_interval)
    if full_interval is not None:
        values["full_interval"] = _interval("full_interval", full_interval)
    if enabled is not None:
        values["enabled"] = bool(enabled)
    if watch_delegation is not None:
        values["watch_delegation"] = bool(watch_delegation)
    before = audit.snapshot(target, list(values))
    for key, value in values.items():
        setattr(target, key, value)
    _pull_in_due_times(target)
    target.save()
    after = audit.snapshot(target, list(values))
    audit.record(actor, audit.Action.UPDATE, target, changes=audit.changes_between(before, after))
    return target


def _pull_in_due_times(target: MonitoringTarget) -> None:
    now = timezone.now()
    if target.last_reachability_at is not None:
        due = target.last_reachability_at + timedelta(minutes=target.reachability_interval)
        target.next_reachability_due = min(target.next_reachability_due, max(due, now))
    if target.last_full_at is not None:
        due = target.last_full_at + timedelta(minutes=target.full_interval)
        target.next_full_due = min(target.next_full_due, max(due, now))
