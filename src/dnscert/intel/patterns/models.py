"""Pattern models: DGA campaigns with their per-registry lists, and concentration alerts.

A :class:`DgaCampaign` is one family over a date range. Its domains are grouped by TLD into
one :class:`RegistryList` per TLD; each list keeps its rows as one compressed blob (see
:mod:`dnscert.intel.patterns.blobs`), never a row per domain, so that Conficker.C's 50,000
domains a day stay cheap to store and the pages stay fast. A :class:`ConcentrationAlert` is
raised once per (dimension, key, window) when a registrar's or TLD's share of new abusive
registrations jumps, and carries the domain list to hand over.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP
from dnscert.core.models import Shareable
from dnscert.intel.patterns.choices import (
    AcknowledgedVia,
    AlertKind,
    AlertStatus,
    CampaignStatus,
    ConcentrationDimension,
    ListStatus,
)


def new_token() -> str:
    """A random, URL-safe token for the acknowledgement link of a registry list."""
    return secrets.token_urlsafe(24)


class DgaCampaign(models.Model):
    """One DGA family over a date range, to be blocked or pre-registered by the registries."""

    family = models.CharField(_("family"), max_length=64)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, default=TLP.AMBER)
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    days_done = models.PositiveIntegerField(_("days generated"), default=0)
    domain_count = models.PositiveBigIntegerField(_("domains"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("DGA campaign")
        verbose_name_plural = _("DGA campaigns")

    def __str__(self) -> str:
        return f"{self.family} {self.start_date:%Y-%m-%d}..{self.end_date:%Y-%m-%d}"

    @property
    def day_count(self) -> int:
        """How many days the range covers."""
        return (self.end_date - self.start_date).days + 1


class RegistryList(Shareable):
    """The campaign's domains under one TLD, for the registry that runs it.

    ``rows`` is the zlib-compressed text ``YYYY-MM-DD,domain`` one a line, in generation
    order. ``organisation`` is empty when no registry of the TLD is in the directory (the
    TLD is uncovered). ``covered_count`` is what the registry reported as blocked or
    pre-registered.
    """

    campaign = models.ForeignKey(
        DgaCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="lists"
    )
    tld = models.CharField(_("TLD"), max_length=63)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("registry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dga_lists",
    )
    rows = models.BinaryField(_("domains (compressed)"), default=bytes, editable=False)
    domain_count = models.PositiveBigIntegerField(_("domains"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=ListStatus.choices, default=ListStatus.READY
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
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
        _("acknowledged via"), max_length=16, choices=AcknowledgedVia.choices, blank=True
    )
    covered_count = models.PositiveBigIntegerField(_("domains covered"), null=True, blank=True)
    coverage_reported_at = models.DateTimeField(_("coverage reported"), null=True, blank=True)
    coverage_note = models.TextField(_("coverage note"), blank=True)

    class Meta:
        ordering = ["campaign", "tld"]
        verbose_name = _("registry list")
        verbose_name_plural = _("registry lists")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "tld"], name="patterns_list_unique_tld")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} .{self.tld}"

    @property
    def coverage_percent(self) -> float | None:
        """Share of the list reported covered, in percent (None before any report)."""
        if self.covered_count is None or not self.domain_count:
            return None
        return round(100.0 * self.covered_count / self.domain_count, 1)


class ConcentrationAlert(Shareable):
    """A registrar or TLD whose share of new abusive registrations stands out in a window.

    ``window_start``..``window_end`` (end exclusive) is the window, ``baseline_start`` the
    start of the baseline that ends where the window starts. ``domains_csv`` is the domain
    list to hand over, frozen when the alert is raised.
    """

    dimension = models.CharField(
        _("dimension"), max_length=16, choices=ConcentrationDimension.choices
    )
    key = models.CharField(_("key"), max_length=253)
    label = models.CharField(_("name"), max_length=253)
    kind = models.CharField(_("kind"), max_length=8, choices=AlertKind.choices)
    category = models.CharField(_("category"), max_length=64, blank=True)
    window_start = models.DateField(_("window start"))
    window_end = models.DateField(_("window end"))
    baseline_start = models.DateField(_("baseline start"))
    share = models.FloatField(_("share (%)"))
    baseline_share = models.FloatField(_("baseline share (%)"))
    new_domains = models.PositiveIntegerField(_("new abusive domains"))
    total_new_domains = models.PositiveIntegerField(_("new abusive domains in the window"))
    events = models.PositiveIntegerField(_("events"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    domains_csv = models.TextField(_("domain list (CSV)"), blank=True)
    domain_count = models.PositiveIntegerField(_("domains to hand over"), default=0)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concentration_alerts",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    created_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("concentration alert")
        verbose_name_plural = _("concentration alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "key", "category", "window_start", "window_end"],
                name="patterns_alert_once_per_window",
            )
        ]
        indexes = [
            models.Index(fields=["dimension", "key", "-window_end"], name="patterns_alert_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} {self.label} {self.window_start:%Y-%m-%d}"

    @property
    def window_last_day(self) -> date:
        """The last day inside the window (``window_end`` is exclusive)."""
        return self.window_end - timedelta(days=1)
