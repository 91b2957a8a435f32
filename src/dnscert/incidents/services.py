"""Every change to an incident is a named function here: atomic, audited, journaled.

Notifications, paging and signals go out after the transaction commits. Callers (views, the
API, the CLI, other apps) check who may act; these functions check what is valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from dnscert.core import audit, references
from dnscert.core.audit import Action
from dnscert.core.choices import TLP, Severity
from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import enqueue
from dnscert.directory.models import Organisation
from dnscert.incidents import lifecycle
from dnscert.incidents.choices import (
    IncidentStatus,
    JournalKind,
    ParticipantRole,
    ParticipantStatus,
)
from dnscert.incidents.models import (
    REFERENCE_PREFIX,
    Incident,
    Indicator,
    JournalEntry,
    Participant,
    Task,
)
from dnscert.incidents.signals import incident_created, incident_status_changed
from dnscert.incidents.taxonomy import parse_category

#: Severities that page whoever is on call when an incident is opened.
PAGING_SEVERITIES = frozenset({Severity.HIGH, Severity.CRITICAL})
REFERENCE_PATTERN = re.compile(rf"\b{REFERENCE_PREFIX}-(\d{{4}})-(\d{{4,6}})\b", re.IGNORECASE)
MAX_TEXT_CHARS = 100_000

#: Journal kinds that count as the team's first action on an incident.
ACTION_KINDS = frozenset(
    {JournalKind.NOTE, JournalKind.NOTIFICATION, JournalKind.TASK, JournalKind.INDICATOR}
)


# --- validation helpers ----------------------------------------------------------------------


def parse_tlp(value: str, field: str = "tlp") -> TLP:
    """The TLP label ``value`` names, or :class:`InvalidInput` naming ``field``."""
    try:
        return TLP.parse(value)
    except ValueError as error:
        raise InvalidInput(field, str(error)) from None


def parse_choice(value: str, choices: Any, field: str) -> str:
    """``value`` when it is one of ``choices`` (a TextChoices), else :class:`InvalidInput`."""
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise InvalidInput(field, f"unknown value {value!r}; expected one of {allowed}")
    return str(value)


def clean_text(value: str, field: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """``value`` stripped; an error naming ``field`` when empty or longer than ``max_chars``."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(field, "must not be empty")
    if len(text) > max_chars:
        raise InvalidInput(field, f"is {len(text)} characters long; at most {max_chars} allowed")
    if "\x00" in text:
        raise InvalidInput(field, "must not contain NUL characters")
    return text


def is_team(user: Any) -> bool:
    """True for core staff and responders (the team), False for members and the system."""
    return bool(user is not None and getattr(user, "role", None) in ("staff", "responder")) or (
        bool(getattr(user, "is_superuser", False))
    )


def is_staff_user(user: Any) -> bool:
    """True for core staff (who see every incident without being assigned)."""
    return bool(user is not None and getattr(user, "is_core_staff", False))


def _label_of(user: Any, fallback: str = "") -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return fallback or "system"
    return str(user.get_full_name() or user.get_username())


# --- references ------------------------------------------------------------------------------


def allocate_reference(at: datetime | None = None) -> str:
    """The next free ``DNSCERT-YYYY-NNNN``."""
    return references.allocate(REFERENCE_PREFIX, width=4, at=at)


def format_reference(year: int, number: int) -> str:
    """``DNSCERT-2026-0001`` for year 2026, number 1."""
    return references.format_reference(REFERENCE_PREFIX, year, number, width=4)


def find_reference(text: str) -> Incident | None:
    """The incident named by the first ``DNSCERT-YYYY-NNNN`` in ``text`` that exists."""
    for match in REFERENCE_PATTERN.finditer(text or ""):
        year, number = int(match.group(1)), int(match.group(2))
        found = Incident.objects.filter(reference=format_reference(year, number)).first()
        if found is not None:
            return found
    return None


# --- creating an incident --------------------------------------------------------------------


def create_incident(
    *,
    title: str,
    summary: str,
    category: str,
    severity: str,
    tlp: str,
    by: Any = None,
    reporter_email: str = "",
    owner_organisation: Organisation | None = None,
) -> Incident:
    """Open an incident with the next reference; pages on-call when high or critical."""
    fields = {
        "title": clean_text(title, "title", 200),
        "summary": (summary or "").strip(),
        "category": parse_category(category),
        "severity": parse_choice(severity, Severity, "severity"),
        "tlp": parse_tlp(tlp).value,
        "reporter_email": _clean_email(reporter_email),
    }
    with transaction.atomic():
        incident = Incident.objects.create(
            reference=allocate_reference(),
            owner_organisation=owner_organisation,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            **fields,
        )
        if is_team(by) and not is_staff_user(by):
            incident.assignees.add(by)
        system_entry(incident, JournalKind.NOTE, f"Incident {incident.reference} opened.", by=by)
        audit.record(by, Action.CREATE, incident, changes=audit.json_safe(fields))
        _after_commit(lambda: incident_created.send(sender=Incident, incident=incident))
        if incident.severity in PAGING_SEVERITIES:
            enqueue("incidents.page_on_call", incident_id=incident.pk)
    return incident


def _clean_email(value: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    text = (value or "").strip()
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise InvalidInput("reporter_email", f"{text!r} is not an e-mail address") from None
    return text


def _after_commit(callback: Callable[[], Any]) -> None:
    transaction.on_commit(callback, robust=True)


# --- the journal -----------------------------------------------------------------------------


def add_journal_entry(
    incident: Incident,
    *,
    text: str,
    tlp: str,
    kind: str = JournalKind.NOTE,
    author: Any = None,
    author_label: str = "",
    organisation: Organisation | None = None,
) -> JournalEntry:
    """Add an entry to the incident's timeline; a team note counts as the first action."""
    body = clean_text(text, "text")
    label = parse_tlp(tlp).value
    kind = parse_choice(kind, JournalKind, "kind")
    with transaction.atomic():
        entry = JournalEntry.objects.create(
            incident=incident,
            author=author if getattr(author, "is_authenticated", False) else None,
            author_label=(author_label or _label_of(author))[:200],
            organisation=organisation,
            tlp=label,
            kind=kind,
            text=body,
        )
        if kind in ACTION_KINDS and is_team(author):
            mark_first_action(incident)
        audit.record(
            author, Action.CREATE, entry, tlp=label, object_repr=f"{incident.reference} {kind}"
        )
    return entry


def system_entry(
    incident: Incident,
    kind: str,
    text: str,
    *,
    by: Any = None,
    tlp: str | None = None,
    organisation: Organisation | None = None,
) -> JournalEntry:
    """A journal entry written by the platform itself (status changes, notifications...)."""
    return JournalEntry.objects.create(
        incident=incident,
        author=by if getattr(by, "is_authenticated", False) else None,
        author_label=_label_of(by)[:200],
        organisation=organisation,
        tlp=tlp or incident.tlp,
        kind=kind,
        text=text,
    )


def mark_first_action(incident: Incident, at: datetime | None = None) -> None:
    """Stamp ``first_action_at`` (and ``acknowledged_at``) when not yet set."""
    now = at or timezone.now()
    stamps: dict[str, datetime | None] = {"first_action_at": now}
    if incident.acknowledged_at is None:
        stamps["acknowledged_at"] = now
    _stamp(incident, stamps)


def _stamp(incident: Incident, stamps: dict[str, datetime | None]) -> None:
    """Set each empty timestamp field of ``stamps`` in the object and the database."""
    wanted = {f: v for f, v in stamps.items() if getattr(incident, f) is None and v is not None}
    if wanted:
        Incident.objects.filter(pk=incident.pk).update(**wanted)
        for field, value in wanted.items():
            setattr(incident, field, value)


# --- the lifecycle ---------------------------------------------------------------------------


def transition(incident: Incident, new_status: str, *, by: Any, note: str = "") -> Incident:
    """Move the incident to ``new_status`` if the lifecycle allows it; journaled and audited."""
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        old = locked.status
        if not lifecycle.can_move(old, new_status):
            raise InvalidInput("status", _refusal(old, new_status))
        now = timezone.now()
        locked.status = new_status
        fields = ["status", "updated_at"]
        if lifecycle.is_reopening(old, new_status):
            locked.resolved_at = None
            fields.append("resolved_at")
        for field in lifecycle.stamps_for(old, new_status):
            if getattr(locked, field) is None:
                setattr(locked, field, now)
                fields.append(field)
        locked.save(update_fields=fields)
        _journal_transition(locked, old, new_status, by, note)
        audit.record(by, Action.STATE, locked, changes={"status": [old, new_status]})
        _after_commit(
            lambda: incident_status_changed.send(
                sender=Incident, incident=locked, old=old, new=new_status, by=by
            )
        )
    _copy_fields(locked, incident)
    return incident


def _refusal(old: str, new: str) -> str:
    if new not in IncidentStatus.values:
        return f"unknown status {new!r}; expected one of {', '.join(IncidentStatus.values)}"
    allowed = ", ".join(lifecycle.allowed_next(old)) or "none (final status)"
    return f"the transition {old} -> {new} is not allowed; from {old}: {allowed}"


def _journal_transition(incident: Incident, old: str, new: str, by: Any, note: str) -> None:
    labels = dict(IncidentStatus.choices)
    text = f"Status: {labels[old]} -> {labels[new]}."
    if note.strip():
        text += "\n\n" + clean_text(note, "note")
    system_entry(incident, JournalKind.STATUS_CHANGE, text, by=by)


def _copy_fields(source: Incident, target: Incident) -> None:
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


# --- participants ----------------------------------------------------------------------------


def add_participant(
    incident: Incident,
    organisation: Organisation,
    *,
    by: Any,
    role: str = ParticipantRole.AFFECTED,
    notify: bool = True,
) -> Participant:
    """Add ``organisation`` to the incident; its members see it in their portal (per TLP)."""
    role = parse_choice(role, ParticipantRole, "role")
    with transaction.atomic():
        if incident.participants.filter(organisation=organisation).exists():
            raise InvalidInput(
                "organisation", f"{organisation.name} already takes part in {incident.reference}"
            )
        participant = Participant.objects.create(
            incident=incident, organisation=organisation, role=role
        )
        incident.recipient_organisations.add(organisation)
        system_entry(
            incident,
            JournalKind.PARTICIPANT_UPDATE,
            f"{organisation.name} added as {participant.get_role_display()} participant.",
            by=by,
            organisation=organisation,
        )
        audit.record(by, Action.CREATE, participant, tlp=incident.tlp)
        if notify:
            enqueue("incidents.notify_participant", participant_id=participant.pk)
    return participant


def set_participant_status(
    participant: Participant, status: str, *, by: Any, note: str = "", tlp: str = ""
) -> Participant:
    """A participant's own status changes; the change (and note) goes into the journal."""
    status = parse_choice(status, ParticipantStatus, "status")
    label = parse_tlp(tlp or participant.incident.tlp).value
    with transaction.atomic():
        old = participant.status
        participant.status = status
        if status != ParticipantStatus.NOTIFIED and participant.acknowledged_at is None:
            participant.acknowledged_at = timezone.now()
        participant.save()
        labels = dict(ParticipantStatus.choices)
        text = f"{participant.organisation.name}: {labels[old]} -> {labels[status]}."
        if note.strip():
            text += "\n\n" + clean_text(note, "note")
        system_entry(
            participant.incident,
            JournalKind.PARTICIPANT_UPDATE,
            text,
            by=by,
            tlp=label,
            organisation=participant.organisation,
        )
        audit.record(by, Action.STATE, participant, changes={"status": [old, status]}, tlp=label)
    return participant


def post_participant_update(
    participant: Participant, *, text: str, tlp: str, by: Any
) -> JournalEntry:
    """A member of the participant organisation posts an update to the journal."""
    return add_journal_entry(
        participant.incident,
        text=text,
        tlp=tlp,
        kind=JournalKind.PARTICIPANT_UPDATE,
        author=by,
        organisation=participant.organisation,
    )


def remove_participant(participant: Participant, *, by: Any) -> None:
    """Take an organisation off the incident (it no longer sees it unless otherwise shared)."""
    incident, organisation = participant.incident, participant.organisation
    with transaction.atomic():
        audit.record(by, Action.DELETE, participant, tlp=incident.tlp)
        participant.delete()
        if incident.owner_organisation_id != organisation.pk:
            incident.recipient_organisations.remove(organisation)
        system_entry(
            incident,
            JournalKind.PARTICIPANT_UPDATE,
            f"{organisation.name} removed from the participants.",
            by=by,
        )


# --- assignment and editing ------------------------------------------------------------------

EDITABLE_FIELDS = ("title", "summary", "category", "severity", "tlp")


def assign(incident: Incident, assignee: Any, *, by: Any) -> Incident:
    """Make ``assignee`` (staff or responder, or None) the incident's assignee."""
    if assignee is not None and not is_team(assignee):
        raise InvalidInput("assignee", f"{assignee} is neither staff nor a responder")
    with transaction.atomic():
        old = incident.assignee
        incident.assignee = assignee
        incident.save(update_fields=["assignee", "updated_at"])
        if assignee is not None:
            incident.assignees.add(assignee)
        name = _label_of(assignee, "nobody") if assignee is not None else "nobody"
        system_entry(incident, JournalKind.NOTE, f"Assigned to {name}.", by=by)
        audit.record(
            by,
            Action.UPDATE,
            incident,
            changes={"assignee": [getattr(old, "pk", None), getattr(assignee, "pk", None)]},
        )
    return incident


def update_incident(incident: Incident, *, by: Any, **changes: Any) -> Incident:
    """Change title, summary, category, severity or TLP; raising to high or critical pages."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "cannot be changed here")
    cleaned = _clean_changes(changes)
    before = audit.snapshot(incident, list(cleaned))
    was_paging = incident.severity in PAGING_SEVERITIES
    with transaction.atomic():
        for field, value in cleaned.items():
            setattr(incident, field, value)
        incident.save(update_fields=[*cleaned, "updated_at"])
        diff = audit.changes_between(before, audit.snapshot(incident, list(cleaned)))
        if diff:
            audit.record(by, Action.UPDATE, incident, changes=diff)
            system_entry(incident, JournalKind.NOTE, _describe(diff), by=by)
        if not was_paging and incident.severity in PAGING_SEVERITIES:
            enqueue("incidents.page_on_call", incident_id=incident.pk)
    return incident


def _clean_changes(changes: dict[str, Any]) -> dict[str, Any]:
    cleaners: dict[str, Callable[[Any], Any]] = {
        "title": lambda v: clean_text(v, "title", 200),
        "summary": lambda v: (v or "").strip(),
        "category": parse_category,
        "severity": lambda v: parse_choice(v, Severity, "severity"),
        "tlp": lambda v: parse_tlp(v).value,
    }
    return {field: cleaners[field](value) for field, value in changes.items()}


def _describe(diff: dict[str, Any]) -> str:
    lines = []
    for field, (old, new) in diff.items():
        if field == "summary":
            lines.append("Summary edited.")
        else:
            lines.append(f"{field.capitalize()}: {old} -> {new}.")
    return "\n".join(lines)


# --- notifications -----------------------------------------------------------------------------


def notify_participant(participant: Participant, *, by: Any) -> list[Any]:
    """E-mail the participant's 24x7 contacts now (again); a team action on the incident."""
    from dnscert.incidents import notifications

    with transaction.atomic():
        messages = notifications.notify_participant(participant, by=by)
        if is_team(by):
            mark_first_action(participant.incident)
        audit.record(
            by,
            Action.UPDATE,
            participant,
            changes={"notified": len(messages)},
            tlp=participant.incident.tlp,
        )
    return messages


# --- tasks -------------------------------------------------------------------------------------


def add_task(
    incident: Incident,
    *,
    title: str,
    by: Any,
    owner: Any = None,
    owner_organisation: Organisation | None = None,
    due_at: datetime | None = None,
) -> Task:
    """Add a task, owned by a team member or a participant organisation, maybe with a due time."""
    text = clean_text(title, "title", 200)
    if owner is not None and not is_team(owner):
        raise InvalidInput("owner", f"{owner} is neither staff nor a responder")
    if (
        owner_organisation is not None
        and not incident.participants.filter(organisation=owner_organisation).exists()
    ):
        raise InvalidInput(
            "owner_organisation", f"{owner_organisation.name} does not take part in the incident"
        )
    with transaction.atomic():
        task = Task.objects.create(
            incident=incident,
            title=text,
            owner=owner,
            owner_organisation=owner_organisation,
            due_at=due_at,
        )
        system_entry(incident, JournalKind.TASK, f"Task added: {text}.", by=by)
        if is_team(by):
            mark_first_action(incident)
        audit.record(by, Action.CREATE, task, tlp=incident.tlp)
    return task


def complete_task(task: Task, *, by: Any, done: bool = True) -> Task:
    """Mark the task done (or not done again)."""
    with transaction.atomic():
        old = task.done_at
        task.done_at = timezone.now() if done else None
        task.save(update_fields=["done_at"])
        word = "done" if done else "reopened"
        system_entry(task.incident, JournalKind.TASK, f"Task {word}: {task.title}.", by=by)
        audit.record(
            by,
            Action.STATE,
            task,
            changes={"done_at": [old, task.done_at]},
            tlp=task.incident.tlp,
        )
    return task


# --- indicators --------------------------------------------------------------------------------


def add_indicator(incident: Incident, *, kind: str, value: str, by: Any) -> Indicator:
    """Record an indicator in canonical form (a duplicate is refused, naming the value)."""
    from dnscert.incidents.indicators import normalise

    canonical = normalise(kind, value)
    with transaction.atomic():
        if incident.indicators.filter(kind=kind, value=canonical).exists():
            raise InvalidInput("value", f"{canonical} is already an indicator of this incident")
        indicator = Indicator.objects.create(incident=incident, kind=kind, value=canonical)
        system_entry(
            incident,
            JournalKind.INDICATOR,
            f"Indicator added: {indicator.get_kind_display()} {canonical}.",
            by=by,
        )
        if is_team(by):
            mark_first_action(incident)
        audit.record(by, Action.CREATE, indicator, tlp=incident.tlp)
    return indicator


def remove_indicator(indicator: Indicator, *, by: Any) -> None:
    """Delete an indicator recorded by mistake; journaled."""
    incident = indicator.incident
    with transaction.atomic():
        audit.record(by, Action.DELETE, indicator, tlp=incident.tlp)
        text = f"Indicator removed: {indicator.get_kind_display()} {indicator.value}."
        indicator.delete()
        system_entry(incident, JournalKind.INDICATOR, text, by=by)
