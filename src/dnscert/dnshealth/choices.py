"""Enumerations of the DNS health app, declared once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    """What a monitoring target is."""

    ROOT = "root", _("Root zone")
    TLD = "tld", _("Top-level domain")
    ZONE = "zone", _("Zone")
    NAMESERVER = "nameserver", _("Name server")


class CheckKind(models.TextChoices):
    """How deep one measurement of a target goes."""

    REACHABILITY = "reachability", _("Reachability and SOA")
    FULL = "full", _("Full check")


class HealthStatus(models.TextChoices):
    """At-a-glance status of a target: worst message level mapped to a colour."""

    GREEN = "green", _("Healthy")
    AMBER = "amber", _("Warnings")
    RED = "red", _("Broken")
    GREY = "grey", _("Not measured yet")


class RunStatus(models.TextChoices):
    """State of one batch run."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class SignalKind(models.TextChoices):
    """State changes worth telling someone about (input of the warning service)."""

    ZONE_BROKEN = "zone_broken", _("Zone became broken")
    ZONE_RECOVERED = "zone_recovered", _("Zone recovered")
    RRSIG_EXPIRING = "rrsig_expiring", _("Signatures expire soon")
    DELEGATION_CHANGED = "delegation_changed", _("Delegation changed")
    RSSAC047_BELOW_THRESHOLD = "rssac047_below_threshold", _("Below RSSAC047 thresholds")


class SignalState(models.TextChoices):
    """Whether the condition behind a signal still holds."""

    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class DeliveryStatus(models.TextChoices):
    """State of one notification e-mail."""

    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
