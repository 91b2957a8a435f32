"""The messages a page sends: one e-mail per person (in their language, with the
acknowledgement link and the page token in the subject) and one signed webhook post per rota
involved. Each is queued through :mod:`dnscert.delivery.services` and recorded as a
:class:`~dnscert.directory.oncall.models.PageNotification`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from dnscert.delivery.services import queue_email, queue_webhook, render_email
from dnscert.directory.oncall.choices import Channel, Level
from dnscert.directory.oncall.models import Page, PageNotification, Rota

EMAIL_TEMPLATE = "oncall/email/page"
CATEGORY = "oncall.page"


def absolute(path: str) -> str:
    """``path`` on the platform's public address (``DNSCERT_SITE_URL``)."""
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


def acknowledge_url(page: Page) -> str:
    """The link that acknowledges ``page``; the token alone is enough, no sign-in needed."""
    return absolute(reverse("oncall:ack", args=[page.token]))


def send_level(page: Page, recipients: list[Any], *, now: datetime) -> list[PageNotification]:
    """E-mail every recipient and post the webhooks of the rotas involved at this level."""
    sent = [_email(page, user, now) for user in recipients if user.email]
    for rota in _webhook_rotas(page):
        sent.append(_webhook(page, rota, recipients, now))
    return sent


def _email(page: Page, user: Any, now: datetime) -> PageNotification:
    context = {
        "page": page,
        "user": user,
        "level": Level(page.level).label,
        "acknowledge_url": acknowledge_url(page),
        "page_url": absolute(reverse("oncall:page-detail", args=[page.pk])),
        "url": absolute(page.url) if page.url else "",
        "token": page.token_label,
    }
    subject, body = render_email(EMAIL_TEMPLATE, context, user.language or "en")
    if page.token_label not in subject:
        subject = f"{subject} [{page.token_label}]"
    headers = {"X-DNSCERT-Page": page.token_label}
    if page.reference:
        headers["X-DNSCERT-Ref"] = page.reference
    message = queue_email(
        to=user.email,
        subject=subject,
        body=body,
        category=CATEGORY,
        language=user.language or "en",
        about=page,
        headers=headers,
    )
    return PageNotification.objects.create(
        page=page,
        level=page.level,
        user=user,
        channel=Channel.EMAIL,
        recipient=user.email,
        outbound_id=message.pk,
        sent_at=now,
    )


def _webhook_rotas(page: Page) -> list[Rota]:
    rotas = [page.rota] if page.rota is not None else []
    policy = page.rota.policy if page.rota is not None else None
    if page.level == Level.BACKUP and policy is not None and policy.backup_rota is not None:
        rotas.append(policy.backup_rota)
    return [rota for rota in rotas if rota.webhook_url and rota.webhook_secret]


def webhook_payload(page: Page, recipients: list[Any]) -> dict[str, Any]:
    """The JSON body posted to chat and SMS gateways."""
    return {
        "event": "oncall.page",
        "page": page.pk,
        "token": page.token_label,
        "subject": page.subject,
        "severity": page.severity,
        "reference": page.reference,
        "level": page.level,
        "level_label": str(Level(page.level).label),
        "status": page.status,
        "nobody_on_call": page.nobody_on_call,
        "url": absolute(page.url) if page.url else "",
        "acknowledge_url": acknowledge_url(page),
        "paged": [user.get_username() for user in recipients],
        "created_at": page.created_at.isoformat(),
    }


def _webhook(page: Page, rota: Rota, recipients: list[Any], now: datetime) -> PageNotification:
    message = queue_webhook(
        url=rota.webhook_url,
        payload=webhook_payload(page, recipients),
        secret=rota.webhook_secret,
        category=CATEGORY,
        about=page,
    )
    return PageNotification.objects.create(
        page=page,
        level=page.level,
        channel=Channel.WEBHOOK,
        recipient=rota.webhook_url,
        outbound_id=message.pk,
        sent_at=now,
    )
