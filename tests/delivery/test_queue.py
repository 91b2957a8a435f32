"""The queue: batching after commit, retries with backoff, giving up, bounces, status per object."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dnscert.core.jobs import run_pending
from dnscert.core.models import AuditEvent, JobRun
from dnscert.delivery import jobs, sending
from dnscert.delivery.bounces import record_bounce
from dnscert.delivery.choices import MessageStatus
from dnscert.delivery.models import OutboundMessage
from dnscert.delivery.services import messages_about, queue_email, queue_emails, retry_now
from tests.conftest import find_free_port
from tests.personas import make_org, staff

pytestmark = pytest.mark.django_db


def _queue(to: str = "noc@registry.example", **fields: Any) -> OutboundMessage:
    values = {"subject": "Notice", "body": "Body", "category": "test.notice", "sign": False}
    return queue_email(to=to, **{**values, **fields})


def _smtp_down(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = find_free_port()  # nobody listens there
    settings.EMAIL_TIMEOUT = 2


def _age(message: OutboundMessage) -> None:
    """Make ``message`` due now, as if its backoff had passed."""
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_it_queues_in_the_callers_transaction_and_sends_after(smtp_server: Any) -> None:
    message = _queue()

    assert message.status == MessageStatus.PENDING and smtp_server.received == []
    run_pending()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1
    assert message.sent_at is not None and len(smtp_server.wait_for(1)) == 1


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(smtp_server: Any) -> None:
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("the caller failed")
    _queue(to="after@registry.example")
    run_pending()

    assert [m.recipient for m in OutboundMessage.objects.all()] == ["after@registry.example"]
    assert [r.rcpt_tos for r in smtp_server.received] == [["after@registry.example"]]


def test_it_batches_many_messages_queued_together(smtp_server: Any, settings: Any) -> None:
    settings.DNSCERT_DELIVERY_BATCH_SIZE = 20
    for number in range(45):
        _queue(to=f"noc{number}@registry.example")
    queue_emails(recipients=[f"bulk{n}@registry.example" for n in range(30)], subject="s",
                 body="b", category="test.bulk", sign=False)  # fmt: skip

    runs = JobRun.objects.filter(name="delivery.send")
    assert runs.count() == 4  # 75 messages in batches of 20
    assert sorted(len(run.kwargs["message_ids"]) for run in runs) == [15, 20, 20, 20]
    run_pending()
    assert OutboundMessage.objects.filter(status=MessageStatus.SENT).count() == 75
    assert len(smtp_server.wait_for(75)) == 75


def test_it_never_sends_a_message_twice(smtp_server: Any) -> None:
    message = _queue()
    run_pending()
    sending.send_messages([message.pk])

    assert len(smtp_server.wait_for(1)) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_it_retries_with_exponential_backoff_then_gives_up(settings: Any) -> None:
    _smtp_down(settings)
    message = _queue()
    run_pending()

    message.refresh_from_db()
    assert message.status == MessageStatus.RETRYING and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    first_wait = message.next_attempt_at - timezone.now()
    assert timedelta(seconds=55) < first_wait <= timedelta(seconds=60)

    assert jobs.retry() == {"scheduled": 0}  # not due yet
    _age(message)
    assert jobs.retry() == {"scheduled": 1}
    run_pending()
    message.refresh_from_db()
    second_wait = message.next_attempt_at - timezone.now()
    assert message.attempts == 2 and timedelta(seconds=115) < second_wait <= timedelta(seconds=120)

    _age(message)
    jobs.retry()
    run_pending()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == 3
    assert AuditEvent.objects.filter(
        object_id=str(message.pk), object_type="delivery.outboundmessage"
    )
    _age(message)
    assert jobs.retry() == {"scheduled": 0}


def test_backoff_doubles_and_is_capped(settings: Any) -> None:
    settings.DNSCERT_DELIVERY_RETRY_DELAY = 60
    assert [sending.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert sending.backoff(30) == sending.MAX_BACKOFF


def test_a_refused_recipient_fails_at_once(smtp_server: Any, settings: Any) -> None:
    async def refuse(server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return "550 5.1.1 no such mailbox"

    smtp_server.handle_RCPT = refuse
    message = _queue()
    run_pending()

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "550" in message.last_error


def test_retry_now_sends_a_failed_message_again(smtp_server: Any) -> None:
    message = _queue()
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=3, next_attempt_at=timezone.now() + timedelta(days=1)
    )
    analyst = staff()

    retry_now(message, by=analyst)
    run_pending()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 4
    assert AuditEvent.objects.filter(actor=analyst, object_id=str(message.pk)).exists()


def test_a_stuck_pending_message_is_picked_up_by_retry(smtp_server: Any) -> None:
    message = _queue()
    JobRun.objects.filter(name="delivery.send").delete()  # the send job was lost
    OutboundMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )

    assert jobs.retry() == {"scheduled": 1}
    run_pending()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_record_bounce_by_message_id_and_by_recipient(smtp_server: Any) -> None:
    first = _queue(to="gone@registry.example")
    second = _queue(to="old@registry.example")
    run_pending()

    assert record_bounce(first.message_id.strip("<>"), "550 user unknown") == first
    assert record_bounce("OLD@registry.example", "mailbox full") == second
    first.refresh_from_db()
    assert first.status == MessageStatus.BOUNCED and first.bounced_at is not None
    assert "550 user unknown" in first.last_error
    assert record_bounce("<unknown@dnscert.example>", "x") is None
    with pytest.raises(ValueError, match="reference"):
        record_bounce("  ", "x")


def test_messages_about_lists_what_was_sent_about_an_object(smtp_server: Any) -> None:
    organisation, other = make_org(), make_org()
    sent = _queue(about=organisation)
    _queue(about=other)
    _queue()
    run_pending()

    rows = list(messages_about(organisation))
    assert rows == [sent] and rows[0].status == MessageStatus.SENT
    assert rows[0].about == organisation


def test_it_refuses_an_unsaved_about_object() -> None:
    from dnscert.directory.models import Organisation

    with pytest.raises(ValueError, match="about"):
        _queue(about=Organisation(name="unsaved"))


def test_the_command_sends_a_signed_test_email_and_reports(smtp_server: Any) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("delivery", "test-email", "noc@registry.example", "--language", "fr", stdout=out)
    run_pending()
    call_command("delivery", "status", stdout=out)
    call_command("delivery", "key", stdout=out)

    received = smtp_server.wait_for(1)[0]
    assert received["Subject"].startswith("Message de test")
    assert received.get_content_type() == "multipart/signed"
    assert "sent\t1" in out.getvalue() and "BEGIN PGP PUBLIC KEY BLOCK" in out.getvalue()
    with pytest.raises(CommandError, match="to:"):
        call_command("delivery", "test-email", "not-an-address", stdout=out)
    with pytest.raises(CommandError, match="message_id"):
        call_command("delivery", "retry", "999999", stdout=out)
