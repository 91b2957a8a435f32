"""Inbound e-mail: MIME and PGP reading, nothing lost, threading, bounces and auto-replies."""

from __future__ import annotations

import email
import email.message
import email.policy
import os
from typing import Any

import pytest
from django.core import mail

from dnscert.core.jobs import run_pending
from dnscert.delivery.choices import MessageStatus
from dnscert.delivery.models import OutboundMessage
from dnscert.delivery.services import queue_email
from dnscert.incidents.choices import JournalKind
from dnscert.incidents.intake.choices import Channel, MailKind, PgpStatus, ReportStatus
from dnscert.incidents.intake.models import Report
from dnscert.incidents.intake.services import receive_email
from dnscert.incidents.models import JournalEntry
from tests.incidents.factories import incident as make_incident
from tests.incidents.intake.conftest import (
    INTAKE_ADDRESS,
    Reporter,
    ack_text,
    mime_entity,
    pgp_mime_encrypted,
    pgp_mime_signed,
    sent_acks,
)
from tests.incidents.intake.conftest import (
    mail as build_mail,
)

pytestmark = pytest.mark.django_db


def acks() -> list[Any]:
    run_pending()
    return sent_acks(mail.outbox)


# --- plain messages ------------------------------------------------------------------------


def test_it_reads_a_plain_message_with_an_attachment_and_acknowledges_it() -> None:
    raw = build_mail(attachments=[("zone.txt", b"shop.xa. NS ns1.evil.example.\n", "text/plain")])
    report = receive_email(raw)

    assert report.channel == Channel.EMAIL
    assert report.status == ReportStatus.NEW
    assert report.subject == "Hijacked delegation of shop.xa"
    assert report.reporter_email == "alice@example.net"
    assert report.reporter_name == "Alice Reporter"
    assert "ns1.evil.example" in report.body
    assert report.raw_bytes == raw
    assert report.attachments.get().filename == "zone.txt"
    [ack] = acks()
    assert ack["To"] == "alice@example.net"
    assert f"[{report.reference}]" in ack["Subject"]
    assert ack["Reply-To"] == INTAKE_ADDRESS


def test_it_keeps_a_forwarded_phishing_message_whole_with_its_headers() -> None:
    phish = build_mail(
        subject="Your account is locked", sender="Bank <security@bank-xb-login.xa>", body="Log in"
    )
    outer = email.message.EmailMessage()
    outer["From"] = "alice@example.net"
    outer["Subject"] = "Fwd: phishing"
    outer.set_content("See the attached phishing e-mail.")
    outer.add_attachment(email.message_from_bytes(phish, policy=email.policy.default))
    report = receive_email(outer.as_bytes())

    assert report.body == "See the attached phishing e-mail."
    forwarded = report.attachments.get()
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.filename.endswith(".eml")
    assert b"From: Bank <security@bank-xb-login.xa>" in forwarded.file.read()


def test_it_reads_an_html_only_message_as_text() -> None:
    raw = (
        b"From: bob@example.org\r\nSubject: html\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><style>p{}</style><p>Open resolver at <b>192.0.2.53</b></p><p>R&eacute;seau</p>"
    )
    report = receive_email(raw)
    assert report.body == "Open resolver at 192.0.2.53\nRéseau"


def test_it_survives_a_wrong_charset_and_notes_it() -> None:
    raw = (
        b"From: carol@example.org\r\nSubject: charset\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-klingon\r\n\r\nDomaine d\xe9tourn\xe9\r\n"
    )
    report = receive_email(raw)
    assert report.status == ReportStatus.NEW
    assert report.body.startswith("Domaine d")
    assert "unknown charset 'x-klingon'" in report.notes


def test_it_keeps_binary_garbage_raw_as_unparsed_without_acknowledging() -> None:
    garbage = os.urandom(2048).replace(b":", b"")
    report = receive_email(garbage)

    stored = Report.objects.get(pk=report.pk)
    assert stored.status == ReportStatus.UNPARSED
    assert stored.raw_bytes == garbage
    assert stored.parse_error
    assert stored.ack_note == "not acknowledged: no sender address"
    assert acks() == []


def test_it_keeps_an_empty_message_as_unparsed() -> None:
    report = receive_email(b"")
    assert report.status == ReportStatus.UNPARSED
    assert "empty" in report.parse_error


def test_it_keeps_broken_mime_and_its_parts() -> None:
    raw = (
        b"From: dave@example.org\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n"
        b"--never-closed\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n"
    )
    report = receive_email(raw)
    assert report.status in (ReportStatus.NEW, ReportStatus.UNPARSED)
    assert report.raw_bytes == raw
    assert "first part" in report.body


def test_it_keeps_an_oversized_mail_attachment_only_in_the_raw_message() -> None:
    raw = build_mail(attachments=[("dump.bin", b"\1" * (70 * 1024), "application/octet-stream")])
    report = receive_email(raw)
    assert not report.attachments.exists()
    assert "dump.bin" in report.notes and "kept in the raw message" in report.notes
    assert len(report.raw_bytes) > 70 * 1024


# --- PGP -------------------------------------------------------------------------------------


def test_it_decrypts_and_verifies_a_pgp_mime_report_from_a_directory_contact(
    reporter_keys: Reporter, registry_contact: Any
) -> None:
    inner = mime_entity(
        "Registrar account of shop.xa compromised; NS changed at 02:10 UTC.",
        attachment=("evidence.log", b"02:10 update ns1.evil.example\n"),
    )
    raw = pgp_mime_encrypted(
        reporter_keys.encrypt_and_sign(inner), f"CSIRT <{reporter_keys.address}>"
    )
    report = receive_email(raw)

    assert report.status == ReportStatus.NEW, report.parse_error
    assert report.pgp_status == PgpStatus.SIGNED_VALID
    assert report.pgp_encrypted
    assert report.signer_fingerprint == reporter_keys.fingerprint
    assert report.signer_contact == registry_contact
    assert report.organisation == registry_contact.organisation
    assert "compromised" in report.body
    assert report.attachments.get().filename == "evidence.log"
    assert report.language == "fr"
    [ack] = acks()
    assert "Signalement reçu" in ack["Subject"]
    assert ack.get_content_type() == "multipart/encrypted"  # answered encrypted to the signer


def test_it_marks_an_encrypted_but_unsigned_report(reporter_keys: Reporter) -> None:
    inner = mime_entity("Encrypted only.")
    raw = pgp_mime_encrypted(reporter_keys.encrypt_and_sign(inner, sign=False), "x@example.org")
    report = receive_email(raw)
    assert report.pgp_status == PgpStatus.ENCRYPTED
    assert report.body == "Encrypted only."


def test_it_verifies_a_pgp_mime_signature_and_spots_a_tampered_one(
    reporter_keys: Reporter, registry_contact: Any
) -> None:
    inner = mime_entity("Signed statement: we did not change the delegation.")
    signature = reporter_keys.detach_sign(inner)
    sender = f"CSIRT <{reporter_keys.address}>"

    good = receive_email(pgp_mime_signed(inner, signature, sender, "Signed"))
    assert good.pgp_status == PgpStatus.SIGNED_VALID
    assert good.signer_contact == registry_contact
    assert "did not change" in good.body

    tampered = inner.replace(b"did not", b"did")
    bad = receive_email(pgp_mime_signed(tampered, signature, sender, "Signed"))
    assert bad.pgp_status == PgpStatus.SIGNED_INVALID
    assert bad.signer_contact is None
    assert bad.status == ReportStatus.NEW


def test_it_verifies_an_inline_clearsigned_message(
    reporter_keys: Reporter, registry_contact: Any
) -> None:
    text = reporter_keys.clearsign("Inline signed: DS of xa. will roll on Friday.")
    report = receive_email(build_mail(body=text, sender=reporter_keys.address))
    assert report.pgp_status == PgpStatus.SIGNED_VALID
    assert report.signer_contact == registry_contact
    assert "BEGIN PGP" not in report.body
    assert "DS of xa. will roll" in report.body


def test_it_keeps_a_corrupted_pgp_message_as_unparsed_and_still_acknowledges() -> None:
    armored = (
        b"-----BEGIN PGP MESSAGE-----\n\nhQIMA8corrupted0000000000000\n=abcd\n"
        b"-----END PGP MESSAGE-----\n"
    )
    raw = pgp_mime_encrypted(armored, "Eve <eve@example.org>", subject="Broken crypto")
    report = receive_email(raw)

    assert report.status == ReportStatus.UNPARSED
    assert report.pgp_status == PgpStatus.DECRYPT_FAILED
    assert "could not be decrypted" in report.parse_error
    assert report.raw_bytes == raw
    [ack] = acks()
    assert report.reference in ack["Subject"]


# --- threading, loops and bounces ----------------------------------------------------------


def test_it_lands_a_reply_naming_the_incident_on_its_journal() -> None:
    case = make_incident()
    raw = build_mail(
        subject=f"Re: [{case.reference}] [TLP:AMBER] Delegation of shop.xa changed",
        body="We restored the delegation at 04:00 UTC.",
        attachments=[("log.txt", b"restored\n", "text/plain")],
    )
    report = receive_email(raw)

    assert report.status == ReportStatus.MERGED
    assert report.incident == case
    entry = JournalEntry.objects.get(incident=case, kind=JournalKind.INBOUND_EMAIL)
    assert entry.tlp == "AMBER"
    assert "We restored the delegation" in entry.text
    assert f"/intake/attachments/{report.attachments.get().pk}/" in entry.text
    assert entry.author_label == "Alice Reporter <alice@example.net>"
    [ack] = acks()
    assert case.reference in ack_text(ack)


def test_it_threads_a_reply_by_in_reply_to_a_notification() -> None:
    case = make_incident()
    sent = queue_email(
        to="noc@nic.xa.example", subject="Notification", body="x", category="test", about=case
    )
    raw = build_mail(
        subject="Re: Notification", headers={"In-Reply-To": sent.message_id}, body="Ack."
    )
    report = receive_email(raw)
    assert report.incident == case
    assert report.status == ReportStatus.MERGED


def test_it_threads_a_message_by_its_x_dnscert_ref_header() -> None:
    case = make_incident()
    report = receive_email(build_mail(subject="Update", headers={"X-DNSCERT-Ref": case.reference}))
    assert report.incident == case


def test_it_does_not_acknowledge_automatic_replies() -> None:
    out_of_office = receive_email(build_mail(headers={"Auto-Submitted": "auto-replied"}))
    bulk = receive_email(build_mail(headers={"Precedence": "bulk"}))
    ours = receive_email(build_mail(sender=f"dnscert <{INTAKE_ADDRESS}>"))

    assert out_of_office.mail_kind == MailKind.AUTO_REPLY
    assert bulk.mail_kind == MailKind.AUTO_REPLY
    assert "automatic message" in out_of_office.ack_note
    assert "platform itself" in ours.ack_note
    assert acks() == []


def test_it_limits_acknowledgements_per_sender() -> None:
    reports = [receive_email(build_mail()) for _ in range(6)]
    assert len(acks()) == 5
    assert reports[-1].ack_note == "not acknowledged: acknowledgement limit per hour reached"
    assert Report.objects.count() == 6


def test_it_marks_the_original_bounced_from_a_delivery_status_notification() -> None:
    sent = queue_email(to="gone@nic.xb.example", subject="Warning", body="x", category="test")
    OutboundMessage.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT)
    dsn = (
        "From: MAILER-DAEMON@mx.example\r\nTo: cert@dnscert.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        "Final-Recipient: rfc822; gone@nic.xb.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {sent.message_id}\r\nSubject: Warning\r\n"
        "--b--\r\n"
    ).encode()
    report = receive_email(dsn, mail_from="")

    sent.refresh_from_db()
    assert sent.status == MessageStatus.BOUNCED
    assert "5.1.1" in sent.last_error
    assert report.mail_kind == MailKind.BOUNCE
    assert report.status == ReportStatus.REJECTED
    assert acks() == []
