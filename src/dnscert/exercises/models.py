"""Scenario exercises: the scenario, its participants, the injects sent to them, their answers.

An :class:`Exercise` (``EXR-2026-0001``) is run by a control team of staff. Its
:class:`Inject` rows are planned at an offset from the actual start (or at an absolute time);
``due_at`` is the instant the delivery job sends one, shifted by every pause. Each delivery to
one participant is an :class:`InjectDelivery` with its own reply token (``EXR-<24 hex>``), so
an e-mail answer names both the inject and the participant. Who sees what is decided in
:mod:`dnscert.exercises.scope`.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP
from dnscert.exercises.choices import ExerciseStatus, ObjectiveResult, ResponseVia

REFERENCE_SERIES = "EXR"
TOKEN_PREFIX = "EXR-"


def new_token() -> str:
    """A reply token: 24 hex digits (96 random bits), quoted as ``EXR-<token>``."""
    return secrets.token_hex(12)


class Exercise(models.Model):
    """A scenario exercise, e.g. "a ccTLD's delegation is hijacked at 02:00 UTC"."""

    reference = models.CharField(_("reference"), max_length=24, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    scenario = models.TextField(_("scenario"), blank=True)
    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, default=TLP.AMBER)
    planned_start = models.DateTimeField(_("planned start"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExerciseStatus.choices,
        default=ExerciseStatus.PLANNED,
        db_index=True,
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_for = models.DurationField(_("time paused"), default=timedelta)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    control_team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("control team"),
        blank=True,
        related_name="controlled_exercises",
    )
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-planned_start", "-id"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("exercises:detail", args=[self.reference])

    @property
    def is_open(self) -> bool:
        """Running or paused: injects may be answered."""
        return self.status in (ExerciseStatus.RUNNING, ExerciseStatus.PAUSED)

    @property
    def clock_origin(self) -> datetime:
        """Where offsets count from: the actual start, else the planned one."""
        return self.started_at or self.planned_start


class Objective(models.Model):
    """One objective of an exercise; staff mark whether it was met in the report."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.CharField(_("objective"), max_length=500)
    result = models.CharField(
        _("result"), max_length=10, choices=ObjectiveResult.choices, blank=True, default=""
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.text


class Participant(models.Model):
    """A directory organisation taking part, with the contacts who play for it."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="exercise_participations",
    )
    contacts = models.ManyToManyField(
        "directory.Contact", verbose_name=_("contacts who play"), blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "organisation"], name="exercises_participant_once"
            )
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.organisation.name


class Inject(models.Model):
    """A message the control team sends at a planned time (or at once, ad hoc)."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="injects")
    position = models.PositiveIntegerField(_("position"), default=0)
    offset = models.DurationField(_("offset from start"), null=True, blank=True)
    at = models.DateTimeField(_("absolute time"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    expected_action = models.TextField(_("expected action"), blank=True)
    response_required = models.BooleanField(_("response required"), default=True)
    all_participants = models.BooleanField(_("all participants"), default=True)
    recipients = models.ManyToManyField(
        Participant, verbose_name=_("recipients"), blank=True, related_name="chosen_injects"
    )
    ad_hoc = models.BooleanField(_("ad hoc"), default=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("inject")
        verbose_name_plural = _("injects")

    def __str__(self) -> str:
        return f"{self.exercise.reference} #{self.position} {self.title}"

    @property
    def is_delivered(self) -> bool:
        return self.delivered_at is not None


class InjectDelivery(models.Model):
    """One inject delivered to one participant, with the token its answers quote."""

    inject = models.ForeignKey(Inject, on_delete=models.CASCADE, related_name="deliveries")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="deliveries"
    )
    token = models.CharField(max_length=24, unique=True, default=new_token, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"))
    first_response_at = models.DateTimeField(_("first answer at"), null=True, blank=True)
    emails_sent = models.PositiveIntegerField(_("e-mails sent"), default=0)

    class Meta:
        ordering = ["inject__position", "participant__organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inject", "participant"], name="exercises_delivery_once"
            )
        ]
        verbose_name = _("inject delivery")
        verbose_name_plural = _("inject deliveries")

    def __str__(self) -> str:
        return f"{self.inject} → {self.participant}"

    @property
    def token_label(self) -> str:
        """The token as written in subjects and replies: ``EXR-<24 hex digits>``."""
        return f"{TOKEN_PREFIX}{self.token}"

    @property
    def time_to_respond(self) -> timedelta | None:
        """From delivery to the first answer; None while unanswered."""
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.delivered_at


class Response(models.Model):
    """A participant's answer to an inject, from the portal, the API or an e-mail reply."""

    delivery = models.ForeignKey(InjectDelivery, on_delete=models.CASCADE, related_name="responses")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_label = models.CharField(_("author"), max_length=200, blank=True)
    body = models.TextField(_("answer"))
    via = models.CharField(_("via"), max_length=8, choices=ResponseVia.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.delivery}: {self.author_label}"


class ObserverNote(models.Model):
    """A note of the control team or an observer; never shown to participants."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("observer note")
        verbose_name_plural = _("observer notes")

    def __str__(self) -> str:
        return f"{self.exercise.reference} {self.created_at:%Y-%m-%d %H:%M}"
