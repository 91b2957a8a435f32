"""Incidents: the incident itself, its participants, journal, tasks and indicators.

An :class:`Incident` is a :class:`~dnscert.core.models.Shareable`: its TLP label and its
recipient organisations (every participant organisation is one) decide who sees it, through
:mod:`dnscert.core.visibility`. Journal entries carry their own TLP label on top (see
:mod:`dnscert.incidents.queries`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP, Severity
from dnscert.core.models import Shareable
from dnscert.incidents.choices import (
    IncidentStatus,
    IndicatorKind,
    JournalKind,
    ParticipantRole,
    ParticipantStatus,
)
from dnscert.incidents.taxonomy import flat_choices

__all__ = [
    "Incident",
    "IncidentStatus",
    "Indicator",
    "JournalEntry",
    "Participant",
    "Task",
]

REFERENCE_PREFIX = "DNSCERT"


class Incident(Shareable):
    """A security incident the team coordinates, e.g. ``DNSCERT-2026-0001``."""

    reference = models.CharField(_("reference"), max_length=24, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    category = models.CharField(_("category"), max_length=64, choices=flat_choices)
    severity = models.CharField(
        _("severity"), max_length=12, choices=Severity.choices, default=Severity.MEDIUM
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=IncidentStatus.choices,
        default=IncidentStatus.NEW,
        db_index=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_incidents",
    )
    reporter_email = models.EmailField(_("reporter e-mail"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    first_action_at = models.DateTimeField(_("first action"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["severity", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("incidents:detail", args=[self.reference])


class Participant(models.Model):
    """An organisation affected by or helping with an incident, with its own status."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="participants"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="incident_participations",
    )
    role = models.CharField(
        _("role"), max_length=12, choices=ParticipantRole.choices, default=ParticipantRole.AFFECTED
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ParticipantStatus.choices,
        default=ParticipantStatus.NOTIFIED,
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "organisation"], name="incidents_participant_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class JournalEntry(models.Model):
    """One entry of an incident's timeline, with its own TLP label."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="journal"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_label = models.CharField(_("author"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, default=TLP.AMBER)
    kind = models.CharField(
        _("kind"), max_length=20, choices=JournalKind.choices, default=JournalKind.NOTE
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self) -> str:
        return f"{self.incident.reference} {self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class Task(models.Model):
    """A piece of work on an incident, owned by a person or an organisation, maybe due."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incident_tasks",
    )
    owner_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("owner organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incident_tasks",
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["done_at", "due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        """True when the task is not done and its due time has passed."""
        return self.done_at is None and self.due_at is not None and self.due_at < timezone.now()


class Indicator(models.Model):
    """A domain, name server, address, URL, registrar id or e-mail address seen in an incident."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="indicators"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IndicatorKind.choices)
    value = models.CharField(_("value"), max_length=2048)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["kind", "value", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "value"], name="incidents_indicator_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"
