"""Reports received by the 24x7 point of contact, with their raw content and attachments.

A :class:`Report` keeps the exact bytes it arrived as (``raw``): the RFC 5322 message for
e-mail, a JSON document of the submitted fields for the forms and the API. Parsing happens
after the raw content is stored; a report whose content cannot be parsed or decrypted keeps
status ``unparsed`` with the reason in ``parse_error``, so nothing accepted is ever lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.incidents.intake.choices import Channel, MailKind, PgpStatus, ReportStatus

RAW_MESSAGE = "message/rfc822"
RAW_JSON = "application/json"


class Report(models.Model):
    """One report received by the point of contact, through any channel."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ReportStatus.choices,
        default=ReportStatus.NEW,
        db_index=True,
    )
    reporter_name = models.CharField(_("reporter name"), max_length=200, blank=True)
    reporter_email = models.EmailField(_("reporter e-mail"), blank=True, db_index=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intake_reports",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intake_reports",
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    raw = models.BinaryField(_("raw content"))
    raw_format = models.CharField(_("raw format"), max_length=32, default=RAW_MESSAGE)
    parse_error = models.TextField(_("parse error"), blank=True)
    notes = models.TextField(
        _("reading notes"),
        blank=True,
        help_text=_("Problems met while reading, e.g. parts kept only in the raw content."),
    )
    pgp_status = models.CharField(
        _("PGP status"), max_length=16, choices=PgpStatus.choices, default=PgpStatus.NONE
    )
    pgp_encrypted = models.BooleanField(_("was encrypted"), default=False)
    pgp_detail = models.CharField(_("PGP detail"), max_length=300, blank=True)
    signer_fingerprint = models.CharField(_("signer fingerprint"), max_length=40, blank=True)
    signer_contact = models.ForeignKey(
        "directory.Contact",
        verbose_name=_("signer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intake_reports",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    mail_kind = models.CharField(
        _("message kind"), max_length=12, choices=MailKind.choices, default=MailKind.MESSAGE
    )
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    source_ip = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    ack_note = models.CharField(_("acknowledgement note"), max_length=200, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triaged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["source_ip", "received_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"[:300]

    @property
    def is_unparsed(self) -> bool:
        return self.status == ReportStatus.UNPARSED

    @property
    def raw_bytes(self) -> bytes:
        """``raw`` as bytes (PostgreSQL hands back a memoryview)."""
        return bytes(self.raw)


def attachment_path(instance: ReportAttachment, filename: str) -> str:
    """Store files by digest, never under the name a stranger chose."""
    now = timezone.now()
    return f"intake/{now:%Y/%m}/{instance.sha256}"


class ReportAttachment(models.Model):
    """A file that came with a report, stored under the media directory with its digest."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=150)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
