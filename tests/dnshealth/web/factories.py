"""Factories for the DNS health web tests: data written straight into the database.

``Bed`` builds a small constituency: the root and two TLDs run by two registries, one zone of
each registry (one broken, one healthy), results with messages and per-server measurements,
an open signal and a delegation change with its two snapshots.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from dnscert.core.choices import Severity
from dnscert.directory.choices import OrganisationKind, ZoneKind
from dnscert.directory.models import Organisation, Zone
from dnscert.dnshealth.choices import (
    CheckKind,
    HealthStatus,
    RunStatus,
    SignalKind,
    SignalState,
    TargetKind,
)
from dnscert.dnshealth.models import (
    DelegationChange,
    DelegationSnapshot,
    MonitoringRun,
    MonitoringTarget,
    PlannedChange,
    Signal,
    ZoneResult,
)
from tests.personas import make_org

_numbers = itertools.count(1)

ZONE_KINDS = {TargetKind.ROOT: ZoneKind.ROOT, TargetKind.TLD: ZoneKind.TLD}
WORST = {
    HealthStatus.RED: "ERROR",
    HealthStatus.AMBER: "WARNING",
    HealthStatus.GREEN: "INFO",
    HealthStatus.GREY: "",
}


def target(
    org: Organisation,
    name: str,
    kind: str = TargetKind.ZONE,
    status: str = HealthStatus.GREY,
    **fields: Any,
) -> MonitoringTarget:
    """A monitoring target of a new directory zone called ``name``."""
    zone = Zone.objects.create(
        name=name, kind=ZONE_KINDS.get(kind, ZoneKind.ZONE), organisation=org
    )
    return MonitoringTarget.objects.create(
        kind=kind,
        name=name,
        zone=zone,
        organisation=org,
        status=status,
        worst_level=WORST[HealthStatus(status)],
        status_since=timezone.now() - timedelta(hours=2) if status != HealthStatus.GREY else None,
        **fields,
    )


def run(**fields: Any) -> MonitoringRun:
    """A finished scheduled run."""
    fields.setdefault("status", RunStatus.SUCCEEDED)
    return MonitoringRun.objects.create(check_kind=CheckKind.FULL, **fields)


def server(
    ns: str, address: str, udp: float | None = 3.5, tcp: float | None = 7.0, serial: int | None = 1
) -> list[Any]:
    """One per-nameserver measurement row (``NAMESERVER_FIELDS`` order)."""
    return [ns, address, udp is not None or tcp is not None, udp, tcp, serial]


def result(
    target: MonitoringTarget,
    status: str,
    messages: list[tuple[str, str, str]] | None = None,
    servers: list[list[Any]] | None = None,
    at: datetime | None = None,
    the_run: MonitoringRun | None = None,
    latest: bool = True,
) -> ZoneResult:
    """A stored result with messages ``(test_case, tag, level)``; the target's latest by default."""
    rows = [[case, tag, level, {"ns": "ns1." + target.name}] for case, tag, level in messages or []]
    servers = servers or []
    stored = ZoneResult.objects.create(
        run=the_run or run(),
        target=target,
        checked_at=at or timezone.now(),
        status=status,
        worst_level=WORST[HealthStatus(status)],
        message_count=len(rows),
        messages=rows,
        nameservers=servers,
        soa_serials=sorted({row[5] for row in servers if row[5] is not None}),
    )
    if latest:
        target.latest_result = stored
        target.status = status
        target.worst_level = stored.worst_level
        target.save(update_fields=["latest_result", "status", "worst_level"])
    return stored


def snapshot(
    target: MonitoringTarget, ns: list[str], glue: dict[str, list[str]], ds: list[str]
) -> DelegationSnapshot:
    """One delegation state of ``target``."""
    digest = hashlib.sha256(json.dumps([ns, glue, ds], sort_keys=True).encode()).hexdigest()
    return DelegationSnapshot.objects.create(target=target, ns=ns, glue=glue, ds=ds, digest=digest)


def change(
    target: MonitoringTarget,
    old: tuple[list[str], dict[str, list[str]], list[str]],
    new: tuple[list[str], dict[str, list[str]], list[str]],
    severity: str = Severity.HIGH,
    expected: bool = False,
) -> DelegationChange:
    """A delegation change between two states, with its diff."""
    before, after = snapshot(target, *old), snapshot(target, *new)
    diff = {
        "ns_added": sorted(set(after.ns) - set(before.ns)),
        "ns_removed": sorted(set(before.ns) - set(after.ns)),
        "glue_changed": {},
        "ds_added": sorted(set(after.ds) - set(before.ds)),
        "ds_removed": sorted(set(before.ds) - set(after.ds)),
    }
    return DelegationChange.objects.create(
        target=target,
        organisation_id=target.organisation_id,
        old=before,
        new=after,
        diff=diff,
        severity=severity,
        reasons=["all name servers replaced"] if severity == Severity.HIGH else [],
        expected=expected,
    )


def signal(
    target: MonitoringTarget,
    kind: str = SignalKind.ZONE_BROKEN,
    severity: str = Severity.HIGH,
    opened: datetime | None = None,
    state: str = SignalState.OPEN,
) -> Signal:
    """A signal about ``target``."""
    number = next(_numbers)
    return Signal.objects.create(
        kind=kind,
        target=target,
        organisation_id=target.organisation_id,
        severity=severity,
        state=state,
        summary=f"{target.name}: {kind}",
        dedupe_key=f"{kind}:target:{target.pk}:{number}",
        opened_at=opened or timezone.now(),
    )


def plan(target: MonitoringTarget, **fields: Any) -> PlannedChange:
    """A planned change window of ``target`` starting now, lasting a day."""
    now = timezone.now()
    return PlannedChange.objects.create(
        target=target,
        organisation_id=target.organisation_id,
        window_start=now,
        window_end=now + timedelta(days=1),
        **fields,
    )


OLD_NS = ["ns1.bank.xb.", "ns2.bank.xb."]
NEW_NS = ["ns1.evil.xc.", "ns2.evil.xc."]


@dataclass
class Bed:
    """The constituency of the web tests (see the module docstring)."""

    root_ops: Organisation
    reg_a: Organisation
    reg_b: Organisation
    root: MonitoringTarget
    xa: MonitoringTarget
    xb: MonitoringTarget
    shop: MonitoringTarget
    bank: MonitoringTarget
    broken_signal: Signal
    hijack: DelegationChange


def make_bed() -> Bed:
    """Build the bed (about thirty rows)."""
    root_ops = make_org(OrganisationKind.ROOT_OPERATOR, "Root Ops")
    reg_a = make_org(OrganisationKind.CCTLD_REGISTRY, "Registry A")
    reg_b = make_org(OrganisationKind.CCTLD_REGISTRY, "Registry B")
    root = target(root_ops, ".", TargetKind.ROOT)
    result(
        root,
        HealthStatus.GREEN,
        [("BASIC01", "B01_CHILD_FOUND", "INFO")],
        [server("a.root-servers.xa.", "127.0.0.1", 1.2, 2.5, 2026010101)],
    )
    xa = target(reg_a, "xa.", TargetKind.TLD)
    result(xa, HealthStatus.GREEN, [], [server("a.nic.xa.", "127.1.1.1", 2.0, 4.0, 7)])
    xb = target(reg_b, "xb.", TargetKind.TLD)
    result(
        xb,
        HealthStatus.AMBER,
        [("NAMESERVER02", "N02_NO_EDNS", "WARNING")],
        [server("b.nic.xb.", "127.1.1.2", None, None, None)],
    )
    shop = target(reg_a, "shop.xa.")
    result(
        shop,
        HealthStatus.GREEN,
        [("BASIC01", "B01_CHILD_FOUND", "INFO")],
        [
            server("ns1.shop.xa.", "127.2.0.1", serial=5),
            server("ns2.shop.xa.", "127.2.0.2", serial=5),
        ],
    )
    bank = target(reg_b, "bank.xb.")
    result(
        bank,
        HealthStatus.RED,
        [
            ("DNSSEC04", "DS04_RRSIG_EXPIRED", "ERROR"),
            ("DNSSEC04", "DS04_RRSIG_VALID", "INFO"),
            ("NAMESERVER02", "N02_EDNS_OK", "INFO"),
        ],
        [
            server("ns1.bank.xb.", "127.3.0.1", serial=10),
            server("ns2.bank.xb.", "127.3.0.2", serial=9),
        ],
    )
    return Bed(
        root_ops=root_ops,
        reg_a=reg_a,
        reg_b=reg_b,
        root=root,
        xa=xa,
        xb=xb,
        shop=shop,
        bank=bank,
        broken_signal=signal(bank),
        hijack=change(
            bank,
            (OLD_NS, {}, ["12345 13 2 AABB"]),
            (NEW_NS, {"ns1.evil.xc.": ["127.9.9.9"]}, []),
        ),
    )
