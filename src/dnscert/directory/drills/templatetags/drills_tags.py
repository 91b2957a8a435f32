"""Template filters of the drill pages: answer times in words, rates in percent."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def answer_time(value: float | timedelta | None) -> str:
    """Seconds (or a timedelta) as ``2 h 05 min``, ``12 min 30 s`` or ``45 s``; empty if None."""
    if value is None or value == "":
        return ""
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else float(value))
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min %(s)02d s") % {"m": minutes, "s": secs}
    return _("%(s)d s") % {"s": secs}


@register.filter
def percent(value: float | None) -> str:
    """``87.5 %``; a dash when there is nothing to count."""
    return "—" if value is None else f"{value:g} %"


@register.filter
def zip_counts(labels: list[str], counts: list[int]) -> list[tuple[str, int]]:
    """Pairs of histogram label and count, for the table beside the chart."""
    return list(zip(labels, counts, strict=False))
