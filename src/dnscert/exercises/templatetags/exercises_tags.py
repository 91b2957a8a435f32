"""Template filters of exercises: offsets and response times as people read them."""

from __future__ import annotations

from datetime import timedelta

from django import template

from dnscert.exercises.schedule import format_offset

register = template.Library()


@register.filter
def offset(value: timedelta | None) -> str:
    """``+1:30`` for an offset of 90 minutes."""
    return format_offset(value)


@register.filter
def duration(value: timedelta | None) -> str:
    """``1 h 05 min``, ``12 min`` or ``40 s``; ``—`` when there is none."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    hours, rest = divmod(seconds // 60, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


@register.filter
def minutes(value: float | None) -> str:
    """Minutes with one decimal; ``—`` when there is none."""
    return "—" if value is None else f"{value:.1f}"
