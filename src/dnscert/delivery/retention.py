"""Delivery history retention: delete sent, failed and bounced messages past their age.

A message is old when it was created, sent and bounced (whichever it was) before the cutoff,
so a late bounce keeps it for another full period. Queued (pending) and retrying messages are
never deleted. Deletion goes in batches by primary key, one short transaction each, loading
only ids, so memory and lock time stay bounded however large the history. Rows that point at
a message (a drill probe, a warning delivery) keep their own data: their link is set to NULL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.delivery.choices import MessageStatus
from dnscert.delivery.models import OutboundMessage

#: Statuses whose messages are history: delivered, or given up on.
PRUNABLE_STATUSES = (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.BOUNCED)
#: Messages deleted per transaction.
BATCH_SIZE = 500
_MODEL_LABEL = OutboundMessage._meta.label


@dataclass(frozen=True)
class Group:
    """How many messages of one status, channel and category are (or were) old."""

    status: str
    channel: str
    category: str
    count: int


@dataclass
class PruneResult:
    """What one pruning found, and (unless a dry run) deleted per status."""

    days: int
    cutoff: datetime
    dry_run: bool
    groups: list[Group] = field(default_factory=list)
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def found(self) -> int:
        """Old messages found before deleting."""
        return sum(group.count for group in self.groups)

    @property
    def total_deleted(self) -> int:
        """Messages actually deleted."""
        return sum(self.deleted.values())


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    """The instant before which a message is old; ``days`` must be at least 1."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InvalidInput("days", f"must be a whole number of days, at least 1, got {days!r}")
    return (now or timezone.now()) - timedelta(days=days)


def old_messages(cutoff: datetime) -> QuerySet[OutboundMessage]:
    """Sent, failed and bounced messages nothing happened to since ``cutoff``."""
    return OutboundMessage.objects.filter(
        Q(sent_at__isnull=True) | Q(sent_at__lt=cutoff),
        Q(bounced_at__isnull=True) | Q(bounced_at__lt=cutoff),
        status__in=PRUNABLE_STATUSES,
        created_at__lt=cutoff,
    )


def prune(
    days: int,
    *,
    by: Any = None,
    dry_run: bool = False,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> PruneResult:
    """Delete the messages older than ``days`` (or only count them with ``dry_run``).

    A real pruning writes one audit event with the count per status, even when it is zero.
    """
    if batch_size < 1:
        raise InvalidInput("batch_size", f"must be at least 1, got {batch_size}")
    result = PruneResult(days=days, cutoff=cutoff_for(days, now), dry_run=dry_run)
    result.groups = _groups(old_messages(result.cutoff))
    if dry_run:
        return result
    for status in PRUNABLE_STATUSES:
        result.deleted[status] = _delete_in_batches(result.cutoff, status, batch_size)
    audit.record(
        by,
        audit.Action.DELETE,
        object_repr=f"outbound messages older than {days} days",
        changes={
            "deleted": result.total_deleted,
            "by_status": result.deleted,
            "before": result.cutoff.isoformat(),
        },
    )
    return result


def _groups(messages: QuerySet[OutboundMessage]) -> list[Group]:
    rows = (
        messages.values("status", "channel", "category")
        .annotate(count=Count("id"))
        .order_by("status", "channel", "category")
    )
    return [Group(row["status"], row["channel"], row["category"], row["count"]) for row in rows]


def _delete_in_batches(cutoff: datetime, status: str, batch_size: int) -> int:
    deleted, last_id = 0, 0
    while True:
        candidates = old_messages(cutoff).filter(status=status, id__gt=last_id).order_by("id")
        ids = list(candidates.values_list("id", flat=True)[:batch_size])
        if not ids:
            return deleted
        last_id = ids[-1]
        with transaction.atomic():
            # Filtered again: a message retried meanwhile is no longer old, and stays.
            batch = old_messages(cutoff).filter(status=status, id__in=ids).only("id")
            deleted += batch.delete()[1].get(_MODEL_LABEL, 0)
