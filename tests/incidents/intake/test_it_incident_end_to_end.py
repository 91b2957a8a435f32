"""The 24x7 point of contact end to end, as a responder at 3 a.m. lives it.

An encrypted, signed report is e-mailed to the intake listener and becomes an incident; the
on-call responder is paged and nobody acknowledges, so the page escalates; staff triage it and
add the TLD's registry as participant; the registry's contact receives a PGP-signed, TLP-marked
e-mail (checked with gpg), replies by e-mail and the reply lands in the journal; the incident
is resolved and closed, and the after-action report and the feedback request are produced.
Every part is real: the SMTP listener, the outgoing SMTP server, gpg and the database.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone

from dnscert.core.jobs import run_pending
from dnscert.directory.models import Contact
from dnscert.directory.oncall import services as oncall
from dnscert.directory.oncall.choices import Level, PageStatus
from dnscert.directory.oncall.models import Page
from dnscert.incidents import services
from dnscert.incidents.choices import IncidentStatus, JournalKind
from dnscert.incidents.indicators import suggestions_for
from dnscert.incidents.intake import smtp
from dnscert.incidents.intake.choices import PgpStatus, ReportStatus
from dnscert.incidents.intake.models import Report
from dnscert.incidents.models import Incident
from dnscert.insight.models import AfterActionReport, FeedbackRequest
from tests.conftest import LOOPBACK, find_free_port
from tests.incidents import factories
from tests.incidents.conftest import RecipientKeyring
from tests.incidents.intake.conftest import INTAKE_ADDRESS, Reporter, mime_entity
from tests.incidents.intake.conftest import pgp_mime_encrypted as encrypted_mail
from tests.oncall.factories import policy, rota, shift
from tests.personas import login_verified, make_org, responder, staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listener(settings: Any) -> Iterator[Controller]:
    settings.DNSCERT_INTAKE_SMTP_RECIPIENTS = [INTAKE_ADDRESS]
    controller = smtp.controller(LOOPBACK, find_free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def deliver(listener: Controller, raw: bytes, sender: str) -> None:
    with smtplib.SMTP(LOOPBACK, listener.port, timeout=10) as client:
        client.sendmail(sender, [INTAKE_ADDRESS], raw)


def new_mail(received: Any, before: int) -> list[EmailMessage]:
    return received.wait_for(before + 1)[before:]


def test_a_report_becomes_an_incident_coordinated_to_closure(
    listener: Controller,
    smtp_server: Any,
    reporter_keys: Reporter,
    recipient_keyring: RecipientKeyring,
) -> None:
    # The constituency: a national CERT that reports, the registry of .xa, the on-call team.
    cert = make_org(name="National CERT")
    Contact.objects.create(
        organisation=cert,
        name="CSIRT",
        email=reporter_keys.address,
        pgp_key=reporter_keys.public_key,
        pgp_fingerprint=reporter_keys.fingerprint,
        languages=["en"],
    )
    registry = factories.registry("xa", key=recipient_keyring.public_key)
    analyst = staff("analyst", email="analyst@dnscert.example")
    night = responder("night", email="night@dnscert.example")
    now = timezone.now()
    primary = rota(policy=policy(on_call_minutes=10))
    shift(primary, night, now - timedelta(hours=1), now + timedelta(hours=8))

    # 1. An encrypted, signed report arrives at the intake listener.
    inner = mime_entity("The NS of shop.xa changed to ns1.evil.example at 02:10 UTC.")
    raw = encrypted_mail(
        reporter_keys.encrypt_and_sign(inner),
        f"CSIRT <{reporter_keys.address}>",
        "Hijacked delegation of shop.xa",
    )
    deliver(listener, raw, reporter_keys.address)
    report = Report.objects.get()
    assert report.pgp_status == PgpStatus.SIGNED_VALID
    assert report.signer_fingerprint == reporter_keys.fingerprint
    assert "ns1.evil.example" in report.body
    run_pending()
    acknowledgement = new_mail(smtp_server, 0)[0]
    assert acknowledgement["To"] == reporter_keys.address
    assert report.reference in acknowledgement["Subject"]

    # 2. Staff open an incident of high severity from it: the on-call responder is paged.
    client = login_verified(Client(), analyst)
    response = client.post(
        f"/intake/{report.reference}/create-incident/",
        {"title": "Hijack of shop.xa", "category": "delegation-hijack", "severity": "high",
         "tlp": "AMBER", "summary": "Delegation of shop.xa changed without the owner."},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:500]
    incident = Incident.objects.get()
    report.refresh_from_db()
    assert report.incident == incident and report.status == ReportStatus.TRIAGED
    run_pending()
    page = Page.objects.get(reference=incident.reference)
    assert page.level == Level.ON_CALL
    sent = len(smtp_server.received)
    paged = [m for m in smtp_server.messages if m["To"] == night.email]
    assert len(paged) == 1 and f"PAGE-{page.token}" in paged[0]["Subject"]

    # 3. Nobody acknowledges: after the policy's ten minutes the page goes up to staff.
    assert oncall.escalate_due(page.created_at + timedelta(minutes=9)) == []
    (moved,) = oncall.escalate_due(page.created_at + timedelta(minutes=10))
    assert moved.level == Level.STAFF and moved.status == PageStatus.ESCALATED_TO_STAFF
    run_pending()
    escalated = new_mail(smtp_server, sent)
    assert any(m["To"] == analyst.email and f"PAGE-{page.token}" in m["Subject"] for m in escalated)

    # 4. Staff triage and add the TLD's registry, suggested by the domain indicator.
    services.transition(incident, IncidentStatus.TRIAGED, by=analyst)
    indicator = services.add_indicator(incident, kind="domain", value="shop.xa", by=analyst)
    assert registry in [found.organisation for found in suggestions_for(indicator)]
    sent = len(smtp_server.received)
    response = client.post(
        f"/incidents/{incident.reference}/participants/suggested/{registry.pk}/",
        {"role": "affected"},
    )
    assert response.status_code == 302, response.content[:500]
    run_pending()
    (notification,) = [m for m in new_mail(smtp_server, sent) if m["To"] == "noc@nic.xa.example"]
    assert notification["Subject"].startswith(f"[TLP:AMBER] [{incident.reference}] ")
    assert notification.get_content_type() == "multipart/encrypted"
    armoured = notification.get_payload()[1].get_payload(decode=True)  # type: ignore[index,union-attr]
    opened = recipient_keyring.decrypt(armoured)
    assert opened.returncode == 0, opened.stderr
    assert b"Good signature" in opened.stderr
    assert b"TLP:AMBER" in opened.stdout and incident.reference.encode() in opened.stdout

    # 5. The registry replies by e-mail; the reply lands in the incident's journal.
    reply = EmailMessage()
    reply["From"] = "NOC <noc@nic.xa.example>"
    reply["To"] = INTAKE_ADDRESS
    reply["Subject"] = f"Re: {notification['Subject']}"
    reply["Date"] = formatdate()
    reply["Message-ID"] = make_msgid(domain="nic.xa.example")
    reply["In-Reply-To"] = notification["Message-ID"]
    reply.set_content("Registrar lock applied, delegation of shop.xa restored at 03:05 UTC.")
    deliver(listener, reply.as_bytes(), "noc@nic.xa.example")
    entry = incident.journal.get(kind=JournalKind.INBOUND_EMAIL)
    assert "delegation of shop.xa restored" in entry.text
    assert Report.objects.get(message_id=reply["Message-ID"]).status == ReportStatus.MERGED

    # 6. Resolved, then closed: the after-action report and the feedback request follow.
    services.transition(incident, IncidentStatus.IN_PROGRESS, by=analyst)
    services.transition(incident, IncidentStatus.RESOLVED, by=analyst)
    sent = len(smtp_server.received)
    services.transition(incident, IncidentStatus.CLOSED, by=analyst)
    run_pending()
    aar = AfterActionReport.objects.get(incident=incident)
    assert aar.incident.status == IncidentStatus.CLOSED
    markdown = client.get(f"/insight/reports/{incident.reference}/").content.decode()
    assert incident.reference in markdown and "Registry of .xa" in markdown
    (survey,) = FeedbackRequest.objects.filter(participant__incident=incident)
    assert survey.email == "noc@nic.xa.example"
    surveys = [m for m in new_mail(smtp_server, sent) if m["To"] == "noc@nic.xa.example"]
    assert len(surveys) == 1
    assert "/insight/feedback/" in surveys[0].as_string()
