"""Every change to an exercise, as a named, atomic, audited service function.

Lifecycle: :func:`create_exercise`, :func:`update_exercise`, :func:`start`, :func:`pause`,
:func:`resume`, :func:`end`. Participants: :func:`add_participant`,
:func:`remove_participant`. Injects: :func:`add_inject`, :func:`update_inject`,
:func:`delete_inject`, :func:`move_inject`, :func:`send_now`, :func:`deliver`,
:func:`deliver_due`. Answers: :func:`respond`, :func:`acknowledge_reply`. After action:
:func:`add_note`, :func:`assess_objective`, :func:`set_lessons`.

``by`` is the acting user, who must be core staff for every control action, or None when the
platform itself acts (the delivery job, the CLI, the demo loader). Each function runs in one
transaction, writes an audit row, and queues e-mails to be sent after commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.core.references import allocate
from dnscert.core.visibility import is_core_staff
from dnscert.directory.models import Contact, Organisation
from dnscert.exercises import mail, schedule
from dnscert.exercises.choices import (
    TRANSITIONS,
    ExerciseStatus,
    ObjectiveResult,
    ResponseVia,
)
from dnscert.exercises.models import (
    REFERENCE_SERIES,
    Exercise,
    Inject,
    InjectDelivery,
    Objective,
    ObserverNote,
    Participant,
    Response,
)

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_OBJECTIVES = 30
TOKEN_PATTERN = re.compile(r"\bEXR-([0-9a-f]{24})\b", re.IGNORECASE)

Action = audit.Action


# --- checks -----------------------------------------------------------------------------------


def _text(field: str, value: str, *, limit: int = MAX_TEXT, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(field, "may not be empty")
    if len(text) > limit:
        raise InvalidInput(field, f"at most {limit} characters (got {len(text)})")
    if "\x00" in text:
        raise InvalidInput(field, "contains a NUL character")
    return text


def _tlp(value: str) -> str:
    try:
        return TLP.parse(value).value
    except ValueError as error:
        raise InvalidInput("tlp", str(error)) from None


def _staff(by: Any) -> None:
    """``by`` is core staff, or None for the platform itself (CLI, demo, jobs)."""
    if by is not None and not is_core_staff(by):
        raise InvalidInput("by", "only core staff control exercises")


def _not_ended(exercise: Exercise) -> None:
    if exercise.status == ExerciseStatus.ENDED:
        raise InvalidInput("exercise", f"{exercise.reference} has ended; it can no longer change")


def _locked(exercise: Exercise) -> Exercise:
    return Exercise.objects.select_for_update().get(pk=exercise.pk)


# --- the exercise -----------------------------------------------------------------------------


def _objective_lines(objectives: str | Sequence[str]) -> list[str]:
    lines = objectives.splitlines() if isinstance(objectives, str) else list(objectives)
    texts = [line.strip().lstrip("-*• ").strip() for line in lines]
    texts = [text for text in texts if text]
    if len(texts) > MAX_OBJECTIVES:
        raise InvalidInput("objectives", f"at most {MAX_OBJECTIVES} objectives")
    for text in texts:
        _text("objectives", text, limit=500)
    return texts


def _set_objectives(exercise: Exercise, texts: list[str]) -> None:
    """Keep the objectives whose text is unchanged (with their assessment), replace the rest."""
    kept = {objective.text: objective for objective in exercise.objectives.all()}
    exercise.objectives.exclude(text__in=texts).delete()
    for position, text in enumerate(texts):
        objective = kept.get(text) or Objective(exercise=exercise, text=text)
        objective.position = position
        objective.save()


def _set_control_team(exercise: Exercise, team: Iterable[Any]) -> None:
    members = list(team)
    outsiders = [user for user in members if not is_core_staff(user)]
    if outsiders:
        names = ", ".join(user.get_username() for user in outsiders)
        raise InvalidInput("control_team", f"only core staff may control an exercise: {names}")
    exercise.control_team.set(members)


@transaction.atomic
def create_exercise(
    *,
    by: Any,
    title: str,
    planned_start: datetime,
    scenario: str = "",
    objectives: str | Sequence[str] = (),
    tlp: str = TLP.AMBER,
    control_team: Iterable[Any] = (),
) -> Exercise:
    """Plan a new exercise ``EXR-YYYY-NNNN``; the creator joins the control team."""
    _staff(by)
    if planned_start is None:
        raise InvalidInput("planned_start", "give the planned start")
    exercise = Exercise.objects.create(
        reference=allocate(REFERENCE_SERIES),
        title=_text("title", title, limit=MAX_TITLE),
        scenario=_text("scenario", scenario, required=False),
        tlp=_tlp(tlp),
        planned_start=planned_start,
        created_by=by,
    )
    _set_objectives(exercise, _objective_lines(objectives))
    _set_control_team(exercise, {*control_team, *([by] if by is not None else [])})
    audit.record(by, Action.CREATE, exercise, changes={"title": exercise.title})
    return exercise


@transaction.atomic
def update_exercise(exercise: Exercise, *, by: Any, **fields: Any) -> Exercise:
    """Change title, scenario, TLP, planned start, objectives or control team."""
    _staff(by)
    locked = _locked(exercise)
    _not_ended(locked)
    changes: dict[str, Any] = {}
    for name, clean in (
        ("title", lambda v: _text("title", v, limit=MAX_TITLE)),
        ("scenario", lambda v: _text("scenario", v, required=False)),
        ("tlp", _tlp),
        ("planned_start", lambda v: v),
    ):
        if name in fields and fields[name] is not None:
            value = clean(fields[name])
            if getattr(locked, name) != value:
                changes[name] = [str(getattr(locked, name)), str(value)]
                setattr(locked, name, value)
    locked.save()
    if "objectives" in fields:
        _set_objectives(locked, _objective_lines(fields["objectives"]))
    if fields.get("control_team") is not None:
        _set_control_team(locked, fields["control_team"])
    if locked.status == ExerciseStatus.PLANNED:
        schedule.reschedule_pending(locked)
    audit.record(by, Action.UPDATE, locked, changes=changes)
    return locked


# --- participants -----------------------------------------------------------------------------


@transaction.atomic
def add_participant(
    exercise: Exercise, organisation: Organisation, *, by: Any, contacts: Iterable[Contact] = ()
) -> Participant:
    """Add ``organisation`` (or change who plays for it): contacts must be its own."""
    _staff(by)
    _not_ended(_locked(exercise))
    chosen = list(contacts)
    foreign = [c for c in chosen if c.organisation_id != organisation.pk]
    if foreign:
        names = ", ".join(c.email for c in foreign)
        raise InvalidInput("contacts", f"not contacts of {organisation.name}: {names}")
    participant, created = Participant.objects.get_or_create(
        exercise=exercise, organisation=organisation
    )
    participant.contacts.set(chosen)
    audit.record(
        by,
        Action.CREATE if created else Action.UPDATE,
        exercise,
        changes={"participant": organisation.name, "contacts": [c.email for c in chosen]},
    )
    return participant


@transaction.atomic
def remove_participant(participant: Participant, *, by: Any) -> None:
    """Take an organisation out, as long as nothing was delivered to it yet."""
    _staff(by)
    if participant.deliveries.exists():
        raise InvalidInput("participant", "injects were delivered to it; it stays in the record")
    exercise = participant.exercise
    name = participant.organisation.name
    participant.delete()
    audit.record(by, Action.UPDATE, exercise, changes={"participant removed": name})


# --- the clock --------------------------------------------------------------------------------


def _move(exercise: Exercise, to: str) -> tuple[Exercise, str]:
    locked = _locked(exercise)
    if to not in TRANSITIONS[locked.status]:
        raise InvalidInput(
            "status", f"{locked.reference} is {locked.status}; it cannot become {to}"
        )
    before = locked.status
    locked.status = to
    return locked, before


def _record_state(by: Any, exercise: Exercise, before: str, **extra: Any) -> None:
    audit.record(by, Action.STATE, exercise, changes={"status": [before, exercise.status], **extra})


@transaction.atomic
def start(exercise: Exercise, *, by: Any, now: datetime | None = None) -> Exercise:
    """Start the clock: offsets now count from this instant."""
    _staff(by)
    moment = now or timezone.now()
    locked, before = _move(exercise, ExerciseStatus.RUNNING)
    if before != ExerciseStatus.PLANNED:
        raise InvalidInput("status", "a paused exercise is resumed, not started")
    if not locked.participants.exists():
        raise InvalidInput("participants", "add at least one participant before starting")
    locked.started_at = moment
    locked.save(update_fields=["status", "started_at", "updated_at"])
    schedule.reschedule_pending(locked)
    _record_state(by, locked, before)
    return locked


@transaction.atomic
def pause(exercise: Exercise, *, by: Any, now: datetime | None = None) -> Exercise:
    """Hold every pending inject until :func:`resume`."""
    _staff(by)
    locked, before = _move(exercise, ExerciseStatus.PAUSED)
    locked.paused_at = now or timezone.now()
    locked.save(update_fields=["status", "paused_at", "updated_at"])
    _record_state(by, locked, before)
    return locked


@transaction.atomic
def resume(exercise: Exercise, *, by: Any, now: datetime | None = None) -> Exercise:
    """Restart the clock; every pending inject moves later by the time paused."""
    _staff(by)
    moment = now or timezone.now()
    locked, before = _move(exercise, ExerciseStatus.RUNNING)
    if before != ExerciseStatus.PAUSED:
        raise InvalidInput("status", "only a paused exercise can be resumed")
    held = max(moment - (locked.paused_at or moment), timedelta(0))
    locked.paused_for += held
    locked.paused_at = None
    locked.save(update_fields=["status", "paused_at", "paused_for", "updated_at"])
    schedule.shift_pending(locked, held)
    _record_state(by, locked, before, paused_seconds=int(held.total_seconds()))
    return locked


@transaction.atomic
def end(exercise: Exercise, *, by: Any, now: datetime | None = None) -> Exercise:
    """End the exercise: nothing more is delivered, answers are closed."""
    _staff(by)
    moment = now or timezone.now()
    locked, before = _move(exercise, ExerciseStatus.ENDED)
    if locked.paused_at is not None:
        locked.paused_for += max(moment - locked.paused_at, timedelta(0))
        locked.paused_at = None
    locked.ended_at = moment
    locked.save(update_fields=["status", "paused_at", "paused_for", "ended_at", "updated_at"])
    _record_state(by, locked, before)
    return locked


TRANSITION_ACTIONS = {"start": start, "pause": pause, "resume": resume, "end": end}


def control(exercise: Exercise, action: str, *, by: Any) -> Exercise:
    """Run the named clock action (start, pause, resume, end); clear error when unknown."""
    if action not in TRANSITION_ACTIONS:
        raise InvalidInput("action", f"one of {', '.join(TRANSITION_ACTIONS)}")
    return TRANSITION_ACTIONS[action](exercise, by=by)


# --- injects ----------------------------------------------------------------------------------


def _when(offset: timedelta | str | None, at: datetime | None) -> tuple[timedelta | None, Any]:
    if isinstance(offset, str):
        offset = schedule.parse_offset(offset) if offset.strip() else None
    if offset is not None and at is not None:
        raise InvalidInput("offset", "give an offset or an absolute time, not both")
    if offset is None and at is None:
        raise InvalidInput("offset", "give an offset from the start or an absolute time")
    return (schedule.check_offset(offset) if offset is not None else None), at


def _recipients(exercise: Exercise, recipients: Iterable[Participant] | None) -> list[Participant]:
    chosen = list(recipients or [])
    strangers = [p for p in chosen if p.exercise_id != exercise.pk]
    if strangers:
        raise InvalidInput("recipients", "choose participants of this exercise")
    return chosen


def _inject_fields(exercise: Exercise, fields: dict[str, Any]) -> dict[str, Any]:
    offset, at = _when(fields.get("offset"), fields.get("at"))
    return {
        "title": _text("title", fields.get("title", ""), limit=MAX_TITLE),
        "body": _text("body", fields.get("body", "")),
        "expected_action": _text(
            "expected_action", fields.get("expected_action", ""), required=False
        ),
        "response_required": bool(fields.get("response_required", True)),
        "offset": offset,
        "at": at,
    }


@transaction.atomic
def add_inject(
    exercise: Exercise,
    *,
    by: Any,
    recipients: Iterable[Participant] | None = None,
    **fields: Any,
) -> Inject:
    """Plan an inject (title, body, expected_action, response_required, offset or at).

    With no ``recipients`` it goes to every participant (including any added later).
    """
    _staff(by)
    exercise = _locked(exercise)
    _not_ended(exercise)
    chosen = _recipients(exercise, recipients)
    values = _inject_fields(exercise, fields)
    last = exercise.injects.aggregate(last=Max("position"))["last"]
    inject = Inject(
        exercise=exercise,
        position=0 if last is None else last + 1,
        all_participants=not chosen,
        created_by=by,
        ad_hoc=bool(fields.get("ad_hoc", False)),
        **values,
    )
    inject.due_at = schedule.planned_due(exercise, inject)
    inject.save()
    inject.recipients.set(chosen)
    audit.record(by, Action.CREATE, inject, tlp=exercise.tlp, changes={"title": inject.title})
    return inject


def _pending(inject: Inject) -> Inject:
    locked = Inject.objects.select_for_update().get(pk=inject.pk)
    if locked.delivered_at is not None:
        raise InvalidInput("inject", "already delivered; it stays as sent")
    return locked


@transaction.atomic
def update_inject(
    inject: Inject, *, by: Any, recipients: Iterable[Participant] | None = None, **fields: Any
) -> Inject:
    """Change an inject that has not been delivered yet."""
    _staff(by)
    locked = _pending(inject)
    exercise = _locked(locked.exercise)
    _not_ended(exercise)
    chosen = _recipients(exercise, recipients)
    for name, value in _inject_fields(exercise, fields).items():
        setattr(locked, name, value)
    locked.all_participants = not chosen
    locked.due_at = schedule.planned_due(exercise, locked)
    locked.save()
    locked.recipients.set(chosen)
    audit.record(by, Action.UPDATE, locked, tlp=exercise.tlp, changes={"title": locked.title})
    return locked


@transaction.atomic
def delete_inject(inject: Inject, *, by: Any) -> None:
    """Delete an inject that has not been delivered yet."""
    _staff(by)
    locked = _pending(inject)
    audit.record(by, Action.DELETE, locked, tlp=locked.exercise.tlp)
    locked.delete()


@transaction.atomic
def move_inject(inject: Inject, *, by: Any, direction: str) -> Inject:
    """Swap an inject with its neighbour ``up`` or ``down`` in the editor's order."""
    _staff(by)
    if direction not in ("up", "down"):
        raise InvalidInput("direction", "up or down")
    rows = list(inject.exercise.injects.select_for_update().order_by("position", "id"))
    index = next(i for i, row in enumerate(rows) if row.pk == inject.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    moved = rows[other] if 0 <= other < len(rows) else rows[index]
    audit.record(by, Action.UPDATE, moved, tlp=moved.exercise.tlp, changes={"moved": direction})
    return moved


def recipients_of(inject: Inject) -> list[Participant]:
    """The participants ``inject`` goes to: all of them, or the chosen ones."""
    rows = inject.exercise.participants if inject.all_participants else inject.recipients
    return list(rows.select_related("organisation").prefetch_related("contacts"))


@transaction.atomic
def deliver(inject: Inject, *, by: Any = None, now: datetime | None = None) -> list[InjectDelivery]:
    """Send ``inject`` to its participants now (once: a delivered inject is left alone)."""
    locked = Inject.objects.select_for_update().select_related("exercise").get(pk=inject.pk)
    if locked.delivered_at is not None:
        return []
    if not locked.exercise.is_open:
        raise InvalidInput("exercise", f"{locked.exercise.reference} is {locked.exercise.status}")
    moment = now or timezone.now()
    locked.delivered_at = moment
    locked.save(update_fields=["delivered_at"])
    deliveries = []
    for participant in recipients_of(locked):
        delivery = InjectDelivery.objects.create(
            inject=locked, participant=participant, delivered_at=moment
        )
        delivery.emails_sent = len(mail.send(delivery))
        delivery.save(update_fields=["emails_sent"])
        deliveries.append(delivery)
    audit.record(
        by,
        Action.STATE,
        locked,
        tlp=locked.exercise.tlp,
        changes={"delivered_to": [d.participant.organisation.name for d in deliveries]},
    )
    return deliveries


def deliver_due(now: datetime | None = None) -> list[Inject]:
    """Deliver every inject of a running exercise whose time has come; returns them."""
    moment = now or timezone.now()
    due = Inject.objects.filter(
        exercise__status=ExerciseStatus.RUNNING, delivered_at=None, due_at__lte=moment
    ).order_by("due_at", "position", "id")
    delivered = []
    for inject in due:
        with audit.channel(audit.Via.JOB):
            if deliver(inject, now=moment):
                delivered.append(inject)
    return delivered


@transaction.atomic
def send_now(
    exercise: Exercise,
    *,
    by: Any,
    recipients: Iterable[Participant] | None = None,
    **fields: Any,
) -> Inject:
    """An ad-hoc inject, delivered at once (the exercise must be running or paused)."""
    _staff(by)
    exercise = _locked(exercise)
    if not exercise.is_open:
        raise InvalidInput("exercise", f"{exercise.reference} is {exercise.status}, not running")
    moment = timezone.now()
    fields.pop("at", None)
    inject = add_inject(exercise, by=by, recipients=recipients, at=moment, ad_hoc=True, **fields)
    deliver(inject, by=by, now=moment)
    inject.refresh_from_db()
    return inject


# --- answers ----------------------------------------------------------------------------------


@transaction.atomic
def respond(
    delivery: InjectDelivery,
    *,
    by: Any,
    body: str,
    via: str = ResponseVia.WEB,
    author_label: str = "",
    now: datetime | None = None,
) -> Response:
    """Record a participant's answer; the first one stops the inject's response clock."""
    if via not in ResponseVia.values:
        raise InvalidInput("via", f"one of {', '.join(ResponseVia.values)}")
    locked = (
        InjectDelivery.objects.select_for_update()
        .select_related("inject__exercise", "participant__organisation")
        .get(pk=delivery.pk)
    )
    exercise = locked.inject.exercise
    if not exercise.is_open:
        raise InvalidInput(
            "exercise", f"{exercise.reference} is {exercise.status}: answers are closed"
        )
    text = _text("body", body)
    moment = now or timezone.now()
    user = by if getattr(by, "is_authenticated", False) else None
    response = Response.objects.create(
        delivery=locked,
        author=user,
        author_label=(author_label or _label(user, locked))[:200],
        body=text,
        via=via,
        received_at=moment,
    )
    if locked.first_response_at is None:
        locked.first_response_at = moment
        locked.save(update_fields=["first_response_at"])
    audit.record(user, Action.CREATE, response, tlp=exercise.tlp, changes={"via": via})
    return response


def _label(user: Any, delivery: InjectDelivery) -> str:
    if user is None:
        return delivery.participant.organisation.name
    return user.get_full_name() or user.get_username()


def find_delivery(text: str) -> InjectDelivery | None:
    """The delivery whose token (``EXR-<24 hex digits>``) appears first in ``text``."""
    for match in TOKEN_PATTERN.finditer(text or ""):
        found = InjectDelivery.objects.filter(token=match.group(1).lower()).first()
        if found is not None:
            return found
    return None


def _reply_text(text: str) -> str:
    """The answer without quoted lines (``> ...``); the whole text when only quotes remain."""
    own = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))
    return (own.strip() or text.strip())[:MAX_TEXT]


def acknowledge_reply(text: str, *, sender: str = "") -> Response | None:
    """Record an e-mail reply quoting ``EXR-<token>`` as an answer.

    The reply counts only from an address of the participant organisation: one of its
    directory contacts or an active member account. None (the mail is then left to intake)
    when it names no delivered inject, its exercise is no longer open, or the sender is
    anyone else: a forwarded inject must not let an outsider answer for a participant, nor
    make the participant's response time look better than it was.
    """
    delivery = find_delivery(text)
    if delivery is None or not delivery.inject.exercise.is_open:
        return None
    address = (sender or "").strip()[:200]
    organisation_id = delivery.participant.organisation_id
    members = get_user_model().objects.filter(
        email__iexact=address, is_active=True, organisation=organisation_id
    )
    user = members.first() if address else None
    if user is None and not (
        address
        and Contact.objects.filter(organisation_id=organisation_id, email__iexact=address).exists()
    ):
        changes = {"refused_reply_from": address, "reason": "not an address of the participant"}
        audit.record(None, Action.UPDATE, delivery.inject.exercise, changes=changes)
        return None
    label = f"{delivery.participant.organisation.name} <{address}>"
    try:
        return respond(
            delivery, by=user, body=_reply_text(text), via=ResponseVia.EMAIL, author_label=label
        )
    except InvalidInput:
        return None


# --- after action -----------------------------------------------------------------------------


@transaction.atomic
def add_note(exercise: Exercise, *, by: Any, body: str) -> ObserverNote:
    """An observer or control-team note; staff only, never shown to participants."""
    _staff(by)
    note = ObserverNote.objects.create(exercise=exercise, author=by, body=_text("body", body))
    audit.record(by, Action.CREATE, note, tlp=exercise.tlp)
    return note


@transaction.atomic
def assess_objective(objective: Objective, *, by: Any, result: str, comment: str = "") -> Objective:
    """Mark an objective met, partly met or not met, with a comment."""
    _staff(by)
    if result not in ObjectiveResult.values:
        raise InvalidInput(
            "result", f"one of {', '.join(v or '(empty)' for v in ObjectiveResult.values)}"
        )
    before = objective.result
    objective.result = result
    objective.comment = _text("comment", comment, required=False)
    objective.save(update_fields=["result", "comment"])
    audit.record(
        by,
        Action.UPDATE,
        objective.exercise,
        changes={"objective": objective.text, "result": [before, result]},
    )
    return objective


@transaction.atomic
def set_lessons(exercise: Exercise, *, by: Any, text: str) -> Exercise:
    """The lessons learned of the after-action report."""
    _staff(by)
    exercise.lessons_learned = _text("lessons_learned", text, required=False)
    exercise.save(update_fields=["lessons_learned", "updated_at"])
    audit.record(by, Action.UPDATE, exercise, changes={"lessons_learned": "updated"})
    return exercise
