"""The SMTP listener end to end: a real aiosmtpd listener on 127.0.0.1, mail sent with
smtplib, the report stored, and the acknowledgement received by the ``smtp_server`` fixture."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from dnscert.core.jobs import run_pending
from dnscert.incidents.intake import smtp
from dnscert.incidents.intake.choices import Channel, MailKind, ReportStatus
from dnscert.incidents.intake.models import Report
from tests.conftest import LOOPBACK, find_free_port
from tests.incidents.intake.conftest import INTAKE_ADDRESS, mail

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listener(settings: Any) -> Iterator[Controller]:
    """The intake listener, accepting only the intake address, capped at 200 kB."""
    settings.DNSCERT_INTAKE_SMTP_RECIPIENTS = [INTAKE_ADDRESS]
    settings.DNSCERT_INTAKE_MAX_MESSAGE_BYTES = 200_000
    controller = smtp.controller(LOOPBACK, find_free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def send(
    listener: Controller, raw: bytes, to: str = INTAKE_ADDRESS, sender: str = "alice@example.net"
) -> tuple[int, bytes]:
    with smtplib.SMTP(LOOPBACK, listener.port, timeout=10) as client:
        client.ehlo("reporter.example")
        client.mail(sender)
        code, text = client.rcpt(to)
        if code != 250:
            return code, text
        return client.data(raw)


def test_it_stores_a_message_sent_over_smtp_and_acknowledges_it(
    listener: Controller, smtp_server: Any
) -> None:
    code, text = send(listener, mail(subject="Open resolver at 192.0.2.53"))

    assert code == 250
    report = Report.objects.get()
    assert f"Accepted as {report.reference}".encode() in text
    assert report.channel == Channel.EMAIL
    assert report.status == ReportStatus.NEW
    assert report.subject == "Open resolver at 192.0.2.53"
    assert str(report.source_ip) == LOOPBACK

    run_pending()
    [ack] = smtp_server.wait_for(1)
    assert report.reference in ack["Subject"]
    assert smtp_server.received[0].rcpt_tos == ["alice@example.net"]


def test_it_never_answers_a_message_from_the_null_sender(listener: Controller) -> None:
    code, _text = send(listener, mail(subject="Warning: message delayed"), sender="")
    assert code == 250
    report = Report.objects.get()
    assert report.mail_kind == MailKind.BOUNCE
    assert report.acknowledged_at is None
    assert "automatic message" in report.ack_note


def test_it_refuses_other_recipients_and_oversized_messages(listener: Controller) -> None:
    code, _ = send(listener, mail(), to="postmaster@elsewhere.example")
    assert code == 550
    huge = mail(attachments=[("big.bin", b"\0" * 300_000, "application/octet-stream")])
    code, _text = send(listener, huge)
    assert code == 552
    assert not Report.objects.exists()


def test_it_answers_451_when_the_message_cannot_be_stored() -> None:
    def unavailable(raw: bytes, **kwargs: Any) -> Report:
        raise ConnectionError("database unavailable")

    controller = Controller(
        smtp.IntakeHandler(receive=unavailable), hostname=LOOPBACK, port=find_free_port()
    )
    controller.start()
    try:
        code, text = send(controller, mail())
    finally:
        controller.stop()
    assert code == 451
    assert b"try again later" in text
