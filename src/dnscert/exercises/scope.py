"""Who sees which exercise, inject and answer: the one access rule of exercises.

* Core staff see everything: every exercise, inject, answer and observer note.
* A signed-in member sees only the exercises their organisation takes part in; inside one,
  only the injects delivered to their organisation, and only their organisation's answers.
  Never the scenario notes of the control team, never another participant's answers.
* Everyone else (anonymous visitors, responders outside a participating organisation) sees
  nothing. Hidden objects answer 404, never 403, so their existence is not confirmed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from dnscert.core.visibility import is_core_staff, is_signed_in
from dnscert.exercises.models import (
    Exercise,
    Inject,
    InjectDelivery,
    ObserverNote,
    Participant,
    Response,
)

M = TypeVar("M", bound=Model)


def _org_id(user: Any) -> int | None:
    return getattr(user, "organisation_id", None) if is_signed_in(user) else None


def _own(user: Any, rows: QuerySet[M], organisation_field: str) -> QuerySet[M]:
    """``rows`` for staff; those of the user's organisation for a member; none otherwise."""
    if is_core_staff(user):
        return rows
    org_id = _org_id(user)
    return rows.filter(**{organisation_field: org_id}) if org_id else rows.none()


def exercises_for(user: Any, queryset: QuerySet[Exercise] | None = None) -> QuerySet[Exercise]:
    """The exercises ``user`` may open."""
    base = Exercise.objects.all() if queryset is None else queryset
    if is_core_staff(user):
        return base
    org_id = _org_id(user)
    if not org_id:
        return base.none()
    taking_part = Participant.objects.filter(organisation_id=org_id).values("exercise_id")
    return base.filter(pk__in=taking_part)


def get_exercise_or_404(user: Any, reference: str) -> Exercise:
    """The exercise ``reference`` when ``user`` may open it; a 404 otherwise."""
    exercise = exercises_for(user).filter(reference=reference).first()
    if exercise is None:
        raise Http404("No such exercise.")
    return exercise


def participant_of(user: Any, exercise: Exercise) -> Participant | None:
    """The participant row of ``user``'s organisation in ``exercise``."""
    org_id = _org_id(user)
    if not org_id:
        return None
    return exercise.participants.filter(organisation_id=org_id).first()


def injects_for(user: Any, exercise: Exercise) -> QuerySet[Inject]:
    """Every inject for staff; for a member, those delivered to their organisation."""
    injects = Inject.objects.filter(exercise=exercise)
    if is_core_staff(user):
        return injects
    return injects.filter(pk__in=deliveries_for(user, exercise).values("inject_id"))


def deliveries_for(user: Any, exercise: Exercise) -> QuerySet[InjectDelivery]:
    """Every delivery for staff; for a member, those to their organisation."""
    deliveries = InjectDelivery.objects.filter(inject__exercise=exercise)
    return _own(user, deliveries, "participant__organisation_id")


def delivery_for(user: Any, inject: Inject) -> InjectDelivery | None:
    """The delivery of ``inject`` to ``user``'s organisation (what a member answers)."""
    org_id = _org_id(user)
    if not org_id:
        return None
    return inject.deliveries.filter(participant__organisation_id=org_id).first()


def responses_for(user: Any, exercise: Exercise) -> QuerySet[Response]:
    """Every answer for staff; for a member, their organisation's answers only."""
    responses = Response.objects.filter(delivery__inject__exercise=exercise)
    return _own(user, responses, "delivery__participant__organisation_id")


def notes_for(user: Any, exercise: Exercise) -> QuerySet[ObserverNote]:
    """Observer notes: staff only."""
    notes = ObserverNote.objects.filter(exercise=exercise)
    return notes if is_core_staff(user) else notes.none()
