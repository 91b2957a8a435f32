"""Outbound messages: one row per e-mail or webhook call, with its status and attempts."""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP
from dnscert.delivery.choices import Channel, MessageStatus


class OutboundMessage(models.Model):
    """One message to one recipient (an e-mail address or a webhook URL).

    ``about`` is the object the message is about (an incident, a page, an advisory), so each
    app can show what was sent about its objects. What is needed to (re)build the message is
    kept here: bodies, headers, attachments, payload, and for webhooks the HMAC secret.
    """

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.CharField(
        _("category"), max_length=60, help_text=_("what kind of message, e.g. incident.notify")
    )
    recipient = models.CharField(_("recipient"), max_length=2000)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    body = models.TextField(_("body"), blank=True)
    html = models.TextField(_("HTML body"), blank=True)
    tlp = models.CharField(_("TLP"), max_length=12, choices=TLP.choices, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    reply_to = models.CharField(_("reply-to"), max_length=254, blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    attachments = models.JSONField(
        _("attachments"), default=list, blank=True, help_text=_("[filename, mime type, base64]")
    )
    payload = models.JSONField(_("webhook payload"), null=True, blank=True)
    secret = models.CharField(_("webhook secret"), max_length=200, blank=True)
    recipient_key = models.TextField(_("recipient public key"), blank=True)

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MessageStatus.choices,
        default=MessageStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_status_code = models.PositiveIntegerField(_("last status code"), null=True, blank=True)
    signed = models.BooleanField(_("signed"), default=False)
    encrypted = models.BooleanField(_("encrypted"), default=False)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=32, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)

    about_type = models.ForeignKey(
        ContentType,
        verbose_name=_("about (type)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    about_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    about = GenericForeignKey("about_type", "about_id")

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["about_type", "about_id"], name="delivery_about_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient_display} ({self.status})"

    @property
    def recipient_display(self) -> str:
        """The recipient, with any query string of a webhook URL hidden (it may hold tokens)."""
        if self.channel == Channel.WEBHOOK:
            return self.recipient.split("?", 1)[0]
        return self.recipient

    @property
    def is_failure(self) -> bool:
        """True when the message will not arrive (failed or bounced)."""
        return self.status in (MessageStatus.FAILED, MessageStatus.BOUNCED)
