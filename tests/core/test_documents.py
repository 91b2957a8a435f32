"""Shared documents: staff share them by page and API, TLP input is checked, the schema is clean."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dnscert.core import services
from dnscert.core.exceptions import InvalidInput
from dnscert.core.models import AuditEvent, SharedDocument
from tests.personas import login_verified, make_org, member, responder, staff

pytestmark = pytest.mark.django_db


def token_client(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {services.issue_api_token(user, user, 't')[1]}")


@pytest.mark.parametrize("label", ["PURPLE", "tlp:amber-strict", "", "WHITE!"])
def test_it_rejects_unknown_tlp_labels_in_the_api(label: str) -> None:
    response = token_client(staff()).post(
        reverse("shared-document-list"), {"title": "x", "tlp": label}, "application/json"
    )
    assert response.status_code == 400
    message = response.json()["tlp"][0]
    assert f"unknown TLP label {label!r}" in message
    assert "expected one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED" in message
    assert not SharedDocument.objects.exists()


@pytest.mark.parametrize(
    ("given", "stored"), [("tlp:green", "GREEN"), ("TLP:AMBER+STRICT", "AMBER+STRICT")]
)
def test_it_accepts_tlp_labels_in_their_written_forms(given: str, stored: str) -> None:
    response = token_client(staff()).post(
        reverse("shared-document-list"), {"title": "x", "tlp": given}, "application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["tlp"] == stored


def test_it_shares_a_document_with_recipients_through_the_api() -> None:
    registry, registrar = make_org(), make_org()
    reader = member(registrar)
    registry.clients.add(registrar)
    response = token_client(staff()).post(
        reverse("shared-document-list"),
        {"title": "Hijack warning", "tlp": "AMBER", "recipient_organisations": [registry.pk]},
        "application/json",
    )
    document_id = response.json()["id"]
    seen = token_client(reader).get(reverse("shared-document-detail", args=[document_id]))
    assert seen.json()["title"] == "Hijack warning"


def test_it_names_the_field_of_bad_input() -> None:
    response = token_client(staff()).post(
        reverse("shared-document-list"), {"title": "   ", "tlp": "GREEN"}, "application/json"
    )
    assert response.status_code == 400
    assert "title" in response.json()


def test_it_refuses_to_change_unknown_fields_in_the_service() -> None:
    analyst = staff()
    document = services.create_shared_document(analyst, title="t", tlp="GREEN")
    with pytest.raises(InvalidInput, match="created_by: is not a field"):
        services.update_shared_document(analyst, document, created_by=None)


def test_it_refuses_non_staff_in_the_service() -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_shared_document(responder(), title="t", tlp="GREEN")


def test_it_records_recipient_changes() -> None:
    analyst = staff()
    org = make_org()
    document = services.create_shared_document(analyst, title="t", tlp="AMBER")
    services.update_shared_document(analyst, document, recipient_organisations=[org])
    event = AuditEvent.objects.filter(action="update").get()
    assert event.changes == {"recipient_organisations": [[], [org.pk]]}


def test_it_shares_a_document_from_the_staff_page() -> None:
    analyst = staff()
    org = make_org()
    client = login_verified(Client(), analyst)
    assert client.get(reverse("document-create")).status_code == 200
    response = client.post(
        reverse("document-create"),
        {
            "title": "Drill notes",
            "body": "Lessons",
            "tlp": "AMBER+STRICT",
            "recipient_organisations": [org.pk],
        },
    )
    document = SharedDocument.objects.get(title="Drill notes")
    assert response["Location"] == reverse("document-detail", args=[document.pk])
    assert list(document.recipient_organisations.all()) == [org]
    assert document.created_by == analyst
    page = client.get(response["Location"]).content.decode()
    assert "tlp-amber-strict" in page


def test_it_describes_the_caller() -> None:
    org = make_org(name="Example Registry")
    user = member(org)
    me = login_verified(Client(), user).get(reverse("me-list")).json()
    assert me["organisation_name"] == "Example Registry"
    assert me["authenticated_by"] == "session"
    assert me["mfa_verified"] is True


def test_it_generates_the_schema_of_core_endpoints_without_warnings(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("spectacular", "--file", str(tmp_path / "schema.yaml"))
    output = capsys.readouterr()
    core_lines = [
        line
        for line in (output.out + output.err).splitlines()
        if any(word in line for word in ("core/", "AuditEvent", "SharedDocument", "MeViewSet"))
    ]
    assert core_lines == []
    schema = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/audit-events/", "/api/shared-documents/{id}/", "/api/me/"):
        assert path in schema
