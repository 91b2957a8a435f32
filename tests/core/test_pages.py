"""Core pages render, list pages keep a constant number of queries, and the admin works."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dnscert.core import audit, services
from dnscert.core.models import ApiToken, AuditEvent, JobRun, SharedDocument
from tests.personas import login_verified, make_user, member, staff

pytestmark = pytest.mark.django_db


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_it_renders_the_sign_in_and_reset_pages() -> None:
    client = Client()
    for name in ("login", "password_reset", "password_reset_done", "password_reset_complete"):
        assert client.get(reverse(name)).status_code == 200, name
    assert b'name="password"' in client.get(reverse("login")).content


def test_it_keeps_the_audit_log_queries_constant() -> None:
    client = login_verified(Client(), staff())
    audit.record(None, "import", object_repr="first")
    few = queries_for(client, reverse("audit-log"))
    reader = member()
    for number in range(30):
        audit.record(reader, "read", object_repr=f"thing {number}", tlp="RED")
    assert queries_for(client, reverse("audit-log")) == few


def test_it_keeps_the_document_list_queries_constant() -> None:
    analyst = staff()
    user = member()
    client = login_verified(Client(), user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user, 'x')[1]}")
    services.create_shared_document(analyst, title="one", tlp="GREEN")
    few = queries_for(client, reverse("documents"))
    few_api = queries_for(api, reverse("shared-document-list"))
    for number in range(20):
        document = services.create_shared_document(analyst, title=f"d{number}", tlp="AMBER")
        document.recipient_organisations.add(user.organisation)
    assert queries_for(client, reverse("documents")) == few
    assert queries_for(api, reverse("shared-document-list")) == few_api


@pytest.mark.parametrize("model", [SharedDocument, AuditEvent, ApiToken, JobRun, "user"])
def test_it_shows_every_core_model_in_the_admin(model: Any) -> None:
    superuser = make_user("staff", None, is_staff=True, is_superuser=True)
    analyst = staff()
    services.create_shared_document(analyst, title="t", tlp="GREEN")
    services.issue_api_token(analyst, analyst, "t")
    JobRun.objects.create(name="core.example")
    client = login_verified(Client(), superuser)
    name = "user" if model == "user" else model._meta.model_name
    changelist = client.get(reverse(f"admin:core_{name}_changelist"))
    assert changelist.status_code == 200


def test_it_keeps_audit_events_read_only_in_the_admin() -> None:
    superuser = make_user("staff", None, is_staff=True, is_superuser=True)
    client = login_verified(Client(), superuser)
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
