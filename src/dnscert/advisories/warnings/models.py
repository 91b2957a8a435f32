"""Watch and warning: subscriptions, rule settings, warnings and their deliveries."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.advisories.warnings.choices import (
    AckVia,
    ChannelKind,
    FollowUpStage,
    WarningKind,
    WarningStatus,
)
from dnscert.core.choices import Severity
from dnscert.core.models import Shareable


def new_token() -> str:
    """An unguessable token for links and feed URLs (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


class Subscription(models.Model):
    """What an organisation (set up by its members) or a team member wants to receive, and how.

    Empty ``kinds``, ``tlds`` or ``products`` mean "any". The e-mail channel goes to ``email``
    when given, else to the organisation's 24x7 contacts (or the user's own address); the
    webhook channel POSTs to ``webhook_url`` signed with ``webhook_secret``; the Atom channel
    lists the matching warnings at a private URL carrying ``feed_token``.
    """

    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="warning_subscriptions",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="warning_subscriptions",
    )
    name = models.CharField(_("name"), max_length=100)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    tlds = models.JSONField(_("TLDs"), default=list, blank=True)
    products = models.ManyToManyField(
        "directory.Product", verbose_name=_("products"), blank=True, related_name="+"
    )
    min_severity = models.CharField(
        _("minimum severity"), max_length=10, choices=Severity.choices, default=Severity.INFO
    )
    channels = models.JSONField(_("channels"), default=list)
    email = models.EmailField(_("e-mail"), blank=True)
    webhook_url = models.URLField(_("webhook URL"), max_length=2000, blank=True)
    webhook_secret = models.CharField(_("webhook secret"), max_length=200, blank=True)
    feed_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["organisation__name", "name", "id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(user__isnull=False),
                name="warnings_subscription_has_owner",
            )
        ]

    def __str__(self) -> str:
        owner = self.organisation or self.user
        return f"{self.name} ({owner})"


class RuleSetting(models.Model):
    """Staff settings of one warning rule declared in code (see ``rules.py``)."""

    rule = models.CharField(_("rule"), max_length=64, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    review_required = models.BooleanField(_("staff review required"), default=False)
    rate_limit = models.PositiveIntegerField(
        _("rate limit (warnings per organisation per hour)"), default=10
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["rule"]
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")

    def __str__(self) -> str:
        return self.rule


class Warning(Shareable):
    """A targeted warning to one organisation, raised by a rule from a signal.

    The organisation is also a recipient organisation (so its members see the warning under
    the TLP rule). ``dedupe_key`` identifies the condition: the same key for the same
    organisation within the rule's window is not sent again (``repeats`` counts those).
    """

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    rule = models.CharField(_("rule"), max_length=64, db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=WarningKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="warnings",
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    tlds = models.JSONField(_("TLDs"), default=list, blank=True)
    product_ids = models.JSONField(_("products"), default=list, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, db_index=True)
    repeats = models.PositiveIntegerField(_("repeats suppressed"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=WarningStatus.choices, default=WarningStatus.SENT
    )
    source_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_id = models.CharField(max_length=64, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    created_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    ack_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_via = models.CharField(
        _("acknowledged via"), max_length=8, choices=AckVia.choices, blank=True
    )
    follow_up = models.PositiveSmallIntegerField(
        _("follow-up"), choices=FollowUpStage.choices, default=FollowUpStage.NONE
    )
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("flagged to staff"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        indexes = [
            models.Index(fields=["organisation", "dedupe_key", "-created_at"], name="warn_dedupe"),
            models.Index(fields=["organisation", "rule", "-created_at"], name="warn_rate"),
            models.Index(fields=["status", "acknowledged_at", "sent_at"], name="warn_followup"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class WarningDelivery(models.Model):
    """One warning handed to one channel for one recipient (the message itself is in delivery)."""

    warning = models.ForeignKey(
        Warning, verbose_name=_("warning"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelKind.choices)
    recipient = models.CharField(_("recipient"), max_length=2000)
    purpose = models.CharField(_("purpose"), max_length=16, default="warning")
    message = models.ForeignKey(
        "delivery.OutboundMessage",
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    encrypted = models.BooleanField(_("encrypted"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["warning", "id"]
        verbose_name = _("warning delivery")
        verbose_name_plural = _("warning deliveries")

    def __str__(self) -> str:
        return f"{self.warning.reference} {self.channel} {self.recipient}"
