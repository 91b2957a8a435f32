"""Figures of drills: response rates, median and p90 time to answer, the distribution of
answer times, and the trend over past drills. Pure arithmetic over probes, no side effects."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import QuerySet

from dnscert.directory.drills.choices import ANSWERED, DrillStatus, Outcome
from dnscert.directory.drills.models import Drill, Probe

#: Upper bounds (minutes) of the time-to-answer histogram; the last bucket is open-ended.
BUCKETS_MINUTES = (15, 30, 60, 120, 240, 480, 1440)
TREND_SIZE = 12


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile of ``values`` (None when empty): p90 is ``fraction=0.9``."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    """The median of ``values`` (mean of the middle two for an even count), None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def bucket_labels() -> list[str]:
    """``≤15 min``, ..., ``>24 h``: the histogram's labels."""
    labels = [f"≤{_duration(minutes)}" for minutes in BUCKETS_MINUTES]
    return [*labels, f">{_duration(BUCKETS_MINUTES[-1])}"]


def _duration(minutes: int) -> str:
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h"


def histogram(seconds: Iterable[float]) -> list[int]:
    """How many answers fall in each bucket of :data:`BUCKETS_MINUTES`."""
    counts = [0] * (len(BUCKETS_MINUTES) + 1)
    for value in seconds:
        index = next(
            (i for i, bound in enumerate(BUCKETS_MINUTES) if value <= bound * 60),
            len(BUCKETS_MINUTES),
        )
        counts[index] += 1
    return counts


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """What a drill (or a filtered set of its probes) showed."""

    probes: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    response_rate: float | None = None
    in_time_rate: float | None = None
    median_seconds: float | None = None
    p90_seconds: float | None = None
    histogram_labels: list[str] = field(default_factory=bucket_labels)
    histogram: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def figures_of(probes: Iterable[Probe]) -> Figures:
    """Figures over ``probes``: counts per outcome, rates in percent, times in seconds."""
    rows = list(probes)
    outcomes = {value: 0 for value in Outcome.values}
    seconds: list[float] = []
    for probe in rows:
        outcomes[probe.outcome] += 1
        waited = probe.time_to_answer
        if probe.outcome in ANSWERED and waited is not None:
            seconds.append(waited.total_seconds())
    answered = outcomes[Outcome.IN_TIME] + outcomes[Outcome.LATE]
    return Figures(
        probes=len(rows),
        outcomes=outcomes,
        answered=answered,
        response_rate=_rate(answered, len(rows)),
        in_time_rate=_rate(outcomes[Outcome.IN_TIME], len(rows)),
        median_seconds=median(seconds),
        p90_seconds=percentile(seconds, 0.9),
        histogram=histogram(seconds),
    )


def drill_figures(drill: Drill) -> Figures:
    """Figures of every probe of ``drill``."""
    return figures_of(drill.probes.all())


def trend(drills: QuerySet[Drill] | None = None, size: int = TREND_SIZE) -> list[dict[str, Any]]:
    """The last ``size`` closed drills, oldest first: reference, date and main figures."""
    closed = (drills if drills is not None else Drill.objects.all()).filter(
        status=DrillStatus.CLOSED
    )
    latest = list(closed.order_by("-launched_at", "-id")[:size].prefetch_related("probes"))
    rows = []
    for drill in reversed(latest):
        figures = figures_of(drill.probes.all())
        rows.append(
            {
                "id": drill.pk,
                "reference": drill.reference,
                "title": drill.title,
                "launched_at": drill.launched_at.isoformat() if drill.launched_at else None,
                "probes": figures.probes,
                "response_rate": figures.response_rate,
                "in_time_rate": figures.in_time_rate,
                "median_seconds": figures.median_seconds,
                "p90_seconds": figures.p90_seconds,
            }
        )
    return rows
