"""Vulnerability cases: the flaw, the vendors on it, their statements and the discussion.

A :class:`Case` is a :class:`~dnscert.core.models.Shareable` (TLP:AMBER+STRICT by default: an
unpublished flaw stays inside each vendor organisation, never with its clients). Who sees a
case, and which of its messages, is decided in one place: :mod:`dnscert.vulns.scope`.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP, Severity
from dnscert.core.models import Shareable
from dnscert.vulns.choices import (
    READY_STATUSES,
    Audience,
    CaseStatus,
    Credit,
    CveState,
    MessageVia,
    VendorStatus,
)

REFERENCE_PREFIX = "DNSCERT-VU"


class Case(Shareable):
    """A coordinated-disclosure case, e.g. ``DNSCERT-VU-2026-0001``."""

    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, default=TLP.AMBER_STRICT)
    reference = models.CharField(_("reference"), max_length=24, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    affected_software = models.CharField(_("affected software"), max_length=300, blank=True)
    affected_versions = models.CharField(_("affected versions"), max_length=300, blank=True)
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.MEDIUM
    )
    cvss3_vector = models.CharField(_("CVSS v3.1 vector"), max_length=120, blank=True)
    cvss3_score = models.DecimalField(
        _("CVSS v3.1 score"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    cvss4_vector = models.CharField(_("CVSS v4.0 vector"), max_length=200, blank=True)
    cvss4_score = models.DecimalField(
        _("CVSS v4.0 score"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    cwe = models.CharField("CWE", max_length=16, blank=True)
    cve_ids = models.JSONField(_("CVE ids"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    embargo_at = models.DateTimeField(_("embargo ends"), null=True, blank=True, db_index=True)
    reminders_sent = models.JSONField(_("reminders sent"), default=list, blank=True)
    early_release_reason = models.TextField(_("early release reason"), blank=True)
    report = models.ForeignKey(
        "intake.Report",
        verbose_name=_("report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vuln_cases",
    )
    advisory = models.ForeignKey(
        "advisories.Advisory",
        verbose_name=_("advisory"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vuln_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("vulnerability case")
        verbose_name_plural = _("vulnerability cases")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("vulns:case-detail", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.status not in (CaseStatus.PUBLISHED, CaseStatus.CLOSED)


class CaseProduct(models.Model):
    """A product affected by the case, from the directory or named freely."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="products")
    product = models.ForeignKey(
        "directory.Product",
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    versions = models.CharField(_("versions"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "name"], name="vulns_product_once_per_case")
        ]
        verbose_name = _("case product")
        verbose_name_plural = _("case products")

    def __str__(self) -> str:
        return self.name


class CaseVendor(models.Model):
    """One vendor on a case with its own status, statement and answer deadline.

    "Silent" (notified, no answer past the deadline) is computed, never stored as a status,
    so it can never be mistaken for "not affected".
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="vendors")
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("vendor"),
        on_delete=models.PROTECT,
        related_name="vuln_cases",
    )
    products = models.ManyToManyField(
        CaseProduct, verbose_name=_("products"), blank=True, related_name="vendors"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=VendorStatus.choices,
        default=VendorStatus.NOT_CONTACTED,
        db_index=True,
    )
    statement = models.TextField(_("statement"), blank=True)
    status_date = models.DateTimeField(_("status date"), default=timezone.now)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    first_statement_at = models.DateTimeField(_("first statement at"), null=True, blank=True)
    deadline = models.DateTimeField(_("answer deadline"), null=True, blank=True)
    silence_flagged_at = models.DateTimeField(_("silence flagged at"), null=True, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"], name="vulns_vendor_once_per_case"
            )
        ]
        verbose_name = _("case vendor")
        verbose_name_plural = _("case vendors")

    def __str__(self) -> str:
        return f"{self.case.reference} {self.organisation.name}"

    def is_silent_at(self, now: datetime) -> bool:
        """Notified, never answered, and the answer deadline has passed."""
        return bool(self.status == VendorStatus.NOTIFIED and self.deadline and self.deadline < now)

    @property
    def is_silent(self) -> bool:
        return self.is_silent_at(timezone.now())

    @property
    def is_ready(self) -> bool:
        """Fixed or not affected, with a statement: nothing holds the publication back."""
        return self.status in READY_STATUSES and bool(self.statement.strip())


class CaseParticipant(models.Model):
    """A reporter (by account or e-mail) and how they wish to be credited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vuln_participations",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    credit = models.CharField(
        _("credit"), max_length=16, choices=Credit.choices, default=Credit.NAME
    )
    credit_text = models.CharField(_("credit text"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("reporter")
        verbose_name_plural = _("reporters")

    def __str__(self) -> str:
        return self.name or self.email or str(self.user)

    @property
    def credit_line(self) -> str:
        """The name to print in the advisory, as the reporter wished ("" when anonymous)."""
        if self.credit == Credit.ANONYMOUS:
            return ""
        if self.credit == Credit.CUSTOM and self.credit_text.strip():
            return self.credit_text.strip()
        return self.name or (self.user.get_full_name() if self.user else "") or self.email


class CaseMessage(models.Model):
    """One message of the case discussion, to everyone, one vendor, or coordinators only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_label = models.CharField(_("author"), max_length=200, blank=True)
    author_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("author organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    audience = models.CharField(
        _("audience"), max_length=8, choices=Audience.choices, default=Audience.ALL
    )
    audience_vendor = models.ForeignKey(
        CaseVendor,
        verbose_name=_("vendor addressed"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="private_messages",
    )
    body = models.TextField(_("message"))
    via = models.CharField(_("via"), max_length=8, choices=MessageVia.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.author_label} {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    return f"vulns/{instance.message.case_id}/{instance.sha256[:16]}-{filename}"


class CaseAttachment(models.Model):
    """A file posted with a message; visible to whoever may read the message."""

    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=150)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=400)

    class Meta:
        ordering = ["filename"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class MessageView(models.Model):
    """Who saw which message, first time only: the "who saw what" audit of a case."""

    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(_("seen at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="vulns_view_once")]
        verbose_name = _("message view")
        verbose_name_plural = _("message views")

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.message_id}"


class CveReservation(models.Model):
    """A CVE id asked for the case; a CNA connection moves it to reserved and published."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="cve_reservations")
    cve_id = models.CharField(_("CVE id"), max_length=24, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=CveState.choices, default=CveState.REQUESTED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    reserved_at = models.DateTimeField(_("reserved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("CVE reservation")
        verbose_name_plural = _("CVE reservations")

    def __str__(self) -> str:
        return self.cve_id or f"{self.case_id}: {self.get_state_display()}"
