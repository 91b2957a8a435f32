"""The staff pages: queue with filters and export, create form, incident page actions."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dnscert.core.choices import TLP, Severity
from dnscert.incidents import services
from dnscert.incidents.choices import IncidentStatus
from dnscert.incidents.models import Incident
from tests.incidents import factories
from tests.personas import login_verified, member, responder, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst() -> Any:
    return staff()


@pytest.fixture
def client(analyst: Any) -> Client:
    return login_verified(Client(), analyst)


def _age(incident: Incident, **delta: int) -> None:
    Incident.objects.filter(pk=incident.pk).update(created_at=timezone.now() - timedelta(**delta))


def test_the_queue_highlights_and_filters_overdue_incidents(client: Client) -> None:
    late = factories.incident(title="Late one", severity=Severity.CRITICAL)
    _age(late, hours=2)
    fresh = factories.incident(title="Fresh one")
    html = client.get("/incidents/").content.decode()
    assert f'data-reference="{late.reference}" class="overdue"' in html
    assert f'data-reference="{fresh.reference}">' in html
    html = client.get("/incidents/?overdue=yes").content.decode()
    assert late.reference in html and fresh.reference not in html


def test_the_queue_searches_and_filters(client: Client, analyst: Any) -> None:
    hijack = factories.incident(title="Hijack of shop.xa")
    services.add_indicator(hijack, kind="domain", value="evil.xa", by=analyst)
    phishing = factories.incident(
        title="Phishing wave", category="registration-abuse-campaign", tlp=TLP.GREEN
    )
    services.transition(phishing, IncidentStatus.TRIAGED, by=analyst)
    assert _refs(client, "q=evil.xa") == {hijack.reference}
    assert _refs(client, "status=triaged") == {phishing.reference}
    assert _refs(client, "category=delegation-hijack") == {hijack.reference}
    assert _refs(client, "tlp=GREEN") == {phishing.reference}
    assert _refs(client, "assignee=none") == {hijack.reference, phishing.reference}
    assert _refs(client, "severity=critical") == set()


def _refs(client: Client, query: str) -> set[str]:
    rows = json.loads(client.get(f"/incidents/?{query}&format=json").content)
    return {row["reference"] for row in rows}


def test_the_queue_exports_csv_safely(client: Client) -> None:
    factories.incident(title="=HYPERLINK(1)")
    response = client.get("/incidents/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert (
        rows[0]["title"] == "'=HYPERLINK(1)" and rows[0]["rsit"] == "intrusions/system-compromise"
    )


def test_the_queue_query_count_does_not_grow_with_rows(client: Client) -> None:
    for _ in range(3):
        factories.incident()
    with CaptureQueriesContext(connection) as few:
        client.get("/incidents/")
    for _ in range(10):
        factories.incident()
    with CaptureQueriesContext(connection) as many:
        client.get("/incidents/")
    assert len(many) == len(few)


def test_members_and_the_public_cannot_open_the_queue() -> None:
    assert Client().get("/incidents/").status_code == 302
    assert login_verified(Client(), member()).get("/incidents/").status_code == 403
    assert login_verified(Client(), member()).get("/incidents/new/").status_code == 403


def test_staff_open_an_incident_with_the_form(client: Client) -> None:
    response = client.post(
        "/incidents/new/",
        {
            "title": "DNSSEC signatures expired on .xa",
            "summary": "RRSIGs expired at 02:00.",
            "category": "dnssec-failure",
            "severity": Severity.HIGH,
            "tlp": TLP.AMBER,
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert incident.category == "dnssec-failure"


def test_the_form_names_bad_fields(client: Client) -> None:
    response = client.post("/incidents/new/", {"title": "", "category": "nope", "tlp": "X"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"title", "category", "tlp"} <= set(errors)
    assert not Incident.objects.exists()


def test_indicator_suggests_the_registry_and_one_click_adds_it(client: Client) -> None:
    incident = factories.incident()
    registry = factories.registry("xa")
    base = incident.get_absolute_url()
    assert client.post(base + "indicators/", {"kind": "domain", "value": "Shop.XA."}).status_code
    html = client.get(base).content.decode()
    assert 'data-indicator="shop.xa"' in html and f'data-suggest="{registry.short_name}"' in html
    client.post(f"{base}participants/suggested/{registry.pk}/")
    assert incident.participants.get().organisation == registry
    assert f'data-suggest="{registry.short_name}"' not in client.get(base).content.decode()


def test_bad_indicators_and_transitions_are_refused_with_a_message(client: Client) -> None:
    incident = factories.incident()
    base = incident.get_absolute_url()
    response = client.post(base + "indicators/", {"kind": "ip", "value": "300.1.1.1"}, follow=True)
    assert "not an IPv4 or IPv6 address" in response.content.decode()
    response = client.post(base + "transition/", {"status": "resolved"}, follow=True)
    assert "new -&gt; resolved is not allowed" in response.content.decode()
    assert not incident.indicators.exists()


def test_status_buttons_move_the_incident_with_htmx(client: Client) -> None:
    incident = factories.incident()
    html = client.get(incident.get_absolute_url()).content.decode()
    assert 'data-status="triaged"' in html and 'data-status="resolved"' not in html
    response = client.post(
        incident.get_absolute_url() + "transition/",
        {"status": "triaged"},
        headers={"HX-Request": "true"},
        follow=True,
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.TRIAGED and incident.acknowledged_at


def test_tasks_assign_and_edit(client: Client, analyst: Any) -> None:
    incident = factories.incident()
    base = incident.get_absolute_url()
    person = responder()
    client.post(base + "assign/", {"assignee": person.pk})
    client.post(base + "tasks/", {"title": "Call the registrar", "owner": person.pk})
    task = incident.tasks.get()
    client.post(f"{base}tasks/{task.pk}/done/")
    client.post(
        base + "edit/",
        {
            "title": "New title",
            "summary": "",
            "category": "dns-ddos",
            "severity": "high",
            "tlp": "RED",
        },
    )
    incident.refresh_from_db()
    task.refresh_from_db()
    assert incident.assignee == person and task.done_at is not None
    assert (incident.title, incident.tlp, incident.category) == ("New title", "RED", "dns-ddos")


def test_an_unassigned_responder_cannot_manage(analyst: Any) -> None:
    incident = factories.incident(tlp=TLP.GREEN)
    client = login_verified(Client(), responder())
    assert client.get(incident.get_absolute_url()).status_code == 200
    assert (
        client.post(incident.get_absolute_url() + "transition/", {"status": "triaged"}).status_code
        == 403
    )


def test_the_portal_lists_only_the_members_organisation_incidents() -> None:
    registry = factories.registry("xa")
    ours = factories.incident(title="Ours")
    factories.participant(ours, registry)
    factories.incident(title="Not ours")
    red = factories.incident(title="Red one", tlp=TLP.RED)
    factories.participant(red, registry)
    html = login_verified(Client(), member(registry)).get("/incidents/portal/").content.decode()
    assert ours.reference in html
    assert "Not ours" not in html and red.reference not in html
    assert login_verified(Client(), staff()).get("/incidents/portal/").status_code == 403


def test_the_incident_page_speaks_french_and_escapes_input(client: Client, analyst: Any) -> None:
    incident = factories.incident(title="<script>alert(1)</script>")
    services.add_task(
        incident, title="Late task", by=analyst, due_at=timezone.now() - timedelta(hours=1)
    )
    html = client.get(
        incident.get_absolute_url().lower(), headers={"accept-language": "fr"}
    ).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Délais de service (SLA)" in html and "Chronologie" in html
    assert 'class="overdue"' in html


def test_unknown_references_are_404(client: Client) -> None:
    assert client.get("/incidents/DNSCERT-2026-9999/").status_code == 404
    assert client.get("/incidents/not-a-reference/").status_code == 404
