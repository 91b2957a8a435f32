"""Factories for the DNS health app tests: directory data, targets and measurements."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dnscert.directory.choices import OrganisationKind, ZoneKind
from dnscert.directory.models import Contact, NameserverHost, Organisation, Zone
from dnscert.dnshealth.choices import CheckKind, TargetKind
from dnscert.dnshealth.engine.model import Level, Message, TestCaseResult, ZoneReport
from dnscert.dnshealth.models import MonitoringRun, MonitoringTarget
from dnscert.dnshealth.storage import DelegationState, Measurement, ServerTiming
from tests.personas import make_org


def registry(name: str | None = None) -> Organisation:
    """A ccTLD registry."""
    return make_org(OrganisationKind.CCTLD_REGISTRY, name)


def contact(
    org: Organisation, email: str, *, language: str = "en", is_24x7: bool = True
) -> Contact:
    """A contact of ``org`` (24x7 unless told otherwise)."""
    return Contact.objects.create(
        organisation=org,
        name=email.split("@")[0],
        email=email,
        languages=[language],
        is_24x7=is_24x7,
    )


def zone(org: Organisation, name: str, kind: str = ZoneKind.ZONE, monitored: bool = True) -> Zone:
    """A directory zone."""
    return Zone.objects.create(name=name, kind=kind, organisation=org, monitored=monitored)


def host(org: Organisation, hostname: str, *addresses: str) -> NameserverHost:
    """A directory name server host."""
    return NameserverHost.objects.create(
        hostname=hostname, addresses=list(addresses), organisation=org
    )


def target(
    org: Organisation, name: str, kind: str = TargetKind.ZONE, **fields: Any
) -> MonitoringTarget:
    """A monitoring target of a new directory zone called ``name``."""
    zone_kind = {TargetKind.ROOT: ZoneKind.ROOT, TargetKind.TLD: ZoneKind.TLD}.get(
        kind, ZoneKind.ZONE
    )
    directory_zone = zone(org, name, zone_kind)
    return MonitoringTarget.objects.create(
        kind=kind, name=name, zone=directory_zone, organisation=org, **fields
    )


def run(check_kind: str = CheckKind.FULL) -> MonitoringRun:
    """A monitoring run to attach results to."""
    return MonitoringRun.objects.create(check_kind=check_kind)


def measurement(
    name: str,
    messages: list[tuple[str, str, Level]] | None = None,
    *,
    delegation: DelegationState | None = None,
    servers: list[ServerTiming] | None = None,
) -> Measurement:
    """What a batch would have learnt: messages as (test case, tag, level)."""
    report = ZoneReport(zone=name, started=datetime.now(UTC), duration_ms=12, query_count=3)
    for test_case, tag, level in messages or []:
        report.results.append(TestCaseResult(test_case, "Test", [Message(test_case, tag, level)]))
    return Measurement(name, report=report, delegation=delegation, servers=servers or [])


def state(
    ns: list[str], glue: dict[str, list[str]] | None = None, ds: list[str] | None = None
) -> DelegationState:
    """A delegation state with names normalised as the probe writes them."""
    glue = glue or {}
    return DelegationState(
        sorted(ns), {name: sorted(glue.get(name, [])) for name in sorted(ns)}, sorted(ds or [])
    )
