"""Template filters: an instant in the viewer's own time zone, with UTC alongside."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template

register = template.Library()


def _zone(user: Any) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@register.filter
def in_zone_of(moment: datetime | None, user: Any) -> str:
    """``2026-07-08 14:00 CEST (12:00 UTC)``: the reader's local time, then UTC."""
    if moment is None:
        return "—"
    local = moment.astimezone(_zone(user))
    utc = moment.astimezone(UTC)
    if local.utcoffset() == utc.utcoffset():
        return f"{utc:%Y-%m-%d %H:%M} UTC"
    return f"{local:%Y-%m-%d %H:%M %Z} (UTC {utc:%Y-%m-%d %H:%M})"


@register.filter
def silent_at(vendor: Any, now: datetime) -> bool:
    return bool(vendor.is_silent_at(now))
