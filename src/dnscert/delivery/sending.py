"""Send claimed messages: e-mails over one SMTP connection per batch, webhooks over HTTP.

A batch first claims its messages (a lease in ``locked_until``) so two workers never send the
same message; each outcome is then written back: sent, retrying with backoff, or failed.
"""

from __future__ import annotations

import contextlib
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.http import OutboundHTTPError
from dnscert.delivery import conf, emails, webhooks
from dnscert.delivery.choices import SENDABLE_STATUSES, Channel, MessageStatus
from dnscert.delivery.models import OutboundMessage
from dnscert.delivery.pgp import PGPError

#: How long a batch owns its messages before another worker may take them over.
LEASE = timedelta(minutes=15)
#: Longest wait between two attempts.
MAX_BACKOFF = timedelta(hours=6)
_MAX_ERROR_CHARS = 4000


class PermanentFailure(Exception):
    """An error that retrying cannot fix (refused recipient, bad key, 4xx from a webhook)."""


@dataclass
class Outcome:
    """What happened to a batch: ids sent, retrying, failed."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"sent": len(self.sent), "retrying": len(self.retrying), "failed": len(self.failed)}


def send_messages(message_ids: Iterable[int]) -> Outcome:
    """Claim and send the given messages that are due; return what happened."""
    messages = claim(message_ids)
    outcome = Outcome()
    emails_ = [m for m in messages if m.channel == Channel.EMAIL]
    hooks = [m for m in messages if m.channel == Channel.WEBHOOK]
    if emails_:
        _send_emails(emails_, outcome)
    for message in hooks:
        _attempt(message, webhooks.send_webhook, outcome)
    _mark_sent(outcome.sent)
    return outcome


def claim(message_ids: Iterable[int]) -> list[OutboundMessage]:
    """Lease the due, sendable messages among ``message_ids``; return those now ours."""
    now = timezone.now()
    ids = list(message_ids)
    due = Q(pk__in=ids, status__in=SENDABLE_STATUSES, next_attempt_at__lte=now) & (
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )
    lease, token = now + LEASE, uuid.uuid4().hex
    with transaction.atomic():
        OutboundMessage.objects.filter(due).update(locked_until=lease, claimed_by=token)
        claimed = OutboundMessage.objects.filter(pk__in=ids, claimed_by=token)
        return list(claimed.order_by("id"))


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt after ``attempts`` failed ones: base * 2^(attempts-1)."""
    seconds = conf.retry_delay() * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def _send_emails(messages: list[OutboundMessage], outcome: Outcome) -> None:
    connection = get_connection(fail_silently=False)
    try:
        for message in messages:
            _attempt(message, lambda m: emails.send_email(m, connection), outcome)
    finally:
        with contextlib.suppress(OSError):  # closing a dead connection may fail; nothing lost
            connection.close()


def _attempt(message: OutboundMessage, send: Any, outcome: Outcome) -> None:
    try:
        send(message)
    except (PermanentFailure, PGPError) as exc:
        _record_failure(message, str(exc), True, outcome)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        permanent = all(code >= 500 for code in codes)
        _record_failure(message, f"recipient refused: {exc.recipients}", permanent, outcome)
    except OutboundHTTPError as exc:
        _record_failure(message, str(exc), False, outcome, status_code=exc.status)
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        _record_failure(message, f"{type(exc).__name__}: {exc}", False, outcome)
    else:
        outcome.sent.append(message.pk)


def _mark_sent(ids: list[int]) -> None:
    if ids:
        OutboundMessage.objects.filter(pk__in=ids).update(
            status=MessageStatus.SENT,
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            last_error="",
            locked_until=None,
        )


def _record_failure(
    message: OutboundMessage,
    error: str,
    permanent: bool,
    outcome: Outcome,
    *,
    status_code: int | None = None,
) -> None:
    attempts = message.attempts + 1
    give_up = permanent or attempts >= conf.max_attempts()
    status = MessageStatus.FAILED if give_up else MessageStatus.RETRYING
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=status,
        attempts=attempts,
        last_error=error[:_MAX_ERROR_CHARS],
        last_status_code=status_code,
        next_attempt_at=timezone.now() + backoff(attempts),
        locked_until=None,
    )
    (outcome.failed if give_up else outcome.retrying).append(message.pk)
    if give_up:
        message.status, message.attempts = status, attempts
        audit.record(
            None,
            audit.Action.UPDATE,
            message,
            changes={"status": [MessageStatus.RETRYING, status], "error": error[:300]},
        )
