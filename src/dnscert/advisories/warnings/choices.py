"""Enumerations of watch and warning, declared once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import Severity


class WarningKind(models.TextChoices):
    """What a warning is about; subscriptions choose among these."""

    ADVISORY = "advisory", _("Security advisories")
    DNS_HEALTH = "dns_health", _("DNS health warnings")
    DELEGATION_CHANGE = "delegation_change", _("Delegation changes")
    RRSIG_EXPIRY = "rrsig_expiry", _("RRSIG expiry")
    INTEL_CONCENTRATION = "intel_concentration", _("Intel concentration alerts")
    DGA_LIST = "dga_list", _("DGA domain lists")
    VENDOR_ADVISORY = "vendor_advisory", _("Vendor advisories")


class WarningStatus(models.TextChoices):
    """Where a warning stands between being raised and being delivered."""

    PENDING_REVIEW = "pending_review", _("Waiting for staff review")
    RATE_LIMITED = "rate_limited", _("Held by the rate limit")
    SENT = "sent", _("Sent")
    REJECTED = "rejected", _("Rejected")


class ChannelKind(models.TextChoices):
    """How a subscription receives warnings (one plug-in module per channel)."""

    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")
    ATOM = "atom", _("Atom feed")


class FollowUpStage(models.IntegerChoices):
    """How far the follow-up of an unacknowledged warning went."""

    NONE = 0, _("None yet")
    REMINDED = 1, _("Reminder sent")
    FLAGGED = 2, _("Flagged to staff")


class AckVia(models.TextChoices):
    """How a warning was acknowledged."""

    LINK = "link", _("Link in the message")
    PORTAL = "portal", _("Member portal")
    API = "api", _("API")
    STAFF = "staff", _("Marked by staff")


#: Severities from least to most severe, for "minimum severity" comparisons.
SEVERITY_ORDER: tuple[str, ...] = tuple(Severity.values)


def severity_rank(value: str) -> int:
    """0 for informational up to 4 for critical; a ValueError for an unknown severity."""
    try:
        return SEVERITY_ORDER.index(value)
    except ValueError:
        allowed = ", ".join(SEVERITY_ORDER)
        raise ValueError(f"unknown severity {value!r}; expected one of {allowed}") from None
