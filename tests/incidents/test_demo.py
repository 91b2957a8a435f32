"""``dnscert demo-incidents`` builds the demo incidents once, on the demo directory."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from dnscert.incidents.choices import IncidentStatus
from dnscert.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_it_needs_the_demo_directory() -> None:
    with pytest.raises(CommandError, match="demo-directory"):
        call_command("demo-incidents")


def test_it_creates_the_demo_incidents_once() -> None:
    call_command("demo-directory", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo-incidents", stdout=out)
    assert "DNSCERT-" in out.getvalue()
    hijack = Incident.objects.get(category="delegation-hijack")
    assert hijack.status == IncidentStatus.COORDINATING
    assert {p.organisation.short_name for p in hijack.participants.all()} == {
        "registry-xa",
        "shop-hosting-xa",
    }
    assert hijack.indicators.count() == 3 and hijack.tasks.count() == 1
    assert Incident.objects.count() == 3
    again = io.StringIO()
    call_command("demo-incidents", stdout=again)
    assert "already present" in again.getvalue() and Incident.objects.count() == 3
