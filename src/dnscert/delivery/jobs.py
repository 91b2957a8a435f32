"""Background jobs of delivery: send queued messages, retry failed ones when due, and prune
the delivery history past its retention."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from dnscert.core.jobs import daily, every, job
from dnscert.delivery import batching, conf, retention, sending
from dnscert.delivery.choices import MessageStatus
from dnscert.delivery.models import OutboundMessage

#: A pending message whose send job has not picked it up after this long is sent by retry.
STALE_PENDING = timedelta(minutes=5)


@job("delivery.send", max_attempts=1)
def send(*, message_ids: list[int]) -> dict[str, int]:
    """Send the given messages (those still due); failures are retried by ``delivery.retry``."""
    return sending.send_messages(message_ids).as_dict()


@job("delivery.retry", schedule=every(minutes=1))
def retry() -> dict[str, int]:
    """Hand every message due for another attempt to new send jobs."""
    now = timezone.now()
    due = OutboundMessage.objects.filter(
        Q(status=MessageStatus.RETRYING, next_attempt_at__lte=now)
        | Q(status=MessageStatus.PENDING, created_at__lt=now - STALE_PENDING),
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
    )
    ids = list(due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:10_000])
    batching.schedule_send(ids)
    return {"scheduled": len(ids)}


@job("delivery.prune", schedule=daily(hour=2, minute=47))
def prune(*, retention_days: int | None = None) -> dict[str, int]:
    """Delete sent, failed and bounced messages older than ``DNSCERT_DELIVERY_RETENTION_DAYS``
    (0: keep them forever); the count goes to the audit log."""
    days = retention_days if retention_days is not None else conf.retention_days()
    if days == 0:
        return {"deleted": 0, "retention_days": 0}
    result = retention.prune(days)
    return {"deleted": result.total_deleted, "retention_days": days}
