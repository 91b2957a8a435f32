"""The insight API: reports by reference, lessons, exports, feedback, KPIs; refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dnscert.insight import feedback, services
from dnscert.insight.models import FeedbackRequest
from tests.insight.conftest import Story
from tests.personas import login_verified, member, outsider

pytestmark = pytest.mark.django_db

BASE = "/api/insight/after-action-reports/"
DENIED = (401, 403)


@pytest.fixture
def reported(story: Story) -> Story:
    services.generate_report(story.incident, by=story.analyst)
    return story


def test_anonymous_callers_are_refused_everywhere(reported: Story, client: Client) -> None:
    reference = reported.incident.reference
    for url in (
        BASE,
        f"{BASE}{reference}/",
        f"{BASE}{reference}/markdown/",
        f"{BASE}{reference}/pdf/",
        "/api/insight/feedback/",
        "/api/insight/kpis/",
    ):
        assert client.get(url).status_code in DENIED, url
    assert client.post(BASE, {"incident": reference}).status_code in DENIED
    assert (
        client.patch(f"{BASE}{reference}/", {}, content_type="application/json").status_code
        in DENIED
    )


def test_staff_generate_read_edit_and_export(reported: Story, client: Client) -> None:
    reference = reported.incident.reference
    login_verified(client, reported.analyst)

    created = client.post(BASE, {"incident": reference}, content_type="application/json")
    assert created.status_code == 201 and created.json()["revision"] == 2
    body = client.get(f"{BASE}{reference}/").json()
    assert body["incident"] == reference and body["tlp"] == "AMBER"
    assert body["markdown_url"].endswith("after-action.md")

    edited = client.patch(
        f"{BASE}{reference}/",
        {"went_well": "Quick", "actions": "Drill"},
        content_type="application/json",
    )
    assert edited.status_code == 200 and edited.json()["went_well"] == "Quick"
    unknown = client.patch(f"{BASE}{reference}/", {"content": "x"}, content_type="application/json")
    assert unknown.status_code == 400 and "content" in unknown.json()
    too_long = client.patch(
        f"{BASE}{reference}/", {"summary": "x" * 20_001}, content_type="application/json"
    )
    assert too_long.status_code == 400 and "summary" in too_long.json()

    markdown = client.get(f"{BASE}{reference}/markdown/", HTTP_ACCEPT="text/markdown")
    assert markdown.status_code == 200 and b"Quick" in markdown.content
    pdf = client.get(f"{BASE}{reference}/pdf/", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    missing = client.post(BASE, {"incident": "DNSCERT-1999-0001"}, content_type="application/json")
    assert missing.status_code == 404


def test_members_read_their_incident_report_but_never_change_it(
    reported: Story, client: Client
) -> None:
    reference = reported.incident.reference
    client.force_login(member(reported.registry))
    assert client.get(f"{BASE}{reference}/").status_code == 200
    assert [row["incident"] for row in client.get(BASE).json()["results"]] == [reference]
    assert client.post(BASE, {"incident": reference}).status_code == 403
    patched = client.patch(
        f"{BASE}{reference}/", {"went_well": "x"}, content_type="application/json"
    )
    assert patched.status_code == 403
    assert client.get("/api/insight/feedback/").status_code == 403


def test_another_organisation_sees_nothing(reported: Story, client: Client) -> None:
    reference = reported.incident.reference
    client.force_login(outsider())
    assert client.get(BASE).json()["results"] == []
    for suffix in ("", "markdown/", "pdf/"):
        assert client.get(f"{BASE}{reference}/{suffix}").status_code == 404


def test_feedback_answers_for_staff(reported: Story, client: Client) -> None:
    raw = "f" * 43
    request = feedback.request_feedback(reported.incident)[0]
    FeedbackRequest.objects.filter(pk=request.pk).update(
        token_digest=FeedbackRequest.digest_of(raw)
    )
    feedback.submit_feedback(raw, useful=3, timely=4, comment="Fine")
    login_verified(client, reported.analyst)
    rows = client.get("/api/insight/feedback/?useful=3").json()["results"]
    assert [(r["incident"], r["useful"], r["timely"], r["comment"]) for r in rows] == [
        (reported.incident.reference, 3, 4, "Fine")
    ]
    assert client.get("/api/insight/feedback/?useful=1").json()["results"] == []


def test_kpis_count_what_the_caller_may_see(reported: Story, client: Client) -> None:
    client.force_login(outsider())
    body: dict[str, Any] = client.get("/api/insight/kpis/?start=2026-01-01&end=2026-12-31").json()
    assert body["total"] == 0  # the AMBER story is not theirs
    bad = client.get("/api/insight/kpis/?start=31/12/2026")
    assert bad.status_code == 400 and "start" in bad.json()
    login_verified(client, reported.analyst)
    assert client.get("/api/insight/kpis/?start=2026-01-01&end=2026-12-31").json()["total"] == 1


def test_refusals_on_document_endpoints_are_readable(reported: Story, client: Client) -> None:
    reference = reported.incident.reference
    refused = client.get(f"{BASE}{reference}/pdf/", HTTP_ACCEPT="application/pdf")
    assert refused.status_code in DENIED and b"detail" in refused.content
    client.force_login(outsider())
    hidden = client.get(f"{BASE}{reference}/markdown/", HTTP_ACCEPT="text/markdown")
    assert hidden.status_code == 404 and b"detail" in hidden.content
