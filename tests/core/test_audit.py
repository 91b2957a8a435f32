"""The audit log: state changes and sensitive reads are recorded with actor, address and agent;
the staff page and API filter and export it; nobody else may see it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dnscert.core import audit, services
from dnscert.core.choices import TLP
from dnscert.core.models import ApiToken, AuditEvent, SharedDocument
from tests.personas import PASSWORD, login_verified, make_org, member, staff

pytestmark = pytest.mark.django_db

AGENT = "dnscert-tests/1.0"


def token_client(user: Any, **extra: Any) -> Client:
    raw = ApiToken.issue(user, "tests")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_USER_AGENT=AGENT, **extra)


def last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("at", "id")


def test_it_records_a_create_with_actor_address_and_agent() -> None:
    analyst = staff("analyst")
    client = token_client(analyst, REMOTE_ADDR="127.0.0.9")
    response = client.post(
        reverse("shared-document-list"),
        {"title": "Resolver advisory", "tlp": "tlp:amber", "body": "Patch now."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    event = last("create")
    assert event.actor == analyst
    assert event.actor_label == "analyst"
    assert event.object_type == "core.shareddocument"
    assert event.object_id == str(response.json()["id"])
    assert event.tlp == "AMBER"
    assert event.ip_address == "127.0.0.9"
    assert event.user_agent == AGENT
    assert event.via == "api"
    assert event.changes["title"] == "Resolver advisory"


def test_it_records_an_update_with_the_differences() -> None:
    analyst = staff()
    document = services.create_shared_document(analyst, title="Draft", tlp="GREEN")
    response = token_client(analyst).patch(
        reverse("shared-document-detail", args=[document.pk]),
        {"title": "Final", "tlp": "RED"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    event = last("update")
    assert event.changes == {"title": ["Draft", "Final"], "tlp": ["GREEN", "RED"]}
    assert event.tlp == "RED"


def test_it_records_a_state_change() -> None:
    user = member()
    token, _raw = services.issue_api_token(user, user, "laptop")
    services.revoke_api_token(user, token)
    event = last("state")
    assert event.object_type == "core.apitoken"
    assert event.changes == {"revoked": [False, True]}
    assert event.via == "cli"  # no request in progress


@pytest.mark.parametrize(
    ("label", "recorded"),
    [("CLEAR", False), ("GREEN", False), ("AMBER", True), ("AMBER+STRICT", True), ("RED", True)],
)
def test_it_records_reads_of_amber_and_stricter_only(label: str, recorded: bool) -> None:
    analyst = staff()
    document = services.create_shared_document(analyst, title=f"doc {label}", tlp=label)
    page = login_verified(Client(HTTP_USER_AGENT=AGENT), analyst)
    assert page.get(reverse("document-detail", args=[document.pk])).status_code == 200
    api = token_client(analyst)
    assert api.get(reverse("shared-document-detail", args=[document.pk])).status_code == 200
    reads = AuditEvent.objects.filter(action="read", object_id=str(document.pk))
    assert reads.count() == (2 if recorded else 0)
    if recorded:
        assert {e.via for e in reads} == {"web", "api"}
        assert {e.actor for e in reads} == {analyst}
        assert all(e.tlp == label and e.user_agent for e in reads)


def test_it_does_not_record_reads_in_lists() -> None:
    analyst = staff()
    services.create_shared_document(analyst, title="secret", tlp=TLP.RED)
    token_client(analyst).get(reverse("shared-document-list"))
    assert not AuditEvent.objects.filter(action="read").exists()


def test_it_marks_work_done_by_jobs() -> None:
    with audit.channel(audit.Via.JOB):
        event = audit.record(None, audit.Action.IMPORT, object_repr="feed")
    assert (event.via, event.actor_label, event.ip_address) == ("job", "system", None)


def test_it_diffs_before_and_after() -> None:
    before = {"a": 1, "b": "x", "when": None}
    after = {"a": 1, "b": "y", "c": True, "when": timezone.now().date()}
    changes = audit.changes_between(before, after)
    assert set(changes) == {"b", "c", "when"}
    assert changes["b"] == ["x", "y"]
    assert changes["c"] == [None, True]
    assert changes["when"][1] == after["when"].isoformat()


def test_it_records_sign_in_failure_and_sign_out() -> None:
    user = member(username="alice")
    client = Client(HTTP_USER_AGENT=AGENT)
    client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    failed = last("login_failed")
    assert failed.object_repr == "alice"
    assert failed.actor is None
    assert failed.ip_address == "127.0.0.1"
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert last("login").actor == user
    client.post(reverse("logout"))
    assert last("logout").actor == user


def _seed_events() -> tuple[Any, Any]:
    alice, bob = member(username="alice"), member(username="bob")
    audit.record(alice, "read", object_repr="incident one", tlp="RED")
    audit.record(bob, "update", object_repr="zone example.", changes={"ns": ["a", "b"]})
    old = audit.record(bob, "create", object_repr="old thing")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    return alice, bob


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "ALICE"}, {"incident one"}),
        ({"action": "update"}, {"zone example."}),
        ({"tlp": "RED"}, {"incident one"}),
        ({"q": "example"}, {"zone example."}),
        ({"date_to": str((timezone.now() - timedelta(days=30)).date())}, {"old thing"}),
        ({"actor": "bob", "date_from": str(timezone.now().date())}, {"zone example."}),
    ],
)
def test_it_filters_the_audit_log_for_staff(query: dict[str, str], expected: set[str]) -> None:
    _seed_events()
    analyst = staff()
    page = login_verified(Client(), analyst).get(reverse("audit-log"), query)
    assert page.status_code == 200
    shown = {e.object_repr for e in page.context["page"]}
    assert shown == expected
    api = token_client(analyst).get(reverse("audit-event-list"), query)
    assert {row["object_repr"] for row in api.json()["results"]} == expected


def test_it_filters_by_object_type_and_id() -> None:
    analyst = staff()
    document = services.create_shared_document(analyst, title="t", tlp="GREEN")
    query = {"object_type": "core.SharedDocument", "object_id": str(document.pk)}
    page = login_verified(Client(), analyst).get(reverse("audit-log"), query)
    assert [e.action for e in page.context["page"]] == ["create"]


def test_it_exports_the_filtered_log_as_csv_and_records_the_export() -> None:
    _seed_events()
    analyst = staff()
    response = login_verified(Client(), analyst).get(
        reverse("audit-log"), {"action": "update", "export": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["object_repr"] for r in rows] == ["zone example."]
    assert rows[0]["changes"] == '{"ns": ["a", "b"]}'
    export = last("export")
    assert export.actor == analyst
    assert export.changes == {"action": "update"}


def test_it_paginates_the_audit_log() -> None:
    for number in range(55):
        audit.record(None, "import", object_repr=f"batch {number}")
    client = login_verified(Client(), staff())
    first = client.get(reverse("audit-log"))
    second = client.get(reverse("audit-log"), {"page": 2})
    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5 + 1  # the staff login event (force_login)


def test_it_refuses_the_audit_log_to_members_and_responders() -> None:
    from tests.personas import responder

    for user in (member(make_org()), responder()):
        assert login_verified(Client(), user).get(reverse("audit-log")).status_code == 403
        api = token_client(user).get(reverse("audit-event-list"))
        assert api.status_code == 403


def test_it_sends_the_public_to_the_login_page_from_the_audit_log() -> None:
    response = Client().get(reverse("audit-log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Client().get(reverse("audit-event-list")).status_code in (401, 403)


def test_it_keeps_the_audit_api_read_only() -> None:
    response = token_client(staff()).post(reverse("audit-event-list"), {"action": "read"})
    assert response.status_code == 405


def test_it_records_reads_of_the_attachment(tmp_path: Any, settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    analyst = staff()
    document = services.create_shared_document(
        analyst,
        title="zone file",
        tlp="AMBER",
        attachment=SimpleUploadedFile("zone.txt", b"example. 3600 IN SOA ..."),
    )
    user = member()
    document.recipient_organisations.add(user.organisation)
    client = login_verified(Client(), user)
    response = client.get(reverse("document-attachment", args=[document.pk]))
    assert b"".join(response.streaming_content).startswith(b"example.")
    assert last("read").actor == user
    stranger = login_verified(Client(), member())
    assert stranger.get(reverse("document-attachment", args=[document.pk])).status_code == 404
    assert SharedDocument.objects.get(pk=document.pk).attachment.name.endswith(".txt")


def test_it_shows_changes_as_old_and_new_values_on_the_page() -> None:
    analyst = staff()
    audit.record(analyst, "update", object_repr="zone", changes={"ns": ["a.example.", None]})
    page = login_verified(Client(), analyst).get(reverse("audit-log"), {"action": "update"})
    assert "<code>ns</code>: &quot;a.example.&quot; → null" in page.content.decode()
