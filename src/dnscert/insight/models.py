"""Insight models: after-action reports with their revisions, and feedback surveys.

An :class:`AfterActionReport` belongs to one incident and carries the incident's TLP label: who
may see the incident may see its report (:func:`dnscert.insight.queries.visible_reports` goes
through :mod:`dnscert.core.visibility`). The generated part (timeline, who did what,
acknowledgement times, SLA figures) is a snapshot in ``content``; the lessons learned are
edited by staff and every edit keeps a :class:`ReportRevision`.

A :class:`FeedbackRequest` is one survey link sent to one contact of a participant
organisation; only the SHA-256 digest of its token is stored. Its :class:`FeedbackAnswer`
is updated when the contact answers again.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.insight.choices import Score

#: Longest comment a survey answer keeps; longer ones are refused, not cut.
MAX_COMMENT_CHARS = 4000
#: Longest lessons-learned field.
MAX_LESSON_CHARS = 20_000


class AfterActionReport(models.Model):
    """The after-action report of one incident: generated facts plus lessons learned."""

    incident = models.OneToOneField(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="after_action_report",
    )
    summary = models.TextField(_("summary"), blank=True, max_length=MAX_LESSON_CHARS)
    generated_summary = models.TextField(_("generated summary"), blank=True)
    content = models.JSONField(_("generated content"), default=dict, blank=True)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    went_well = models.TextField(_("what went well"), blank=True, max_length=MAX_LESSON_CHARS)
    to_improve = models.TextField(_("what to improve"), blank=True, max_length=MAX_LESSON_CHARS)
    actions = models.TextField(
        _("actions"),
        blank=True,
        max_length=MAX_LESSON_CHARS,
        help_text=_("Follow-up actions, one a line."),
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("after-action report")
        verbose_name_plural = _("after-action reports")

    def __str__(self) -> str:
        return f"{self.incident.reference} after-action report"

    @property
    def tlp(self) -> str:
        """The report carries its incident's TLP label."""
        return str(self.incident.tlp)

    @property
    def action_lines(self) -> list[str]:
        """The follow-up actions, one per non-empty line."""
        return [line.strip() for line in self.actions.splitlines() if line.strip()]


class ReportRevision(models.Model):
    """The editable fields of a report as one edit or regeneration left them."""

    report = models.ForeignKey(
        AfterActionReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    number = models.PositiveIntegerField(_("number"))
    reason = models.CharField(_("reason"), max_length=20)
    summary = models.TextField(_("summary"), blank=True)
    went_well = models.TextField(_("what went well"), blank=True)
    to_improve = models.TextField(_("what to improve"), blank=True)
    actions = models.TextField(_("actions"), blank=True)
    edited_at = models.DateTimeField(_("edited"), default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="insight_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} r{self.number}"


class FeedbackRequest(models.Model):
    """One survey link, sent to one contact of one participant organisation."""

    participant = models.ForeignKey(
        "incidents.Participant",
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="feedback_requests",
    )
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=8, default="en")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("feedback request")
        verbose_name_plural = _("feedback requests")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "email"], name="insight_feedback_request_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant.incident.reference} → {self.email}"

    @staticmethod
    def digest_of(raw: str) -> str:
        """The stored form of a raw token."""
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class FeedbackAnswer(models.Model):
    """A participant contact's answer to the survey; answering again updates it."""

    request = models.OneToOneField(
        FeedbackRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="answer",
    )
    participant = models.ForeignKey(
        "incidents.Participant",
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="feedback_answers",
    )
    useful = models.PositiveSmallIntegerField(
        _("was the coordination useful?"),
        choices=Score.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    timely = models.PositiveSmallIntegerField(
        _("was it timely?"),
        choices=Score.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True, max_length=MAX_COMMENT_CHARS)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    times_submitted = models.PositiveIntegerField(_("times submitted"), default=1)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(useful__gte=1, useful__lte=5)
                & models.Q(timely__gte=1, timely__lte=5),
                name="insight_feedback_scores_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request}: {self.useful}/{self.timely}"

    def as_row(self) -> dict[str, Any]:
        """The answer as a flat row (CSV export)."""
        incident = self.participant.incident
        return {
            "incident": incident.reference,
            "organisation": self.participant.organisation.name,
            "email": self.request.email,
            "useful": self.useful,
            "timely": self.timely,
            "comment": self.comment,
            "submitted_at": self.submitted_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }
