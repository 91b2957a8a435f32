"""The public and constituent report forms: stored, acknowledged, rate-limited, guarded."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dnscert.core.jobs import run_pending
from dnscert.core.models import AuditEvent
from dnscert.incidents.intake.choices import Channel, PgpStatus, ReportStatus
from dnscert.incidents.intake.models import Report
from tests.incidents.intake.conftest import Reporter, ack_text, sent_acks
from tests.personas import member

pytestmark = pytest.mark.django_db

FORM = {
    "reporter_name": "Alice Reporter",
    "reporter_email": "alice@example.net",
    "subject": "Phishing domains registered in bulk",
    "body": "Since Monday 400 look-alike domains of bank.xb were registered at one registrar.",
}


def post(client: Client, data: dict[str, Any], **extra: Any) -> Any:
    return client.post("/report/", data, **extra)


def test_it_stores_a_public_report_with_its_attachment_and_acknowledges_it() -> None:
    client = Client()
    upload = SimpleUploadedFile("domains.txt", b"bank-xb-login.xa\n", content_type="text/plain")
    response = post(client, {**FORM, "attachments": [upload]}, REMOTE_ADDR="192.0.2.10")

    assert response.status_code == 302
    report = Report.objects.get()
    assert response["Location"] == "/report/thanks/"
    assert report.reference.startswith("R-")
    assert report.channel == Channel.PUBLIC_FORM
    assert report.status == ReportStatus.NEW
    assert str(report.source_ip) == "192.0.2.10"
    assert b"look-alike domains" in report.raw_bytes
    attachment = report.attachments.get()
    assert attachment.filename == "domains.txt"
    assert attachment.size == 17
    assert attachment.sha256 == hashlib.sha256(b"bank-xb-login.xa\n").hexdigest()
    assert attachment.file.read() == b"bank-xb-login.xa\n"
    created = AuditEvent.objects.get(object_id=str(report.pk), action="create")
    assert created.actor_label == "anonymous"

    thanks = client.get("/report/thanks/")
    assert report.reference in thanks.content.decode()

    run_pending()
    [ack] = sent_acks(mail.outbox)
    assert report.reference in ack["Subject"]
    assert ack["To"] == "alice@example.net"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert report.reference in ack_text(ack)
    report.refresh_from_db()
    assert report.acknowledged_at is not None


def test_it_acknowledges_in_french_when_the_reporter_writes_in_french() -> None:
    Client().post("/report/", FORM, HTTP_ACCEPT_LANGUAGE="fr")
    run_pending()
    [ack] = sent_acks(mail.outbox)
    assert "Signalement reçu" in ack["Subject"]
    assert Report.objects.get().language == "fr"


def test_it_refuses_a_flood_from_one_address_with_a_clear_message() -> None:
    client = Client()
    for _ in range(3):
        assert post(client, FORM, REMOTE_ADDR="198.51.100.7").status_code == 302
    refused = post(client, FORM, REMOTE_ADDR="198.51.100.7")

    assert refused.status_code == 429
    assert "Too many reports from your address" in refused.content.decode()
    assert Report.objects.count() == 3
    assert post(client, FORM, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_it_refuses_a_filled_honeypot_and_stores_nothing() -> None:
    response = post(Client(), {**FORM, "website": "http://spam.example"})
    assert response.status_code == 400
    assert "looks automated" in response.content.decode()
    assert not Report.objects.exists()


def test_it_names_the_oversized_attachment_and_its_limit() -> None:
    big = SimpleUploadedFile("capture.pcap", b"\0" * (65 * 1024), "application/octet-stream")
    response = post(Client(), {**FORM, "attachments": [big]})
    text = response.content.decode()
    assert response.status_code == 400
    assert "capture.pcap is 65.0\xa0KB; the limit is 64.0\xa0KB per file." in text
    assert not Report.objects.exists()


def test_it_names_missing_fields_and_needs_a_csrf_token() -> None:
    response = post(Client(), {"subject": "", "body": ""})
    assert response.status_code == 400
    assert response.content.decode().count("This field is required.") == 2
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, FORM).status_code == 403


def test_it_decrypts_a_pgp_message_pasted_into_the_form(
    reporter_keys: Reporter, registry_contact: Any
) -> None:
    secret = "The registrar account of shop.xa was taken over at 03:00."
    armored = reporter_keys.encrypt_and_sign(secret.encode()).decode()
    post(Client(), {**FORM, "body": armored})

    report = Report.objects.get()
    assert report.body == secret
    assert report.pgp_status == PgpStatus.SIGNED_VALID
    assert report.pgp_encrypted
    assert report.signer_contact == registry_contact
    assert report.organisation == registry_contact.organisation
    assert "BEGIN PGP MESSAGE" in report.raw_bytes.decode()


def test_it_keeps_an_undecryptable_paste_as_unparsed() -> None:
    broken = "-----BEGIN PGP MESSAGE-----\n\nhQEMA5garbage\n-----END PGP MESSAGE-----"
    post(Client(), {**FORM, "body": broken})
    report = Report.objects.get()
    assert report.status == ReportStatus.UNPARSED
    assert report.pgp_status == PgpStatus.DECRYPT_FAILED
    assert "could not be decrypted" in report.parse_error
    assert report.body == broken


def test_it_prefills_the_constituent_form_and_files_the_organisation() -> None:
    user = member(first_name="Bob", last_name="Registry", email="bob@nic.xa.example")
    client = Client()
    client.force_login(user)

    assert client.get("/report/")["Location"] == "/report/member/"
    page = client.get("/report/member/").content.decode()
    assert user.organisation.name in page
    response = client.post("/report/member/", {"subject": FORM["subject"], "body": FORM["body"]})

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.channel == Channel.MEMBER_FORM
    assert report.organisation == user.organisation
    assert report.user == user
    assert report.reporter_email == "bob@nic.xa.example"
    assert report.reporter_name == "Bob Registry"


def test_it_sends_anonymous_visitors_of_the_constituent_form_to_sign_in() -> None:
    response = Client().get("/report/member/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_it_serves_the_platform_public_key_for_encrypting_reports() -> None:
    response = Client().get("/report/pgp-key.asc")
    assert response.status_code == 200
    assert b"BEGIN PGP PUBLIC KEY BLOCK" in response.content
