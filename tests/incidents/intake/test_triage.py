"""The triage queue and a report's page: who sees them, what stands out, and the actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dnscert.core.models import AuditEvent
from dnscert.incidents.choices import JournalKind
from dnscert.incidents.intake.choices import ReportStatus
from dnscert.incidents.intake.models import Report
from dnscert.incidents.intake.services import receive_email, submit_report
from dnscert.incidents.models import Incident, JournalEntry
from tests.incidents.factories import incident as make_incident
from tests.incidents.intake.conftest import mail
from tests.personas import login_verified, member, responder, staff

pytestmark = pytest.mark.django_db


def team_client(user: Any = None) -> tuple[Client, Any]:
    user = user or staff()
    return login_verified(Client(), user), user


def test_it_shows_the_queue_to_the_team_and_refuses_everyone_else() -> None:
    receive_email(mail(subject="Visible to the team"))
    for user in (staff(), responder()):
        client, _ = team_client(user)
        assert "Visible to the team" in client.get("/intake/").content.decode()
    outsider = Client()
    outsider.force_login(member())
    assert outsider.get("/intake/").status_code == 403
    assert "login" in Client().get("/intake/")["Location"]


def test_it_offers_the_report_form_to_the_public_and_the_queue_to_the_team() -> None:
    public = Client().get("/").content.decode()
    assert 'href="/report/"' in public and 'href="/intake/"' not in public
    client, _ = team_client(responder())
    assert 'href="/intake/"' in client.get("/", follow=True).content.decode()


def test_it_highlights_unparsed_reports_and_filters_the_queue() -> None:
    broken = receive_email(b"\x00\x01 not a message")
    plain = receive_email(mail(subject="Plain report"))
    submit_report(channel="public_form", subject="From the form", body="text")
    client, _ = team_client()

    page = client.get("/intake/").content.decode()
    assert f'<tr data-report="{broken.reference}" class="unparsed">' in page
    assert f'<tr data-report="{plain.reference}">' in page
    by_channel = client.get("/intake/", {"channel": "public_form"}).content.decode()
    assert "From the form" in by_channel and "Plain report" not in by_channel
    by_search = client.get("/intake/", {"q": "plain"}).content.decode()
    assert plain.reference in by_search and broken.reference not in by_search
    by_pgp = client.get("/intake/", {"pgp_status": "signed_valid"}).content.decode()
    assert "No report matches." in by_pgp
    bad = client.get("/intake/", {"status": "nonsense"})
    assert "Select a valid choice" in bad.content.decode()

    export = client.get("/intake/", {"format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    assert plain.reference in export.content.decode()


def test_it_shows_a_report_with_its_raw_content_and_attachments() -> None:
    raw = mail(attachments=[("evil.html", b"<script>alert(1)</script>", "text/html")])
    report = receive_email(raw)
    client, analyst = team_client()

    page = client.get(f"/intake/{report.reference}/").content.decode()
    assert "evil.html" in page and report.subject in page
    download = client.get(f"/intake/{report.reference}/raw/")
    assert download.content == raw
    assert download["Content-Disposition"] == f'attachment; filename="{report.reference}.eml"'
    item = report.attachments.get()
    served = client.get(f"/intake/attachments/{item.pk}/")
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment;")
    assert b"".join(served.streaming_content) == b"<script>alert(1)</script>"
    assert AuditEvent.objects.filter(actor=analyst, action="export").count() == 2
    outsider = Client()
    outsider.force_login(member())
    assert outsider.get(f"/intake/{report.reference}/raw/").status_code == 403
    assert outsider.get(f"/intake/attachments/{item.pk}/").status_code == 403


def test_it_opens_an_incident_from_a_report() -> None:
    org_user = member()
    report = submit_report(
        channel="member_form",
        subject="Hijack of shop.xa",
        body="NS changed.",
        reporter_email="noc@nic.xa.example",
        organisation=org_user.organisation,
        user=org_user,
    )
    client, analyst = team_client()
    response = client.post(
        f"/intake/{report.reference}/create-incident/",
        {"title": "Hijack of shop.xa", "category": "delegation-hijack", "severity": "medium",
         "tlp": "AMBER", "summary": "NS changed."},
    )  # fmt: skip

    assert response.status_code == 302
    report.refresh_from_db()
    incident = Incident.objects.get()
    assert report.incident == incident
    assert report.status == ReportStatus.TRIAGED
    assert report.triaged_by == analyst
    assert incident.reporter_email == "noc@nic.xa.example"
    assert incident.owner_organisation == org_user.organisation
    entry = JournalEntry.objects.get(incident=incident, kind=JournalKind.REPORT)
    assert report.reference in entry.text
    assert AuditEvent.objects.filter(object_id=str(report.pk), action="state").exists()
    assert incident.reference in client.get(response["Location"]).content.decode()
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert f'data-report="{report.reference}"' in page
    assert f'href="/insight/reports/{incident.reference}/"' in page


def test_it_attaches_rejects_and_marks_duplicates() -> None:
    case = make_incident()
    first, second, third = (receive_email(mail(subject=f"Report {n}")) for n in range(3))
    helper = responder()
    case.assignees.add(helper)  # a responder attaches to incidents they are assigned to
    client, _ = team_client(helper)

    client.post(f"/intake/{first.reference}/attach/", {"incident": case.reference.lower()})
    client.post(f"/intake/{second.reference}/duplicate/", {"original": first.reference})
    client.post(f"/intake/{third.reference}/reject/", {"reason": "Spam"})

    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.status, first.incident) == (ReportStatus.MERGED, case)
    assert JournalEntry.objects.filter(incident=case, kind=JournalKind.REPORT).count() == 1
    assert (second.status, second.duplicate_of) == (ReportStatus.REJECTED, first)
    assert second.incident == case
    assert (third.status, third.resolution) == (ReportStatus.REJECTED, "Spam")


def test_it_explains_refused_actions() -> None:
    report = receive_email(mail())
    client, _ = team_client(responder())

    denied = client.post(
        f"/intake/{report.reference}/create-incident/",
        {"title": "x", "category": "dns-ddos", "severity": "low", "tlp": "AMBER"},
    )
    assert denied.status_code == 403
    page = client.post(f"/intake/{report.reference}/reject/", {"reason": ""}, follow=True)
    assert "reason: This field is required." in page.content.decode()
    page = client.post(
        f"/intake/{report.reference}/attach/", {"incident": "DNSCERT-1999-0001"}, follow=True
    )
    assert "incident: no incident DNSCERT-1999-0001" in page.content.decode()
    page = client.post(
        f"/intake/{report.reference}/duplicate/", {"original": report.reference}, follow=True
    )
    assert "a report cannot duplicate itself" in page.content.decode()
    client.post(f"/intake/{report.reference}/reject/", {"reason": "Spam"})
    page = client.post(f"/intake/{report.reference}/reject/", {"reason": "Again"}, follow=True)
    assert "is already Rejected" in page.content.decode()
    assert Report.objects.get().resolution == "Spam"
    assert Client().post(f"/intake/{report.reference}/reject/", {"reason": "x"}).status_code == 302


def test_it_acknowledges_an_on_call_page_answered_by_e_mail() -> None:
    from dnscert.directory.oncall.choices import PageStatus
    from dnscert.directory.oncall.services import page

    responder_user = staff()
    paged = page(
        subject="DNSCERT-2026-0042 hijack",
        body="Delegation changed.",
        url="/incidents/DNSCERT-2026-0042/",
        severity="high",
    )
    report = receive_email(
        mail(
            subject=f"Re: [PAGE-{paged.token}] DNSCERT-2026-0042 hijack",
            body="On it.",
            sender=f"Responder <{responder_user.email}>",
        )
    )

    paged.refresh_from_db()
    report.refresh_from_db()
    assert paged.status == PageStatus.ACKNOWLEDGED
    assert paged.acknowledged_by == responder_user
    assert report.status == ReportStatus.MERGED
    note = f"acknowledged the on-call page {paged.pk}"
    assert AuditEvent.objects.filter(action="state", changes__note=note).count() == 1
