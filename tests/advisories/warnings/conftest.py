"""Fixtures of the warning tests: the delivery tests' keyrings and webhook receiver, and
helpers that build directory data and DNS health signals through dnshealth's own code path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from dnscert.core.jobs import run_pending
from dnscert.directory.choices import OrganisationKind, ZoneKind
from dnscert.directory.models import Contact, Organisation, Zone
from dnscert.dnshealth import services as dnshealth_services
from dnscert.dnshealth.choices import CheckKind, TargetKind
from dnscert.dnshealth.engine.model import Level, Message, TestCaseResult, ZoneReport
from dnscert.dnshealth.models import MonitoringRun, MonitoringTarget
from dnscert.dnshealth.storage import Measurement
from tests.delivery.conftest import (  # noqa: F401 - fixtures shared with the delivery tests
    delivery_settings,
    platform_home,
    receiver,
    recipient,
    verifier,
)
from tests.personas import make_org

EXPIRES_SOON = "DC01_RRSIG_EXPIRES_SOON"


@pytest.fixture(autouse=True)
def warnings_settings(settings: Settings) -> None:
    """Links in messages point at a fixed site; loopback webhooks are allowed."""
    settings.SITE_URL = "https://dnscert.example"
    settings.DNSCERT_HTTP_ALLOW_PRIVATE = True


def registry(tld: str, *, email: str | None = None, language: str = "en") -> Organisation:
    """A TLD registry with its TLD zone and one 24x7 contact."""
    org = make_org(OrganisationKind.CCTLD_REGISTRY, f"Registry of .{tld}")
    Zone.objects.create(name=f"{tld}.", kind=ZoneKind.TLD, organisation=org)
    contact(org, email or f"noc@nic.{tld}.example", language=language)
    return org


def contact(org: Organisation, email: str, *, language: str = "en", key: str = "") -> Contact:
    """A 24x7 contact of ``org`` (with a PGP key when given)."""
    return Contact.objects.create(
        organisation=org,
        name=email.split("@")[0],
        email=email,
        languages=[language],
        is_24x7=True,
        pgp_key=key,
    )


def tld_target(org: Organisation) -> MonitoringTarget:
    """The monitoring target of the organisation's TLD zone."""
    zone = Zone.objects.get(organisation=org, kind=ZoneKind.TLD)
    return MonitoringTarget.objects.create(
        kind=TargetKind.TLD, name=zone.name, zone=zone, organisation=org
    )


def expiring(days_left: float) -> list[Message]:
    """What DNSCERT01 reports when the SOA signatures expire in ``days_left`` days."""
    args = {"rrtype": "SOA", "expiration": "2026-11-25T00:00:00+00:00", "days_left": days_left}
    return [Message("DNSCERT01", EXPIRES_SOON, Level.WARNING, args)]


def measure(target: MonitoringTarget, messages: list[Message]) -> None:
    """Store a full check of ``target`` finding ``messages``, as a monitoring batch does."""
    report = ZoneReport(zone=target.name, started=datetime.now(UTC), duration_ms=5, query_count=2)
    for message in messages:
        report.results.append(TestCaseResult(message.test_case, "Test", [message]))
    run = MonitoringRun.objects.create(check_kind=CheckKind.FULL)
    dnshealth_services.record_results(run, [target], [Measurement(target.name, report=report)])


@contextmanager
def committed(capture: Any) -> Iterator[None]:
    """Run the block as if its transaction committed, then every job it queued."""
    with capture(execute=True):
        yield
    run_pending()
