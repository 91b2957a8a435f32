"""Follow-up of unacknowledged warnings: a reminder after some hours, then staff are told.

Only warnings of at least :data:`FOLLOW_UP_MIN_SEVERITY` are followed up (an informational
"zone recovered" needs no acknowledgement). Hours come from ``conf``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from dnscert.advisories.warnings import conf, content, services
from dnscert.advisories.warnings.choices import FollowUpStage, WarningStatus, severity_rank
from dnscert.advisories.warnings.models import Warning
from dnscert.core import audit
from dnscert.core.choices import Role, Severity
from dnscert.delivery.services import queue_email, render_email

FOLLOW_UP_MIN_SEVERITY = Severity.MEDIUM
FLAG_TEMPLATE = "warnings/email/flagged"


def _followed_up() -> QuerySet[Warning]:
    severities = [
        s for s in Severity.values if severity_rank(s) >= severity_rank(FOLLOW_UP_MIN_SEVERITY)
    ]
    return Warning.objects.filter(
        status=WarningStatus.SENT, acknowledged_at=None, severity__in=severities
    ).select_related("organisation")


def due_reminders(now: datetime) -> QuerySet[Warning]:
    """Sent, unacknowledged warnings past the reminder delay and not reminded yet."""
    before = now - timedelta(hours=conf.remind_after_hours())
    return _followed_up().filter(follow_up=FollowUpStage.NONE, sent_at__lte=before)


def due_flags(now: datetime) -> QuerySet[Warning]:
    """Reminded warnings still unacknowledged past the staff delay."""
    before = now - timedelta(hours=conf.flag_after_hours())
    return _followed_up().filter(follow_up=FollowUpStage.REMINDED, reminded_at__lte=before)


def remind(warning: Warning) -> Warning:
    """Send the reminder on the warning's channels and record it."""
    with transaction.atomic():
        services.deliver(warning, purpose=content.PURPOSE_REMINDER)
        warning.follow_up = FollowUpStage.REMINDED
        warning.reminded_at = timezone.now()
        warning.save(update_fields=["follow_up", "reminded_at"])
        audit.record(None, audit.Action.STATE, warning, changes={"follow_up": ["none", "reminded"]})
    return warning


def flag(warning: Warning) -> Warning:
    """Tell the staff that ``warning`` is still unacknowledged after the reminder."""
    with transaction.atomic():
        _mail_staff(warning)
        warning.follow_up = FollowUpStage.FLAGGED
        warning.flagged_at = timezone.now()
        warning.save(update_fields=["follow_up", "flagged_at"])
        audit.record(
            None, audit.Action.STATE, warning, changes={"follow_up": ["reminded", "flagged"]}
        )
    return warning


def _mail_staff(warning: Warning) -> None:
    url = content.absolute(reverse("warnings:detail", args=[warning.reference]))
    staff = get_user_model().objects.filter(role=Role.STAFF, is_active=True).exclude(email="")
    for user in staff.order_by("username"):
        subject, body = render_email(FLAG_TEMPLATE, {"warning": warning, "url": url}, user.language)
        queue_email(
            to=user.email,
            subject=subject,
            body=body,
            category="warnings.flagged",
            tlp=warning.tlp,
            language=user.language,
            about=warning,
            headers={"X-DNSCERT-Ref": warning.reference},
        )


def follow_up(now: datetime | None = None) -> dict[str, int]:
    """Send due reminders and flag due warnings to staff; return the counts."""
    now = now or timezone.now()
    flagged = [flag(warning) for warning in due_flags(now)]  # before: a reminder sent now waits
    reminded = [remind(warning) for warning in due_reminders(now)]
    return {"reminded": len(reminded), "flagged": len(flagged)}
