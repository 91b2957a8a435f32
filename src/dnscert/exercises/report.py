"""The after-action figures of an exercise: time to respond per inject and per participant.

:func:`build` gathers, in a few queries, every delivery with its first answer, then sums
them up per inject and per participant (answered, missed, median and slowest time), the
objectives as staff assessed them, the observer notes and the lessons learned. The pages,
the exports (:mod:`dnscert.exercises.export`) and the CLI all read this one structure.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone

from dnscert.exercises.models import Exercise, Inject, InjectDelivery, Objective, ObserverNote


@dataclass
class Row:
    """One inject delivered to one participant, and how fast it was answered."""

    inject_id: int
    inject: str
    organisation: str
    delivered_at: datetime
    first_response_at: datetime | None
    response_required: bool
    answers: int

    @property
    def minutes(self) -> float | None:
        if self.first_response_at is None:
            return None
        return round((self.first_response_at - self.delivered_at).total_seconds() / 60, 1)

    @property
    def missed(self) -> bool:
        return self.response_required and self.first_response_at is None


@dataclass
class Summary:
    """Answers of a group of rows (one inject, or one participant)."""

    label: str
    delivered: int = 0
    answered: int = 0
    missed: int = 0
    median_minutes: float | None = None
    slowest_minutes: float | None = None
    delivered_at: datetime | None = None


@dataclass
class Report:
    exercise: Exercise
    rows: list[Row]
    per_inject: list[Summary]
    per_participant: list[Summary]
    objectives: list[Objective]
    notes: list[ObserverNote]
    pending: list[Inject]
    generated_at: datetime = field(default_factory=timezone.now)

    def chart(self) -> dict[str, Any]:
        """Minutes to the first answer per inject (x) and participant (one series each)."""
        labels = [summary.label for summary in self.per_inject]
        series: dict[str, list[float | None]] = {}
        index = self.inject_index
        for row in self.rows:
            values = series.setdefault(row.organisation, [None] * len(labels))
            values[index[row.inject_id]] = row.minutes
        return {"labels": labels, "series": series}

    @property
    def inject_index(self) -> dict[int, int]:
        """Inject id -> its column in the per-inject figures (delivery order)."""
        order = dict.fromkeys(row.inject_id for row in self.rows)
        return {inject_id: index for index, inject_id in enumerate(order)}


def _summary(label: str, rows: list[Row]) -> Summary:
    minutes = [row.minutes for row in rows if row.minutes is not None]
    return Summary(
        label=label,
        delivered=len(rows),
        answered=sum(1 for row in rows if row.first_response_at is not None),
        missed=sum(1 for row in rows if row.missed),
        median_minutes=round(statistics.median(minutes), 1) if minutes else None,
        slowest_minutes=max(minutes) if minutes else None,
        delivered_at=min((row.delivered_at for row in rows), default=None),
    )


def _rows(exercise: Exercise) -> list[Row]:
    deliveries = (
        InjectDelivery.objects.filter(inject__exercise=exercise)
        .select_related("inject", "participant__organisation")
        .annotate(answer_count=Count("responses"))
        .order_by("inject__delivered_at", "inject__position", "participant__organisation__name")
    )
    return [
        Row(
            inject_id=d.inject.pk,
            inject=d.inject.title,
            organisation=d.participant.organisation.name,
            delivered_at=d.delivered_at,
            first_response_at=d.first_response_at,
            response_required=d.inject.response_required,
            answers=d.answer_count,  # type: ignore[attr-defined]
        )
        for d in deliveries
    ]


def _group(rows: list[Row], key: str) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(str(getattr(row, key)), []).append(row)
    return groups


def build(exercise: Exercise) -> Report:
    """The after-action report of ``exercise`` as it stands now."""
    rows = _rows(exercise)
    by_inject = _group(rows, "inject_id")
    per_inject = [_summary(group[0].inject, group) for group in by_inject.values()]
    per_participant = [
        _summary(name, group) for name, group in sorted(_group(rows, "organisation").items())
    ]
    return Report(
        exercise=exercise,
        rows=rows,
        per_inject=per_inject,
        per_participant=per_participant,
        objectives=list(exercise.objectives.all()),
        notes=list(exercise.notes.select_related("author")),
        pending=list(exercise.injects.filter(delivered_at=None).order_by("due_at", "position")),
    )
