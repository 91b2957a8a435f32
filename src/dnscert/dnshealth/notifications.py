"""E-mail about new signals to the owning organisation's 24x7 contacts and to the staff.

:func:`notify_signal` records one :class:`Notification` per recipient (pending) and enqueues
``dnshealth.deliver_notifications``, which runs after the transaction commits. Each e-mail is
rendered in the recipient's language when a template exists (``signal_body.<lang>.txt``,
English otherwise) and sent through Django's e-mail API; a failure is stored on the
notification (status, attempts, error) and ``dnshealth.retry_notifications`` tries again.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from dnscert.core.choices import Role
from dnscert.core.jobs import enqueue
from dnscert.directory.lookups import contacts_24x7
from dnscert.dnshealth.choices import DeliveryStatus
from dnscert.dnshealth.models import Notification, Signal
from dnscert.dnshealth.signals import summary_of

logger = logging.getLogger(__name__)

#: A failed notification is retried until it has been attempted this many times.
MAX_ATTEMPTS = 5
DEFAULT_LANGUAGE = "en"
_TEMPLATE_DIR = "dnshealth/email"


def recipients_for(signal: Signal) -> list[dict[str, Any]]:
    """``{"email", "language", "contact", "user"}`` of everyone to tell, each address once."""
    found: dict[str, dict[str, Any]] = {}
    for contact in contacts_24x7(signal.organisation):
        found.setdefault(
            contact.email.lower(),
            {
                "email": contact.email,
                "language": contact.preferred_language,
                "contact": contact,
                "user": None,
            },
        )
    staff = get_user_model().objects.filter(role=Role.STAFF, is_active=True).exclude(email="")
    for user in staff.order_by("username"):
        found.setdefault(
            user.email.lower(),
            {"email": user.email, "language": user.language, "contact": None, "user": user},
        )
    return list(found.values())


def notify_signal(signal: Signal) -> list[Notification]:
    """Record the e-mails about ``signal`` and send them once the transaction commits."""
    notifications = [
        Notification.objects.create(signal=signal, **recipient)
        for recipient in recipients_for(signal)
    ]
    if notifications:
        enqueue(
            "dnshealth.deliver_notifications",
            notification_ids=[notification.pk for notification in notifications],
        )
    return notifications


def _language(code: str) -> str:
    """``code`` when a body template exists in that language, else English."""
    short = (code or DEFAULT_LANGUAGE).split("-")[0].lower()
    try:
        get_template(f"{_TEMPLATE_DIR}/signal_body.{short}.txt")
    except TemplateDoesNotExist:
        return DEFAULT_LANGUAGE
    return short


def _link(signal: Signal) -> str:
    """The dashboard page of the signal's zone (or of its name server host)."""
    target = signal.target
    try:
        if target.is_zone:
            path = reverse("dnshealth:zone", kwargs={"name": target.name})
        else:
            path = reverse("dnshealth:target", kwargs={"pk": target.pk})
    except NoReverseMatch:  # the dashboard is not installed in this deployment
        path = "/"
    return f"{settings.SITE_URL}{path}"


def render(notification: Notification) -> tuple[str, str]:
    """(subject, body) of a notification, in its recipient's language."""
    signal = notification.signal
    language = _language(notification.language)
    context = {
        "signal": signal,
        "target": signal.target,
        "details": signal.details,
        "change": signal.delegation_change,
        "link": _link(signal),
        "site_name": settings.SITE_NAME,
    }
    with translation.override(language):
        context["summary"] = summary_of(signal)
        subject = render_to_string(f"{_TEMPLATE_DIR}/signal_subject.{language}.txt", context)
        body = render_to_string(f"{_TEMPLATE_DIR}/signal_body.{language}.txt", context)
    return " ".join(subject.split())[:200], body


def deliver(notification: Notification) -> bool:
    """Send one notification now; record the outcome and return whether it was sent."""
    Notification.objects.filter(pk=notification.pk).update(attempts=F("attempts") + 1)
    try:
        subject, body = render(notification)
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.email]).send()
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("notification %s to %s failed: %s", notification.pk, notification.email, exc)
        Notification.objects.filter(pk=notification.pk).update(
            status=DeliveryStatus.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    Notification.objects.filter(pk=notification.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def deliver_many(notification_ids: Iterable[int]) -> dict[str, int]:
    """Send the pending or failed notifications among ``notification_ids``."""
    sendable = Notification.objects.filter(
        pk__in=list(notification_ids),
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
    ).select_related("signal__target", "signal__organisation", "signal__delegation_change")
    counts = {"sent": 0, "failed": 0}
    for notification in sendable.order_by("pk"):
        counts["sent" if deliver(notification) else "failed"] += 1
    return counts


def retry_failed() -> dict[str, int]:
    """Send again every failed notification with attempts left (and stale pending ones)."""
    stale = timezone.now() - timedelta(minutes=10)
    failed = Notification.objects.filter(status=DeliveryStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
    pending = Notification.objects.filter(status=DeliveryStatus.PENDING, created__lt=stale)
    ids = list(failed.values_list("pk", flat=True)) + list(pending.values_list("pk", flat=True))
    return deliver_many(ids)
