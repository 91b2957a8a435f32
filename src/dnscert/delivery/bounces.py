"""Bounces: mark a sent e-mail as bounced when a delivery status notification names it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.delivery.choices import Channel, MessageStatus
from dnscert.delivery.models import OutboundMessage


def record_bounce(reference: str, reason: str) -> OutboundMessage | None:
    """Mark the e-mail named by ``reference`` as bounced and return it (None if unknown).

    ``reference`` is the Message-ID of the original e-mail (with or without angle brackets)
    or, when the bounce does not quote it, the recipient address: then the latest e-mail sent
    to that address is the one marked.
    """
    text = (reference or "").strip()
    if not text:
        raise InvalidInput("reference", "give the Message-ID or the recipient address")
    message = _find(text)
    if message is None:
        return None
    with transaction.atomic():
        before = message.status
        message.status = MessageStatus.BOUNCED
        message.bounced_at = timezone.now()
        message.last_error = f"bounced: {reason}"[:4000]
        message.locked_until = None
        message.save(update_fields=["status", "bounced_at", "last_error", "locked_until"])
        audit.record(
            None,
            audit.Action.UPDATE,
            message,
            changes={"status": [before, message.status], "reason": reason[:300]},
        )
    return message


def _find(reference: str) -> OutboundMessage | None:
    emails = OutboundMessage.objects.filter(channel=Channel.EMAIL)
    bare = reference.strip("<>")
    by_id = emails.filter(message_id=f"<{bare}>").first()
    if by_id is not None:
        return by_id
    if "@" in bare and " " not in bare:
        return (
            emails.filter(recipient__iexact=bare, status=MessageStatus.SENT)
            .order_by("-sent_at", "-id")
            .first()
        )
    return None
