"""Durations and their statistics: seconds between two times, median and percentiles, display.

Plain functions with no database access, shared by after-action reports and KPIs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext as _


def seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    """Whole seconds from ``start`` to ``end``; None when either is missing or end < start."""
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds())


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` percentile (0..1) of ``values`` by linear interpolation; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float | None:
    """The median of ``values`` (None if empty)."""
    return percentile(values, 0.5)


def hours(seconds: float | None) -> float | None:
    """``seconds`` in hours, rounded to two decimals (None stays None)."""
    return None if seconds is None else round(seconds / 3600, 2)


def human(seconds: float | None) -> str:
    """A short duration such as ``2 d 3 h``, ``4 h 05 min``, ``12 min`` or ``40 s``; — if None."""
    if seconds is None:
        return "—"
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hrs, rest = divmod(rest, 3600)
    mins, secs = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hrs}
    if hrs:
        return _("%(h)d h %(m)02d min") % {"h": hrs, "m": mins}
    if mins:
        return _("%(m)d min") % {"m": mins}
    return _("%(s)d s") % {"s": secs}
