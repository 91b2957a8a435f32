"""The week calendar of a rota page: each day of the week in the viewer's time zone, with
the shifts touching it shown in the viewer's time and in the shift owner's own time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dnscert.directory.oncall.models import Rota, Shift
from dnscert.directory.oncall.rotas import shifts_between, week_start


def user_zone(user: Any) -> ZoneInfo:
    """The user's time zone, UTC when unset or unknown."""
    try:
        return ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class ShiftView:
    """One shift as a calendar cell shows it."""

    shift: Shift
    start: datetime  # in the viewer's zone
    end: datetime
    owner_start: datetime  # in the responder's zone
    owner_end: datetime
    owner_zone: str


@dataclass(frozen=True)
class Day:
    day: date
    shifts: list[ShiftView]


def _view(shift: Shift, viewer: ZoneInfo) -> ShiftView:
    owner = user_zone(shift.responder)
    return ShiftView(
        shift,
        shift.start.astimezone(viewer),
        shift.end.astimezone(viewer),
        shift.start.astimezone(owner),
        shift.end.astimezone(owner),
        str(owner),
    )


def week(rota: Rota, monday: date, viewer: ZoneInfo) -> list[Day]:
    """The seven local days from ``monday`` with the shifts overlapping each of them."""
    monday = week_start(monday)
    bounds = [datetime.combine(monday + timedelta(days=n), time(0), viewer) for n in range(8)]
    start, end = bounds[0].astimezone(UTC), bounds[7].astimezone(UTC)
    views = [_view(shift, viewer) for shift in shifts_between(rota, start, end)]
    return [
        Day(
            bounds[n].date(),
            [v for v in views if v.shift.start < bounds[n + 1] and v.shift.end > bounds[n]],
        )
        for n in range(7)
    ]
