"""The incident lifecycle: statuses and the moves allowed between them, declared once.

:data:`TRANSITIONS` is the only place that says which status may follow which;
:func:`dnscert.incidents.services.transition` enforces it. Reaching a status also stamps the
SLA timestamps named in :data:`STAMPS` (the first time only, except ``resolved_at``, which a
reopening clears).
"""

from __future__ import annotations

from collections.abc import Mapping

from dnscert.incidents.choices import IncidentStatus

S = IncidentStatus

#: status -> the statuses it may move to.
TRANSITIONS: Mapping[IncidentStatus, frozenset[IncidentStatus]] = {
    S.NEW: frozenset({S.TRIAGED, S.IN_PROGRESS, S.CLOSED}),
    S.TRIAGED: frozenset({S.IN_PROGRESS, S.COORDINATING, S.MONITORING, S.RESOLVED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.COORDINATING, S.MONITORING, S.RESOLVED}),
    S.COORDINATING: frozenset({S.IN_PROGRESS, S.MONITORING, S.RESOLVED}),
    S.MONITORING: frozenset({S.IN_PROGRESS, S.COORDINATING, S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset(),
}

if set(TRANSITIONS) != set(IncidentStatus):  # pragma: no cover - guards future edits
    raise RuntimeError("the lifecycle must declare the moves out of every status")

#: Statuses in which the team is working on the incident (reaching one is a first action).
ACTIVE = frozenset({S.IN_PROGRESS, S.COORDINATING, S.MONITORING, S.RESOLVED})
#: Statuses in which the incident is finished.
FINISHED = frozenset({S.RESOLVED, S.CLOSED})
#: Statuses counted as open (the SLA clock to resolve is running).
OPEN = frozenset(set(IncidentStatus) - FINISHED)


def allowed_next(status: str) -> list[IncidentStatus]:
    """The statuses ``status`` may move to, in lifecycle order."""
    targets = TRANSITIONS[IncidentStatus(status)]
    return [candidate for candidate in IncidentStatus if candidate in targets]


def can_move(old: str, new: str) -> bool:
    """True when the lifecycle allows ``old`` -> ``new``."""
    try:
        return IncidentStatus(new) in TRANSITIONS[IncidentStatus(old)]
    except ValueError:
        return False


def stamps_for(old: str, new: str) -> list[str]:
    """The timestamp fields a move from ``old`` to ``new`` sets when still empty."""
    fields = []
    if old == S.NEW:
        fields.append("acknowledged_at")
    if new in ACTIVE:
        fields.append("first_action_at")
    if new == S.RESOLVED:
        fields.append("resolved_at")
    if new == S.CLOSED:
        fields += ["resolved_at", "closed_at"]
    return fields


def is_reopening(old: str, new: str) -> bool:
    """True for a move from resolved back to work (``resolved_at`` is cleared)."""
    return old == S.RESOLVED and new in OPEN
