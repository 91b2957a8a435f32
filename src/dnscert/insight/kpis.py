"""Service KPIs over a period: incidents by category and severity, response times, feedback.

Figures count only the incidents the viewer may see (core staff see all), so the same code
serves the staff page, the stakeholders' summary, the API, the CSV and the quarterly PDF.
Times are in hours, median and 90th percentile, per severity and month of opening. Per-
organisation figures are for core staff only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from dnscert.core.choices import Severity
from dnscert.core.exceptions import InvalidInput
from dnscert.core.visibility import is_core_staff
from dnscert.incidents.models import Incident, Participant
from dnscert.incidents.taxonomy import label as category_label
from dnscert.insight.models import FeedbackAnswer, FeedbackRequest
from dnscert.insight.queries import visible_incidents
from dnscert.insight.timing import hours, median, percentile, seconds_between

MAX_PERIOD_DAYS = 366 * 5


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included (UTC)."""

    start: dt.date
    end: dt.date

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=dt.UTC)

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)

    def months(self) -> list[str]:
        """``YYYY-MM`` of every month the period touches, in order."""
        found, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            found.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found


def _date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(field, f"expected a date YYYY-MM-DD, got {value!r}") from None


def parse_period(start: str | None = None, end: str | None = None) -> Period:
    """The period from ``start`` to ``end`` (ISO dates); the last twelve months by default."""
    until = _date(end, "end") or timezone.now().date()
    since = _date(start, "start") or (until.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    if since > until:
        raise InvalidInput("start", f"{since} is after the end {until}")
    if (until - since).days > MAX_PERIOD_DAYS:
        raise InvalidInput("start", f"the period may span at most {MAX_PERIOD_DAYS} days")
    return Period(since, until)


def quarter(year: Any, number: Any) -> Period:
    """Calendar quarter ``number`` (1-4) of ``year``."""
    try:
        year, number = int(year), int(number)
    except (TypeError, ValueError):
        raise InvalidInput("quarter", "year and quarter must be whole numbers") from None
    if not 1 <= number <= 4:
        raise InvalidInput("quarter", f"must be 1 to 4, got {number}")
    if not 2000 <= year <= 2100:
        raise InvalidInput("year", f"must be between 2000 and 2100, got {year}")
    first = dt.date(year, 3 * number - 2, 1)
    after = dt.date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
    return Period(first, after - dt.timedelta(days=1))


def current_quarter() -> tuple[int, int]:
    today = timezone.now().date()
    return today.year, (today.month - 1) // 3 + 1


def incidents_in(user: Any, period: Period) -> QuerySet[Incident]:
    """The incidents ``user`` may see that were opened during ``period``."""
    return visible_incidents(user).filter(created_at__gte=period.since, created_at__lt=period.until)


def month_of(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m")


def compute(user: Any, period: Period) -> dict[str, Any]:
    """Every KPI figure of ``period`` that ``user`` may see, JSON-ready."""
    incidents = list(incidents_in(user, period).only(*_FIELDS))
    ids = [incident.pk for incident in incidents]
    by_category = _count(incidents, "category")
    figures: dict[str, Any] = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "months": period.months(),
        "total": len(incidents),
        "by_severity": _count(incidents, "severity", Severity.values),
        "by_category": by_category,
        "monthly_by_severity": _monthly(incidents, "severity", period),
        "monthly_by_category": _monthly(incidents, "category", period),
        "response_times": response_times(incidents, period),
        "participant_acknowledgement": participant_times(ids, per_organisation=is_core_staff(user)),
        "feedback": feedback_scores(ids),
    }
    figures["category_labels"] = {key: category_label(key) for key in by_category}
    figures["severity_labels"] = {key: str(label) for key, label in Severity.choices}
    return figures


_FIELDS = ("id", "severity", "category", "created_at", "acknowledged_at", "resolved_at", "tlp")


def _count(incidents: list[Incident], field: str, order: Iterable[str] = ()) -> dict[str, int]:
    counts = Counter(getattr(incident, field) for incident in incidents)
    ordered = {key: counts.get(key, 0) for key in order}
    ordered.update(sorted((k, v) for k, v in counts.items() if k not in ordered))
    return ordered


def _monthly(incidents: list[Incident], field: str, period: Period) -> dict[str, list[int]]:
    """``{value: [count per month]}`` for every value seen."""
    months = period.months()
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    index = {month: n for n, month in enumerate(months)}
    for incident in incidents:
        series[getattr(incident, field)][index[month_of(incident.created_at)]] += 1
    return dict(sorted(series.items()))


def _stats(values: list[int]) -> dict[str, Any]:
    return {
        "count": len(values),
        "median_hours": hours(median(values)),
        "p90_hours": hours(percentile(values, 0.9)),
    }


def response_times(incidents: list[Incident], period: Period) -> list[dict[str, Any]]:
    """Per severity and month: time to acknowledge and to resolve (median, p90, in hours)."""
    buckets: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(
        lambda: {"acknowledge": [], "resolve": []}
    )
    for incident in incidents:
        bucket = buckets[(incident.severity, month_of(incident.created_at))]
        for measure, end in (
            ("acknowledge", incident.acknowledged_at),
            ("resolve", incident.resolved_at),
        ):
            taken = seconds_between(incident.created_at, end)
            if taken is not None:
                bucket[measure].append(taken)
    rows = []
    for severity in Severity.values:
        for month in period.months():
            if (severity, month) in buckets:
                bucket = buckets[(severity, month)]
                rows.append(
                    {
                        "severity": severity,
                        "month": month,
                        "acknowledge": _stats(bucket["acknowledge"]),
                        "resolve": _stats(bucket["resolve"]),
                    }
                )
    return rows


def participant_times(incident_ids: list[int], *, per_organisation: bool) -> dict[str, Any]:
    """How fast participants acknowledged: overall, and per organisation for staff."""
    rows = Participant.objects.filter(
        incident_id__in=incident_ids, notified_at__isnull=False
    ).select_related("organisation")
    overall: list[int] = []
    by_org: dict[str, list[int]] = defaultdict(list)
    notified = 0
    for participant in rows:
        notified += 1
        taken = seconds_between(participant.notified_at, participant.acknowledged_at)
        if taken is not None:
            overall.append(taken)
            by_org[participant.organisation.name].append(taken)
    result: dict[str, Any] = {"notified": notified, **_stats(overall)}
    if per_organisation:
        result["organisations"] = [
            {"organisation": name, **_stats(values)} for name, values in sorted(by_org.items())
        ]
    return result


def feedback_scores(incident_ids: list[int]) -> dict[str, Any]:
    """Survey figures for the incidents: requests, answers, average scores (1-5)."""
    answers = FeedbackAnswer.objects.filter(participant__incident_id__in=incident_ids)
    totals = answers.aggregate(count=Count("id"), useful=Avg("useful"), timely=Avg("timely"))
    requests = FeedbackRequest.objects.filter(participant__incident_id__in=incident_ids).count()
    return {
        "requests": requests,
        "answers": totals["count"],
        "response_rate": round(totals["count"] / requests, 3) if requests else None,
        "useful_average": _round(totals["useful"]),
        "timely_average": _round(totals["timely"]),
        "useful_distribution": _distribution(answers, "useful"),
        "timely_distribution": _distribution(answers, "timely"),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _distribution(answers: QuerySet[FeedbackAnswer], field: str) -> list[int]:
    counts = dict(
        answers.order_by().values_list(field).annotate(n=Count("id")).values_list(field, "n")
    )
    return [counts.get(score, 0) for score in range(1, 6)]


def csv_rows(figures: dict[str, Any]) -> Iterator[list[Any]]:
    """The figures as ``section, month, key, measure, value`` rows (header first)."""
    yield ["section", "month", "key", "measure", "value"]
    yield ["incidents", "", "total", "count", figures["total"]]
    for key, value in figures["by_severity"].items():
        yield ["by_severity", "", key, "count", value]
    for key, value in figures["by_category"].items():
        yield ["by_category", "", key, "count", value]
    for section in ("monthly_by_severity", "monthly_by_category"):
        for key, counts in figures[section].items():
            for month, count in zip(figures["months"], counts, strict=True):
                yield [section, month, key, "count", count]
    for row in figures["response_times"]:
        for measure in ("acknowledge", "resolve"):
            for stat in ("count", "median_hours", "p90_hours"):
                yield [
                    "response_times",
                    row["month"],
                    row["severity"],
                    f"{measure}_{stat}",
                    row[measure][stat],
                ]
    ack = figures["participant_acknowledgement"]
    for stat in ("notified", "count", "median_hours", "p90_hours"):
        yield ["participant_acknowledgement", "", "all", stat, ack[stat]]
    for row in ack.get("organisations", []):
        for stat in ("count", "median_hours", "p90_hours"):
            yield ["participant_acknowledgement", "", row["organisation"], stat, row[stat]]
    for stat, value in figures["feedback"].items():
        if not isinstance(value, list):
            yield ["feedback", "", "all", stat, value]
