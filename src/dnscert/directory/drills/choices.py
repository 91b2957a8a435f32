"""Enumerations of reachability drills, declared once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DrillStatus(models.TextChoices):
    """Where a drill stands: prepared, messages out, outcomes fixed."""

    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class ContactScope(models.TextChoices):
    """Which contacts of the targeted organisations are probed."""

    CONTACTS_24X7 = "24x7", _("Contacts flagged 24x7")
    ALL = "all", _("All contacts")


class ResponseVia(models.TextChoices):
    """How a contact answered a probe."""

    LINK = "link", _("Response link")
    REPLY = "reply", _("E-mail reply")
    PHONE = "phone", _("Phone (recorded by staff)")
    API = "api", _("API")


class Outcome(models.TextChoices):
    """What a probe showed; ``pending`` until an answer arrives or the drill closes."""

    PENDING = "pending", _("Pending")
    IN_TIME = "in_time", _("Answered in time")
    LATE = "late", _("Answered late")
    NO_ANSWER = "no_answer", _("No answer")
    BOUNCED = "bounced", _("Bounced")


#: Outcomes of a probe that was answered.
ANSWERED = (Outcome.IN_TIME, Outcome.LATE)
