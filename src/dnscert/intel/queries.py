"""Read-side questions of the pages and API: scoped aggregates, chart series, exports.

The team's charts read the daily aggregates; a member's charts are computed from the events
they may see (their TLDs and registrations), so a member never sees another constituent's
figures. A member's aggregates are only those of their own TLDs and registrar id.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from dnscert.directory.choices import ZoneKind
from dnscert.directory.models import Organisation, Zone
from dnscert.intel.aggregation import registrar_key
from dnscert.intel.choices import Dimension
from dnscert.intel.models import DailyAggregate, Event
from dnscert.intel.scope import is_team, member_organisation_id, scope_events

#: Most rows one export returns.
EXPORT_LIMIT = 100_000
CHART_DAYS = (7, 30, 90, 365)
DEFAULT_CHART_DAYS = 30
CHART_SERIES = 8
EXPORT_FIELDS = (
    "id",
    "time_source",
    "time_observation",
    "feed",
    "classification_taxonomy",
    "classification_type",
    "source_fqdn",
    "source_domain",
    "source_tld",
    "source_url",
    "source_ip",
    "source_asn",
    "registrar_name",
    "registrar_iana_id",
    "domain_created_at",
    "raw",
)


def scope_aggregates(user: Any, rows: QuerySet[DailyAggregate]) -> QuerySet[DailyAggregate]:
    """Aggregates ``user`` may see: all for the team; a member's own TLDs and registrar id."""
    if is_team(user):
        return rows
    organisation_id = member_organisation_id(user)
    if organisation_id is None:
        return rows.none()
    tlds = [name.rstrip(".") for name in _own_tlds(organisation_id)]
    iana_id = Organisation.objects.filter(pk=organisation_id).values_list("iana_id", flat=True)
    own_id = next(iter(iana_id), None)
    condition = Q(dimension=Dimension.TLD, key__in=tlds)
    if own_id is not None:
        condition |= Q(dimension=Dimension.REGISTRAR, key=str(own_id))
    return rows.filter(condition)


def _own_tlds(organisation_id: int) -> list[str]:
    zones = Zone.objects.filter(organisation_id=organisation_id, kind=ZoneKind.TLD)
    return list(zones.values_list("name", flat=True))


def chart_series(user: Any, dimension: str, days: int, today: date | None = None) -> dict[str, Any]:
    """Events per day of the top keys of ``dimension`` over the last ``days`` days (Chart.js)."""
    last = today or timezone.now().date()
    first = last - timedelta(days=days - 1)
    if is_team(user):
        counts = _aggregate_counts(dimension, first, last)
    else:
        counts = _event_counts(user, dimension, first, last)
    totals: dict[str, int] = defaultdict(int)
    for (_day, key), count in counts.items():
        totals[key] += count
    top = sorted(totals, key=lambda key: (-totals[key], key))[:CHART_SERIES]
    labels = [first + timedelta(days=offset) for offset in range(days)]
    return {
        "kind": "line",
        "labels": [day.isoformat() for day in labels],
        "datasets": [
            {"label": key or "-", "data": [counts.get((day, key), 0) for day in labels]}
            for key in top
        ],
        "totals": [{"key": key, "count": totals[key]} for key in top],
    }


def _aggregate_counts(dimension: str, first: date, last: date) -> dict[tuple[date, str], int]:
    rows = (
        DailyAggregate.objects.filter(dimension=dimension, day__gte=first, day__lte=last)
        .values("day", "label")
        .annotate(total=Sum("count"))
        .order_by()
    )
    return {(row["day"], row["label"]): row["total"] for row in rows}


_EVENT_KEYS = {
    Dimension.TLD: ("source_tld",),
    Dimension.CATEGORY: ("classification_type",),
    Dimension.FEED: ("feed__name",),
    Dimension.REGISTRAR: ("registrar_iana_id", "registrar_name"),
}


def _event_counts(
    user: Any, dimension: str, first: date, last: date
) -> dict[tuple[date, str], int]:
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    events = scope_events(user).filter(time_source__gte=start, time_source__lt=end)
    fields = _EVENT_KEYS[Dimension(dimension)]
    rows = (
        events.annotate(day=TruncDate("time_source", tzinfo=UTC))
        .values("day", *fields)
        .annotate(total=Count("id"))
        .order_by()
    )
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for row in rows:
        if dimension == Dimension.REGISTRAR:
            if not row["registrar_name"] and row["registrar_iana_id"] is None:
                continue
            label = registrar_key(row["registrar_iana_id"], row["registrar_name"])[1]
        else:
            label = row[fields[0]]
        if label:
            counts[(row["day"], label)] += row["total"]
    return counts


def export_rows(events: QuerySet[Event]) -> Iterator[dict[str, Any]]:
    """Events as plain dicts (at most :data:`EXPORT_LIMIT`), streamed."""
    rows = events.select_related("feed").order_by("-time_source", "-id")[:EXPORT_LIMIT]
    for event in rows.iterator(chunk_size=2000):
        yield {
            name: (event.feed.name if name == "feed" else _plain(getattr(event, name)))
            for name in EXPORT_FIELDS
        }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def csv_lines(events: QuerySet[Event]) -> Iterator[str]:
    """The CSV export: a header, then one line per event."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    yield _drain(buffer)
    for row in export_rows(events):
        writer.writerow({name: _cell(value) for name, value in row.items()})
        yield _drain(buffer)


def json_chunks(events: QuerySet[Event]) -> Iterator[str]:
    """The JSON export: one array of event objects, streamed."""
    yield "["
    separator = ""
    for row in export_rows(events):
        yield separator + json.dumps(row, ensure_ascii=False)
        separator = ",\n"
    yield "]\n"


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
