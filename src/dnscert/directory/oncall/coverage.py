"""Coverage of the rotas: who is on call over a range, the gaps nobody covers, the hours
covered by one person only, and an hour-by-hour grid for the heat map.

The sweep over shift intervals is plain Python on ``(start, end, responder)`` triples; a
responder on two overlapping shifts counts once.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.directory.oncall.choices import RotaKind
from dnscert.directory.oncall.models import Rota, Shift

DEFAULT_WEEKS = 4
MAX_WEEKS = 52
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Segment:
    """A stretch of time with ``count`` distinct responders on call."""

    start: datetime
    end: datetime
    count: int

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "hours": round(self.hours, 2),
            "responders": self.count,
        }


def sweep(
    shifts: Iterable[tuple[datetime, datetime, int]], start: datetime, end: datetime
) -> list[Segment]:
    """Split ``[start, end)`` into segments with a constant number of responders on call."""
    events: list[tuple[datetime, int, int]] = []
    for begin, finish, who in shifts:
        begin, finish = max(begin, start), min(finish, end)
        if begin < finish:
            events += [(begin, 1, who), (finish, -1, who)]
    events.sort(key=lambda event: (event[0], event[1]))
    depth: dict[int, int] = {}
    segments: list[Segment] = []
    cursor = start
    for moment, step, who in events:
        if moment > cursor:
            segments.append(Segment(cursor, moment, sum(1 for d in depth.values() if d > 0)))
            cursor = moment
        depth[who] = depth.get(who, 0) + step
    if cursor < end:
        segments.append(Segment(cursor, end, sum(1 for d in depth.values() if d > 0)))
    return _merge(segments)


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].count == segment.count and merged[-1].end == segment.start:
            merged[-1] = Segment(merged[-1].start, segment.end, segment.count)
        else:
            merged.append(segment)
    return merged


def _runs(segments: list[Segment], wanted: int) -> list[Segment]:
    """Maximal intervals where exactly ``wanted`` responders are on call (merged)."""
    return _merge([s for s in segments if s.count == wanted])


@dataclass
class Coverage:
    """Coverage of ``[start, end)``: segments, gaps (nobody) and thin stretches (one person)."""

    start: datetime
    end: datetime
    segments: list[Segment]
    gaps: list[Segment] = field(init=False)
    thin: list[Segment] = field(init=False)
    starts: list[datetime] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.gaps = _runs(self.segments, 0)
        self.thin = _runs(self.segments, 1)
        self.starts = [segment.start for segment in self.segments]

    @property
    def uncovered_hours(self) -> float:
        return round(sum(gap.hours for gap in self.gaps), 2)

    @property
    def fully_covered(self) -> bool:
        return not self.gaps

    def minimum_between(self, start: datetime, end: datetime) -> tuple[int, timedelta]:
        """Fewest responders on call in ``[start, end)`` and how long nobody was."""
        index = max(bisect.bisect_right(self.starts, start) - 1, 0)
        fewest, uncovered = None, timedelta(0)
        for segment in self.segments[index:]:
            if segment.start >= end:
                break
            overlap = min(segment.end, end) - max(segment.start, start)
            if overlap > timedelta(0):
                fewest = segment.count if fewest is None else min(fewest, segment.count)
                uncovered += overlap if segment.count == 0 else timedelta(0)
        return (fewest or 0), uncovered

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "uncovered_hours": self.uncovered_hours,
            "gaps": [gap.as_dict() for gap in self.gaps],
            "single_responder": [run.as_dict() for run in self.thin],
        }


def default_range(
    now: datetime | None = None, weeks: int = DEFAULT_WEEKS
) -> tuple[datetime, datetime]:
    """From the start of the current hour (UTC) for ``weeks`` weeks."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput("weeks", f"must be between 1 and {MAX_WEEKS}")
    now = (now or timezone.now()).astimezone(UTC)
    start = now.replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(weeks=weeks)


def paging_shifts(rota: Rota | None = None) -> QuerySet[Shift]:
    """Shifts that count for coverage: of ``rota``, or of every active primary rota."""
    shifts = Shift.objects.filter(responder__is_active=True)
    if rota is not None:
        return shifts.filter(rota=rota)
    return shifts.filter(rota__active=True, rota__kind=RotaKind.PRIMARY)


def coverage(
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    rota: Rota | None = None,
    weeks: int = DEFAULT_WEEKS,
) -> Coverage:
    """Coverage of ``[start, end)`` (default: the coming ``weeks`` weeks from this hour)."""
    if start is None or end is None:
        start, end = default_range(start, weeks)
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise InvalidInput("start", "start and end must include a time zone")
    if end <= start:
        raise InvalidInput("end", "must be after the start")
    rows = paging_shifts(rota).filter(start__lt=end, end__gt=start)
    triples = rows.values_list("start", "end", "responder_id")
    return Coverage(start, end, sweep(triples, start, end))


# --- the heat map ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One local hour of the heat map: ``gap``, ``partial``, ``thin``, ``ok`` or ``outside``."""

    hour: int
    state: str
    responders: int
    uncovered_minutes: int
    start: datetime | None


@dataclass(frozen=True)
class DayRow:
    day: date
    cells: list[Cell]

    @property
    def has_gap(self) -> bool:
        return any(cell.state in ("gap", "partial") for cell in self.cells)


def _cell(result: Coverage, day: date, hour: int, zone: ZoneInfo) -> Cell:
    local = datetime.combine(day, time(hour), tzinfo=zone)
    start = local.astimezone(UTC)
    if start.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return Cell(hour, "outside", 0, 0, None)  # a local hour skipped by a DST change
    end = start + HOUR
    if end <= result.start or start >= result.end:
        return Cell(hour, "outside", 0, 0, start)
    fewest, uncovered = result.minimum_between(max(start, result.start), min(end, result.end))
    minutes = int(uncovered.total_seconds() // 60)
    if minutes >= 60:
        state = "gap"
    elif minutes:
        state = "partial"
    else:
        state = "thin" if fewest == 1 else "ok"
    return Cell(hour, state, fewest, minutes, start)


def heat_map(result: Coverage, zone: ZoneInfo) -> list[DayRow]:
    """Rows of 24 local hours, one per local day of the range, in time zone ``zone``."""
    first = result.start.astimezone(zone).date()
    last = (result.end - timedelta(microseconds=1)).astimezone(zone).date()
    rows = []
    day = first
    while day <= last:
        rows.append(DayRow(day, [_cell(result, day, hour, zone) for hour in range(24)]))
        day += timedelta(days=1)
    return rows
