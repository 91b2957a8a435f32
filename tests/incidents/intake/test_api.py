"""The intake API: constituents and the team send reports with a token; the team reads and
triages them; everyone else is refused."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from dnscert.core.jobs import run_pending
from dnscert.core.models import ApiToken
from dnscert.incidents.intake.choices import Channel, ReportStatus
from dnscert.incidents.intake.models import Report
from dnscert.incidents.intake.services import receive_email
from tests.incidents.factories import incident as make_incident
from tests.incidents.intake.conftest import mail as build_mail
from tests.incidents.intake.conftest import sent_acks
from tests.personas import member, outsider, responder, staff

pytestmark = pytest.mark.django_db

URL = "/api/intake/reports/"
REPORT = {"subject": "NXDOMAIN flood on ns1.nic.xa", "body": "Since 01:00 UTC, 2 Mqps."}


def token_client(user: Any) -> Client:
    _, raw = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_it_takes_a_report_from_a_constituent_token_with_an_attachment() -> None:
    user = member(email="noc@nic.xa.example")
    content = base64.b64encode(b"pcap bytes").decode()
    body = {**REPORT, "attachments": [{"filename": "flood.pcap", "content": content}]}
    response = token_client(user).post(URL, body, content_type="application/json")

    assert response.status_code == 201, response.json()
    data = response.json()
    report = Report.objects.get(reference=data["reference"])
    assert report.channel == Channel.API
    assert report.organisation == user.organisation
    assert report.reporter_email == "noc@nic.xa.example"
    assert data["attachments"][0]["filename"] == "flood.pcap"
    assert report.attachments.get().file.read() == b"pcap bytes"
    run_pending()
    [ack] = sent_acks(mail.outbox)
    assert data["reference"] in ack["Subject"]


def test_it_names_bad_fields_in_a_new_report() -> None:
    client = token_client(member())
    bad = {"subject": "", "body": "x", "attachments": [{"filename": "a", "content": "%%%"}]}
    errors = client.post(URL, bad, content_type="application/json").json()
    assert "subject" in errors
    assert errors["attachments"]["0"]["content"] == ["not valid base64"]
    big = base64.b64encode(b"\0" * (65 * 1024)).decode()
    oversized = {**REPORT, "attachments": [{"filename": "big.bin", "content": big}]}
    response = client.post(URL, oversized, content_type="application/json")
    assert response.status_code == 400
    assert "big.bin is 65.0" in response.json()["attachments"][0]


def test_it_refuses_reports_from_anonymous_callers_and_members_without_organisation() -> None:
    assert Client().post(URL, REPORT, content_type="application/json").status_code in (401, 403)
    loner = member()
    loner.organisation = None
    loner.save()
    response = token_client(loner).post(URL, REPORT, content_type="application/json")
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_it_lists_and_shows_reports_to_the_team_only() -> None:
    report = receive_email(build_mail(subject="Listed"))
    for user in (staff(), responder()):
        listing = token_client(user).get(URL, {"status": "new"}).json()
        assert [row["reference"] for row in listing["results"]] == [report.reference]
        detail = token_client(user).get(f"{URL}{report.reference}/").json()
        assert detail["subject"] == "Listed"
    for user in (member(), outsider()):
        assert token_client(user).get(URL).status_code == 403
        assert token_client(user).get(f"{URL}{report.reference}/").status_code == 403
    assert Client().get(URL).status_code in (401, 403)


def test_it_triages_through_the_api() -> None:
    analyst = staff()
    client = token_client(analyst)
    first = receive_email(build_mail(subject="First"))
    second = receive_email(build_mail(subject="Second"))
    third = receive_email(build_mail(subject="Third"))

    opened = client.post(
        f"{URL}{first.reference}/create-incident/",
        {"category": "dns-ddos", "severity": "low", "tlp": "AMBER"},
        content_type="application/json",
    )
    assert opened.status_code == 200, opened.json()
    assert opened.json()["status"] == ReportStatus.TRIAGED
    incident_ref = opened.json()["incident"]

    attached = client.post(
        f"{URL}{second.reference}/attach/", {"incident": incident_ref}, "application/json"
    )
    assert attached.json()["incident"] == incident_ref
    duplicate = client.post(
        f"{URL}{third.reference}/duplicate/", {"original": first.reference}, "application/json"
    )
    assert duplicate.json()["duplicate_of"] == first.reference
    again = client.post(f"{URL}{third.reference}/reject/", {"reason": "spam"}, "application/json")
    assert again.status_code == 400
    assert "already" in again.json()["status"][0]


def test_it_refuses_triage_to_those_not_allowed() -> None:
    report = receive_email(build_mail())
    body = {"category": "dns-ddos", "severity": "low", "tlp": "AMBER"}
    path = f"{URL}{report.reference}/create-incident/"
    assert token_client(responder()).post(path, body, "application/json").status_code == 403
    assert token_client(member()).post(path, body, "application/json").status_code == 403
    reject = f"{URL}{report.reference}/reject/"
    assert (
        token_client(member()).post(reject, {"reason": "x"}, "application/json").status_code == 403
    )
    hidden = make_incident(tlp="RED")
    attach = f"{URL}{report.reference}/attach/"
    refused = token_client(responder()).post(
        attach, {"incident": hidden.reference}, "application/json"
    )
    assert refused.status_code == 400
    assert "no incident" in refused.json()["incident"][0]
