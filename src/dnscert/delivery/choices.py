"""Enumerations of outbound delivery, declared once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a message travels."""

    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class MessageStatus(models.TextChoices):
    """Where a message is in its life: queued, delivered, being retried or given up on."""

    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


#: Statuses a send job may still act on.
SENDABLE_STATUSES = (MessageStatus.PENDING, MessageStatus.RETRYING)
