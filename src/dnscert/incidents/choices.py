"""Enumerations of the incidents app, declared once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentStatus(models.TextChoices):
    """Where an incident stands; the allowed moves are in :mod:`dnscert.incidents.lifecycle`."""

    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    IN_PROGRESS = "in_progress", _("In progress")
    COORDINATING = "coordinating", _("Coordinating")
    MONITORING = "monitoring", _("Monitoring")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class ParticipantRole(models.TextChoices):
    """Why an organisation takes part in an incident."""

    AFFECTED = "affected", _("Affected")
    HELPING = "helping", _("Helping")


class ParticipantStatus(models.TextChoices):
    """A participant organisation's own progress on the incident."""

    NOTIFIED = "notified", _("Notified")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACTING = "acting", _("Acting")
    DONE = "done", _("Done")
    NOT_AFFECTED = "not_affected", _("Not affected")


class JournalKind(models.TextChoices):
    """What a journal (timeline) entry records."""

    NOTE = "note", _("Note")
    STATUS_CHANGE = "status_change", _("Status change")
    NOTIFICATION = "notification", _("Notification")
    INBOUND_EMAIL = "inbound_email", _("Inbound e-mail")
    PARTICIPANT_UPDATE = "participant_update", _("Participant update")
    TASK = "task", _("Task")
    INDICATOR = "indicator", _("Indicator")
    REPORT = "report", _("Report")


class IndicatorKind(models.TextChoices):
    """The kinds of indicator an incident records."""

    DOMAIN = "domain", _("Domain")
    NAMESERVER = "nameserver", _("Name server")
    IP = "ip", _("IP address")
    URL = "url", "URL"
    REGISTRAR_ID = "registrar_id", _("Registrar IANA id")
    EMAIL = "email", _("E-mail address")
