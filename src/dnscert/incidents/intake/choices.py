"""Enumerations of the intake, declared once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a report reached the point of contact."""

    PUBLIC_FORM = "public_form", _("Public form")
    MEMBER_FORM = "member_form", _("Constituent form")
    API = "api", _("API")
    EMAIL = "email", _("E-mail (SMTP)")
    IMAP = "imap", _("E-mail (IMAP)")


#: Channels whose raw content is an RFC 5322 message.
MAIL_CHANNELS = frozenset({Channel.EMAIL, Channel.IMAP})


class ReportStatus(models.TextChoices):
    """Where a report stands in triage."""

    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    MERGED = "merged", _("Merged into an incident")
    REJECTED = "rejected", _("Rejected")
    UNPARSED = "unparsed", _("Unparsed")


#: Statuses still waiting for someone to act.
OPEN_STATUSES = frozenset({ReportStatus.NEW, ReportStatus.UNPARSED})


class PgpStatus(models.TextChoices):
    """What PGP said about a report's content."""

    NONE = "none", _("No PGP")
    SIGNED_VALID = "signed_valid", _("Signed, valid signature")
    SIGNED_INVALID = "signed_invalid", _("Signed, invalid signature")
    ENCRYPTED = "encrypted", _("Encrypted, not signed")
    DECRYPT_FAILED = "decrypt_failed", _("Decryption failed")


class MailKind(models.TextChoices):
    """What an inbound message is, as far as replying to it goes."""

    MESSAGE = "message", _("Message")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    BOUNCE = "bounce", _("Delivery status notification")
