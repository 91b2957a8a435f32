"""Advisories: the advisory, its affected products, translations, revisions and CSAF file.

An :class:`Advisory` is a :class:`~dnscert.core.models.Shareable`. Its named organisations are
``recipient_organisations``; the audience it addresses by organisation kind, TLD and product
is resolved into ``audience_resolved`` whenever it changes (see
:func:`dnscert.advisories.services.refresh_audience`), and :mod:`dnscert.advisories.queries`
combines both with :mod:`dnscert.core.visibility`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.advisories.choices import AdvisoryStatus, CsafCategory, ProductStatus
from dnscert.core.choices import Severity
from dnscert.core.models import Shareable

__all__ = [
    "Advisory",
    "AdvisoryRevision",
    "AdvisoryTranslation",
    "AffectedProduct",
    "CsafFile",
]

REFERENCE_PREFIX = "DNSCERT-SA"


class Advisory(Shareable):
    """A security advisory, e.g. ``DNSCERT-SA-2026-0001``."""

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    details = models.TextField(_("details"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=12, choices=Severity.choices, default=Severity.MEDIUM
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AdvisoryStatus.choices,
        default=AdvisoryStatus.DRAFT,
        db_index=True,
    )
    csaf_category = models.CharField(
        _("CSAF category"),
        max_length=40,
        choices=CsafCategory.choices,
        default=CsafCategory.SECURITY_ADVISORY,
    )
    language = models.CharField(_("original language"), max_length=8, default="en")
    audience_kinds = models.JSONField(_("audience kinds"), default=list, blank=True)
    audience_tlds = models.JSONField(_("audience TLDs"), default=list, blank=True)
    audience_products = models.ManyToManyField(
        "directory.Product",
        verbose_name=_("audience products"),
        blank=True,
        related_name="advisories",
    )
    audience_resolved = models.ManyToManyField(
        "directory.Organisation",
        verbose_name=_("resolved audience"),
        blank=True,
        related_name="addressed_advisories",
        help_text=_("Organisations matched by the audience kinds, TLDs and products."),
    )
    cve_ids = models.JSONField(_("CVE ids"), default=list, blank=True)
    references = models.JSONField(_("references"), default=list, blank=True)
    credits = models.JSONField(_("credits"), default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_advisories",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_advisories",
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("withdrawal reason"), blank=True)
    current_release = models.PositiveIntegerField(_("current release"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("advisory")
        verbose_name_plural = _("advisories")
        indexes = [models.Index(fields=["status", "tlp"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("advisories:detail", args=[self.reference])

    @property
    def is_public(self) -> bool:
        """True when anyone may read it: published (or withdrawn) and TLP:CLEAR."""
        return self.tlp == "CLEAR" and self.status in (
            AdvisoryStatus.PUBLISHED,
            AdvisoryStatus.WITHDRAWN,
        )


class AffectedProduct(models.Model):
    """A product (from the directory, or named freely) and how the advisory concerns it."""

    advisory = models.ForeignKey(
        Advisory, verbose_name=_("advisory"), on_delete=models.CASCADE, related_name="affected"
    )
    product = models.ForeignKey(
        "directory.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    vendor = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("vendor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    product_name = models.CharField(_("product name"), max_length=200)
    versions = models.CharField(_("versions"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ProductStatus.choices,
        default=ProductStatus.KNOWN_AFFECTED,
    )
    statement = models.TextField(_("statement"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("affected product")
        verbose_name_plural = _("affected products")

    def __str__(self) -> str:
        return f"{self.vendor_name} {self.product_name} {self.versions}".strip()

    @property
    def vendor_name(self) -> str:
        if self.vendor is not None:
            return self.vendor.name
        if self.product is not None:
            return self.product.vendor.name
        return ""


class AdvisoryTranslation(models.Model):
    """The advisory's texts in another language; empty fields fall back to the original."""

    advisory = models.ForeignKey(
        Advisory, verbose_name=_("advisory"), on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    details = models.TextField(_("details"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["language"]
        verbose_name = _("advisory translation")
        verbose_name_plural = _("advisory translations")
        constraints = [
            models.UniqueConstraint(
                fields=["advisory", "language"], name="advisory_translation_unique_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisory.reference} [{self.language}]"


class AdvisoryRevision(models.Model):
    """One published release of an advisory: number, date, summary and what it said."""

    advisory = models.ForeignKey(
        Advisory, verbose_name=_("advisory"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("number"))
    date = models.DateTimeField(_("date"), default=timezone.now)
    summary = models.CharField(_("summary"), max_length=500)
    snapshot = models.JSONField(_("snapshot"), default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["advisory", "number"]
        verbose_name = _("advisory revision")
        verbose_name_plural = _("advisory revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["advisory", "number"], name="advisory_revision_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisory.reference} r{self.number}"


class CsafFile(models.Model):
    """The CSAF 2.0 JSON of the advisory's current release, with its hashes and signature.

    Rendered, validated and signed once per release, so the provider directory serves
    stable bytes.
    """

    advisory = models.OneToOneField(
        Advisory, verbose_name=_("advisory"), on_delete=models.CASCADE, related_name="csaf_file"
    )
    path = models.CharField(_("path"), max_length=120, unique=True)
    content = models.TextField(_("content"))
    sha256 = models.CharField("SHA-256", max_length=64)
    sha512 = models.CharField("SHA-512", max_length=128)
    signature = models.TextField(_("OpenPGP signature"), blank=True)
    tlp = models.CharField("TLP", max_length=16)
    release = models.PositiveIntegerField(_("release"))
    released_at = models.DateTimeField(_("current release date"))

    class Meta:
        ordering = ["-released_at", "-id"]
        verbose_name = _("CSAF file")
        verbose_name_plural = _("CSAF files")

    def __str__(self) -> str:
        return self.path

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]
