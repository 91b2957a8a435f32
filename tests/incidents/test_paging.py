"""A new high or critical incident pages on-call through the on-call service."""

from __future__ import annotations

from typing import Any

import pytest

from dnscert.core.choices import Severity
from dnscert.core.jobs import run_pending
from dnscert.directory.oncall.models import Page
from tests.incidents import factories
from tests.personas import staff

pytestmark = pytest.mark.django_db


def test_a_critical_incident_pages_with_its_reference_and_link(smtp_server: Any) -> None:
    staff(email="analyst@cert.example")
    incident = factories.incident(severity=Severity.CRITICAL, title="Root zone signing failed")
    (run,) = run_pending(["incidents.page_on_call"])
    assert run.status == "succeeded", run.error
    page = Page.objects.get()
    assert page.reference == incident.reference and page.about == incident
    assert page.severity == Severity.CRITICAL
    assert page.url == f"https://cert.example{incident.get_absolute_url()}"
    assert incident.reference in page.subject and "Root zone signing failed" in page.subject
