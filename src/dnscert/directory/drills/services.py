"""State changes of reachability drills: one named, atomic, audited function each.

A drill is prepared (:func:`create_drill`), launched (:func:`launch_drill`: one probe and one
e-mail per target contact), answered (:func:`respond` by the link, :func:`acknowledge_reply`
by an e-mail reply quoting ``DRILL-<token>``, :func:`record_phone_answer` by staff after a
call), bounced (:func:`mark_bounced`, from the delivery app's bounce record) and closed
(:func:`close_drill`, by staff or by the ``drills.close_due`` job once the window and the
late period have passed). Closing fixes the outcomes: no answer or bounced for the silent.

An answer in time marks the contact verified in the directory. Only staff act on drills;
``actor=None`` means the platform itself (a job, a command, an answering contact).

Replies must come from a known address: see :func:`acknowledge_reply`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dnscert.core import audit, references
from dnscert.core.exceptions import InvalidInput
from dnscert.core.visibility import is_core_staff
from dnscert.delivery.choices import MessageStatus
from dnscert.directory.drills import messaging, targets
from dnscert.directory.drills.choices import ContactScope, DrillStatus, Outcome, ResponseVia
from dnscert.directory.drills.models import MAX_MINUTES, Drill, Probe
from dnscert.directory.models import Contact, Organisation
from dnscert.directory.services import mark_contact_verified

Action = audit.Action
REFERENCE_SERIES = "DRILL"
TOKEN_PATTERN = re.compile(r"DRILL-([0-9a-f]{32})(?![0-9a-f])", re.IGNORECASE)
BARE_TOKEN = re.compile(r"^[0-9a-f]{32}$")
#: Delivery statuses meaning the message will never arrive.
UNDELIVERABLE = (MessageStatus.BOUNCED, MessageStatus.FAILED)


class DrillStateError(InvalidInput):
    """The drill is not in a state that allows this (e.g. launching a closed drill)."""


def _require_staff(actor: Any) -> None:
    if actor is not None and not is_core_staff(actor):
        raise PermissionDenied("Only core staff run reachability drills.")


# --- preparing -------------------------------------------------------------------------------


def _check_minutes(field: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, "must be a whole number of minutes")
    if not minimum <= value <= MAX_MINUTES:
        raise InvalidInput(field, f"must be between {minimum} and {MAX_MINUTES} minutes")
    return value


def _check_title(title: Any) -> str:
    text = str(title or "").strip()
    if not text:
        raise InvalidInput("title", "a drill needs a title")
    if len(text) > 200:
        raise InvalidInput("title", "at most 200 characters")
    return text


@transaction.atomic
def create_drill(
    actor: Any,
    *,
    title: str,
    organisation_kinds: Iterable[str] = (),
    organisations: Iterable[Organisation] = (),
    contact_scope: str = ContactScope.CONTACTS_24X7,
    response_minutes: int = 240,
    late_minutes: int = 1440,
    announced: bool = False,
    notes: str = "",
    now: datetime | None = None,
) -> Drill:
    """Prepare a drill (status draft) with its targets and response window."""
    _require_staff(actor)
    if contact_scope not in ContactScope.values:
        raise InvalidInput("contact_scope", f"must be one of {', '.join(ContactScope.values)}")
    now = now or timezone.now()
    drill = Drill.objects.create(
        title=_check_title(title),
        reference=references.allocate(REFERENCE_SERIES, at=now),
        organisation_kinds=targets.clean_kinds(organisation_kinds),
        contact_scope=contact_scope,
        response_minutes=_check_minutes("response_minutes", response_minutes, 1),
        late_minutes=_check_minutes("late_minutes", late_minutes, 0),
        announced=bool(announced),
        notes=str(notes or ""),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
    )
    drill.organisations.set(list(organisations))
    audit.record(actor, Action.CREATE, drill, changes=_summary(drill))
    return drill


def _summary(drill: Drill) -> dict[str, Any]:
    return {
        "title": drill.title,
        "organisation_kinds": drill.organisation_kinds,
        "organisations": sorted(drill.organisations.values_list("short_name", flat=True)),
        "contact_scope": drill.contact_scope,
        "response_minutes": drill.response_minutes,
        "late_minutes": drill.late_minutes,
        "announced": drill.announced,
    }


# --- launching -------------------------------------------------------------------------------


def _locked(drill: Drill) -> Drill:
    return Drill.objects.select_for_update().get(pk=drill.pk)


@transaction.atomic
def launch_drill(actor: Any, drill: Drill, *, now: datetime | None = None) -> Drill:
    """Send every target contact the drill message and start the response window."""
    _require_staff(actor)
    drill = _locked(drill)
    if drill.status != DrillStatus.DRAFT:
        raise DrillStateError(
            "status", f"only a draft drill can be launched (it is {drill.status})"
        )
    contacts = list(targets.target_contacts(drill))
    if not contacts:
        raise InvalidInput(
            "targets", "no contact matches the drill's roles, organisations and scope"
        )
    now = now or timezone.now()
    drill.status, drill.launched_at = DrillStatus.RUNNING, now
    drill.save(update_fields=["status", "launched_at"])
    for contact in contacts:
        _send_probe(drill, contact, now)
    audit.record(
        actor,
        Action.STATE,
        drill,
        changes={"status": ["draft", "running"], "probes": len(contacts)},
    )
    return drill


def _send_probe(drill: Drill, contact: Contact, now: datetime) -> Probe:
    probe = Probe.objects.create(
        drill=drill,
        contact=contact,
        organisation=contact.organisation,
        contact_name=contact.name,
        organisation_name=contact.organisation.name,
        email=contact.email,
        language=messaging.language_for(contact.languages),
        sent_at=now,
    )
    probe.message = messaging.queue_probe(probe, pgp_key=contact.pgp_key)
    probe.save(update_fields=["message"])
    return probe


# --- answers ---------------------------------------------------------------------------------


def probe_by_token(token: str) -> Probe | None:
    """The probe whose token is ``token`` (32 hex digits, with or without ``DRILL-``)."""
    text = (token or "").strip().lower()
    if text.startswith("drill-"):
        text = text[len("drill-") :]
    if not BARE_TOKEN.match(text):
        return None
    return Probe.objects.select_related("drill", "contact").filter(token=text).first()


def outcome_at(probe: Probe, at: datetime) -> str:
    """In time when ``at`` falls within the drill's window, late otherwise."""
    deadline = probe.drill.deadline()
    return Outcome.IN_TIME if deadline is not None and at <= deadline else Outcome.LATE


@transaction.atomic
def respond(
    probe: Probe,
    *,
    via: str = ResponseVia.LINK,
    at: datetime | None = None,
    sender: str = "",
    by: Any = None,
) -> Probe:
    """Record the contact's answer (the first one counts; answering again changes nothing).

    Answers to a closed drill are refused: closing fixed the outcomes.
    """
    if via not in ResponseVia.values:
        raise InvalidInput("via", f"must be one of {', '.join(ResponseVia.values)}")
    locked = Probe.objects.select_for_update().select_related("drill").get(pk=probe.pk)
    if locked.responded_at is not None:
        return locked
    if locked.drill.status != DrillStatus.RUNNING:
        raise DrillStateError("drill", "this drill is closed; answers are no longer recorded")
    at = at or timezone.now()
    if locked.sent_at is not None and at < locked.sent_at:
        raise InvalidInput("at", "an answer cannot come before the message was sent")
    if at > timezone.now():
        raise InvalidInput("at", "an answer cannot be in the future")
    locked.responded_at, locked.responded_via = at, via
    locked.responded_from = sender.strip()[:254]
    locked.recorded_by = by if by is not None and getattr(by, "is_authenticated", False) else None
    locked.outcome = outcome_at(locked, at)
    locked.save(
        update_fields=["responded_at", "responded_via", "responded_from", "recorded_by", "outcome"]
    )
    changes = {"outcome": [Outcome.PENDING, locked.outcome], "via": via}
    audit.record(by, Action.STATE, locked, changes=changes)
    if locked.outcome == Outcome.IN_TIME and locked.contact is not None:
        _verify(locked.contact, timezone.localdate(at))
    return locked


def _verify(contact: Contact, on: date) -> None:
    """Mark the contact verified on ``on``, never moving an existing date backwards."""
    if contact.last_verified is not None and contact.last_verified >= on:
        return
    try:
        mark_contact_verified(None, contact, on=on)
    except ValidationError as error:
        # Stored data the directory no longer accepts must not lose the answer itself.
        problem = {"not_verified": "; ".join(error.messages)[:300]}
        audit.record(None, Action.UPDATE, contact, changes=problem)


def record_phone_answer(actor: Any, probe: Probe, *, at: datetime | None = None) -> Probe:
    """Staff record that the contact answered by phone (at ``at``, default now)."""
    _require_staff(actor)
    return respond(probe, via=ResponseVia.PHONE, at=at, by=actor)


def sender_matches(probe: Probe, sender: str) -> bool:
    """True when ``sender`` is the probed address or another contact of the same organisation.

    The reply is only counted from a known address: a forwarded drill message, or a message
    that merely quotes a token, must not make a silent contact look reachable. A colleague's
    listed address counts, because a role mailbox is often answered from a personal one.
    """
    address = (sender or "").strip().lower()
    if not address or "@" not in address:
        return False
    if address == probe.email.lower():
        return True
    if probe.organisation_id is None:
        return False
    return Contact.objects.filter(
        organisation_id=probe.organisation_id, email__iexact=address
    ).exists()


def acknowledge_reply(text: str, *, sender: str = "") -> Probe | None:
    """Count an e-mail reply quoting ``DRILL-<token>`` as the answer of that probe.

    ``text`` is what the intake read (subject and body). The reply counts only when
    ``sender`` (the reply's From address) is the probed contact's address or another listed
    contact of the same organisation (see :func:`sender_matches`); a reply with no sender, from
    another address, to a closed drill, or quoting no known token returns None. A second
    reply returns the probe unchanged.
    """
    for match in TOKEN_PATTERN.finditer(text or ""):
        probe = probe_by_token(match.group(1))
        if probe is None:
            continue
        if not sender_matches(probe, sender):
            _refused(probe, sender, "sender is not a contact of the probed organisation")
            continue
        if probe.drill.status != DrillStatus.RUNNING and probe.responded_at is None:
            _refused(probe, sender, "drill is closed")
            continue
        return respond(probe, via=ResponseVia.REPLY, sender=sender)
    return None


def _refused(probe: Probe, sender: str, reason: str) -> None:
    changes = {"refused_reply_from": sender.strip()[:254], "reason": reason}
    audit.record(None, Action.UPDATE, probe, changes=changes)


# --- bounces ---------------------------------------------------------------------------------


@transaction.atomic
def mark_bounced(probe: Probe, *, at: datetime | None = None) -> Probe:
    """Record that the probe's message bounced; an answer, or a closed drill, keeps its outcome."""
    locked = Probe.objects.select_for_update().select_related("drill").get(pk=probe.pk)
    if locked.bounced_at is not None:
        return locked
    locked.bounced_at = at or timezone.now()
    fields = ["bounced_at"]
    if locked.outcome == Outcome.PENDING:
        locked.outcome = Outcome.BOUNCED
        fields.append("outcome")
    locked.save(update_fields=fields)
    audit.record(None, Action.STATE, locked, changes={"bounced": True, "outcome": locked.outcome})
    return locked


def probe_of_message(message: Any) -> Probe | None:
    """The probe a delivery-queue message was sent for (None for other messages)."""
    return Probe.objects.filter(message_id=message.pk).first()


# --- closing ---------------------------------------------------------------------------------


def final_outcome(probe: Probe) -> str:
    """The outcome a probe gets when its drill closes."""
    if probe.responded_at is not None:
        return probe.outcome
    undeliverable = probe.message is not None and probe.message.status in UNDELIVERABLE
    if probe.bounced_at is not None or undeliverable:
        return Outcome.BOUNCED
    return Outcome.NO_ANSWER


@transaction.atomic
def close_drill(actor: Any, drill: Drill, *, now: datetime | None = None) -> Drill:
    """Close a running drill: every probe's outcome is fixed, later answers are refused."""
    _require_staff(actor)
    drill = _locked(drill)
    if drill.status != DrillStatus.RUNNING:
        raise DrillStateError(
            "status", f"only a running drill can be closed (it is {drill.status})"
        )
    counts: dict[str, int] = {}
    for probe in drill.probes.select_related("message"):
        outcome = final_outcome(probe)
        if outcome != probe.outcome:
            Probe.objects.filter(pk=probe.pk).update(outcome=outcome)
        counts[outcome] = counts.get(outcome, 0) + 1
    drill.status, drill.closed_at = DrillStatus.CLOSED, now or timezone.now()
    drill.save(update_fields=["status", "closed_at"])
    audit.record(actor, Action.STATE, drill, changes={"status": ["running", "closed"], **counts})
    return drill


def close_due(now: datetime | None = None) -> list[Drill]:
    """Close every running drill whose window and late period have passed."""
    now = now or timezone.now()
    closed = []
    for drill in Drill.objects.filter(status=DrillStatus.RUNNING).order_by("launched_at"):
        closes_at = drill.closes_at()
        if closes_at is not None and closes_at <= now:
            closed.append(close_drill(None, drill, now=now))
    return closed
