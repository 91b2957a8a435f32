"""The exercise clock: offsets as people write them, and when each inject falls due.

An inject is planned at an offset from the start (``+1:30``, ``90m``, ``1h 30m``, ``2d``) or at
an absolute time. Its ``due_at`` counts from the actual start plus every pause so far; when a
paused exercise resumes, every inject still pending moves later by the time paused.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from dnscert.core.exceptions import InvalidInput
from dnscert.exercises.models import Exercise, Inject

#: An exercise lasts days at most; a longer offset is a typing mistake.
MAX_OFFSET = timedelta(days=30)

_CLOCK = re.compile(r"^\+?(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$")
_UNITS = re.compile(r"(\d{1,5})\s*([dhms])", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_offset(text: str) -> timedelta:
    """``+1:30``, ``01:30:00``, ``90m``, ``1h 30m`` or ``2d`` as a timedelta; clear error else."""
    value = (text or "").strip()
    if not value:
        raise InvalidInput("offset", "give an offset such as +0:30, 90m or 1h 30m")
    clock = _CLOCK.match(value)
    if clock:
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        return check_offset(timedelta(hours=hours, minutes=minutes, seconds=seconds))
    return check_offset(_parse_units(value))


def _parse_units(value: str) -> timedelta:
    compact = value.lstrip("+").replace(" ", "")
    parts = _UNITS.findall(compact)
    if not parts or "".join(f"{n}{u}" for n, u in parts).lower() != compact.lower():
        raise InvalidInput(
            "offset", f"{value[:40]!r} is not an offset; write +1:30, 90m, 1h 30m or 2d"
        )
    seconds = sum(int(number) * _UNIT_SECONDS[unit.lower()] for number, unit in parts)
    return timedelta(seconds=seconds)


def check_offset(offset: timedelta) -> timedelta:
    """``offset`` when it is between zero and :data:`MAX_OFFSET`; a clear error otherwise."""
    if offset < timedelta(0):
        raise InvalidInput("offset", "an offset cannot be negative")
    if offset > MAX_OFFSET:
        raise InvalidInput("offset", "an offset cannot exceed 30 days")
    return offset


def format_offset(offset: timedelta | None) -> str:
    """``+1:30`` for 90 minutes (``+26:00`` past a day); empty for None."""
    if offset is None:
        return ""
    total = int(offset.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"+{hours}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def planned_due(exercise: Exercise, inject: Inject) -> datetime:
    """When ``inject`` falls due: its absolute time, else start + pauses so far + offset."""
    if inject.at is not None:
        return inject.at
    return exercise.clock_origin + exercise.paused_for + (inject.offset or timedelta(0))


def reschedule_pending(exercise: Exercise) -> int:
    """Recompute ``due_at`` of every undelivered inject; returns how many changed."""
    changed = 0
    for inject in exercise.injects.filter(delivered_at=None):
        due = planned_due(exercise, inject)
        if inject.due_at != due:
            inject.due_at = due
            inject.save(update_fields=["due_at"])
            changed += 1
    return changed


def shift_pending(exercise: Exercise, by: timedelta) -> int:
    """Move every undelivered inject ``by`` later (a resume after a pause)."""
    changed = 0
    for inject in exercise.injects.filter(delivered_at=None).exclude(due_at=None):
        due: datetime = inject.due_at  # type: ignore[assignment]
        inject.due_at = due + by
        inject.save(update_fields=["due_at"])
        changed += 1
    return changed
