"""Reachability drills and their probes: one probe per contact, with its measured answer."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.delivery.models import OutboundMessage
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.drills.choices import (
    ANSWERED,
    ContactScope,
    DrillStatus,
    Outcome,
    ResponseVia,
)
from dnscert.directory.models import Contact, Organisation

#: Longest response window and late period a drill may have (one week each).
MAX_MINUTES = 7 * 24 * 60


def new_probe_token() -> str:
    """128 random bits as 32 hex digits: unguessable, and easy to find in a reply."""
    return secrets.token_hex(16)


class Drill(models.Model):
    """A reachability drill: which contacts are probed, how long they have to answer."""

    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    organisation_kinds = models.JSONField(
        _("organisation roles"),
        default=list,
        blank=True,
        help_text=_("Probe the organisations of these roles (with those named below)."),
    )
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisations"),
        blank=True,
        related_name="drills",
        help_text=_("With no role and no organisation, every organisation is probed."),
    )
    contact_scope = models.CharField(
        _("contacts"),
        max_length=8,
        choices=ContactScope.choices,
        default=ContactScope.CONTACTS_24X7,
    )
    response_minutes = models.PositiveIntegerField(
        _("response window (minutes)"),
        default=240,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MINUTES)],
    )
    late_minutes = models.PositiveIntegerField(
        _("late answers accepted for (minutes)"),
        default=1440,
        validators=[MaxValueValidator(MAX_MINUTES)],
        help_text=_("After the window, answers count as late until the drill closes."),
    )
    announced = models.BooleanField(_("announced"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=DrillStatus.choices, default=DrillStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def organisation_kind_labels(self) -> list[str]:
        """The targeted organisation roles, in words."""
        labels = dict(OrganisationKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.organisation_kinds]

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.response_minutes)

    def deadline(self) -> datetime | None:
        """End of the response window (None before launch)."""
        return self.launched_at + self.window if self.launched_at else None

    def closes_at(self) -> datetime | None:
        """When the periodic job closes the drill: window plus late period."""
        if self.launched_at is None:
            return None
        return self.launched_at + self.window + timedelta(minutes=self.late_minutes)


class Probe(models.Model):
    """One message of a drill to one contact, and how (and how fast) the contact answered."""

    drill = models.ForeignKey(
        Drill, verbose_name=_("drill"), on_delete=models.CASCADE, related_name="probes"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="probes",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="probes",
    )
    # Kept as sent, so results survive later changes to the directory.
    contact_name = models.CharField(_("contact name"), max_length=200)
    organisation_name = models.CharField(_("organisation name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=10, default="en")
    token = models.CharField(max_length=32, unique=True, default=new_probe_token, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message = models.ForeignKey(
        OutboundMessage,
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responded_via = models.CharField(
        _("answered via"), max_length=8, choices=ResponseVia.choices, blank=True
    )
    responded_from = models.CharField(_("answered from"), max_length=254, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )

    class Meta:
        ordering = ["organisation_name", "contact_name", "id"]
        verbose_name = _("probe")
        verbose_name_plural = _("probes")

    def __str__(self) -> str:
        return f"{self.drill.reference} {self.contact_name} <{self.email}>"

    @property
    def token_label(self) -> str:
        """The token as written in subjects and replies: ``DRILL-<32 hex digits>``."""
        return f"DRILL-{self.token}"

    @property
    def time_to_answer(self) -> timedelta | None:
        if self.responded_at is None or self.sent_at is None:
            return None
        return self.responded_at - self.sent_at

    @property
    def answered(self) -> bool:
        return self.outcome in ANSWERED

    @property
    def delivery_status(self) -> str:
        """The delivery queue's status of the message (``bounced`` once a bounce came)."""
        if self.bounced_at is not None:
            return "bounced"
        return self.message.status if self.message is not None else ""
