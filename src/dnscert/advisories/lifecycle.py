"""The advisory workflow, declared once: which status may follow which, and by which action.

``draft -> in_review`` (submit), ``in_review -> draft`` (return for changes),
``in_review -> published`` (publish, by an approver other than the author),
``published -> draft`` (start a new revision; readers keep the last published release),
``published -> withdrawn`` (withdraw).
"""

from __future__ import annotations

from dnscert.advisories.choices import AdvisoryStatus as S

#: (old status, new status) -> the action that makes the move.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.IN_REVIEW): "submit",
    (S.IN_REVIEW, S.DRAFT): "return",
    (S.IN_REVIEW, S.PUBLISHED): "publish",
    (S.PUBLISHED, S.DRAFT): "revise",
    (S.PUBLISHED, S.WITHDRAWN): "withdraw",
}

#: Statuses in which the texts may be edited.
EDITABLE = frozenset({S.DRAFT, S.IN_REVIEW})


def allowed(old: str, new: str) -> bool:
    """True when an advisory in ``old`` may move to ``new``."""
    return (old, new) in TRANSITIONS


def next_statuses(old: str) -> list[str]:
    """The statuses an advisory in ``old`` may move to."""
    return [new for (start, new) in TRANSITIONS if start == old]


def refusal(old: str, new: str) -> str:
    """The message for a refused move, naming both statuses and what is allowed instead."""
    options = ", ".join(next_statuses(old)) or "none"
    return f"cannot go from {old} to {new}; allowed from {old}: {options}"
