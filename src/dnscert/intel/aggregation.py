"""Daily aggregates per TLD, registrar, category and feed: kept current on ingest, rebuilt by a
job, and the roll-up that outlives event retention.

On ingest, :class:`AggregateCounter` counts each stored batch and :func:`add_counts` adds the
counts with one upsert (``INSERT ... ON CONFLICT DO UPDATE``, on SQLite and PostgreSQL).
:func:`rebuild_days` recomputes days from the stored events (after re-attribution, or to repair
drift). :func:`prune` applies the retention settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from dnscert.intel import conf
from dnscert.intel import rows as R
from dnscert.intel.choices import Dimension
from dnscert.intel.models import DailyAggregate, Event, FailedRecord

AggregateKey = tuple[date, str, str]


@dataclass
class Tally:
    """Counts of one aggregate key."""

    label: str
    count: int = 0
    new_registrations: int = 0


def registrar_key(iana_id: int | None, name: str) -> tuple[str, str]:
    """``(key, label)`` of a registrar: the IANA id when known, else the name."""
    if iana_id is not None:
        return str(iana_id), name or str(iana_id)
    return name, name


def is_new_registration(moment: datetime, created: datetime | None, days: int) -> bool:
    """True when the domain was created at most ``days`` before the event."""
    return created is not None and timedelta(0) <= moment - created <= timedelta(days=days)


@dataclass
class AggregateCounter:
    """Counts stored event rows per day and dimension until :meth:`flush`."""

    feed_name: str
    new_days: int = field(default_factory=conf.new_registration_days)
    tallies: dict[AggregateKey, Tally] = field(default_factory=dict)

    def count(self, batch: Sequence[list[Any]]) -> None:
        """Add the rows of ``batch`` to the tallies.

        Rows are grouped by everything the tallies depend on first: a batch holds few such
        groups, so each dimension's tally is touched once per group rather than per row.
        """
        groups: dict[tuple[date, str, str, int | None, str, bool], int] = {}
        new_days = self.new_days
        for row in batch:
            moment, created = row[R.TIME], row[R.DOMAIN_CREATED]
            new = created is not None and is_new_registration(moment, created, new_days)
            group = (
                moment.date(),
                row[R.TYPE],
                row[R.TLD],
                row[R.REGISTRAR_IANA_ID],
                row[R.REGISTRAR_NAME],
                new,
            )
            groups[group] = groups.get(group, 0) + 1
        feed = self.feed_name
        for (day, category, tld, iana_id, registrar, new), count in groups.items():
            self._add(day, Dimension.FEED, feed, feed, new, count)
            self._add(day, Dimension.CATEGORY, category, category, new, count)
            if tld:
                self._add(day, Dimension.TLD, tld, tld, new, count)
            if registrar or iana_id is not None:
                key, label = registrar_key(iana_id, registrar)
                self._add(day, Dimension.REGISTRAR, key, label, new, count)

    def _add(self, day: date, dimension: str, key: str, label: str, new: bool, count: int) -> None:
        tally = self.tallies.get((day, dimension, key))
        if tally is None:
            tally = self.tallies[(day, dimension, key)] = Tally(label)
        tally.count += count
        if new:
            tally.new_registrations += count

    def flush(self) -> int:
        """Add the tallies to the stored aggregates and start again; rows touched."""
        return add_counts(self.take())

    def take(self) -> list[tuple[AggregateKey, Tally]]:
        """The tallies so far, and start again."""
        tallies, self.tallies = self.tallies, {}
        return list(tallies.items())


def add_counts(tallies: Iterable[tuple[AggregateKey, Tally]]) -> int:
    """Add counts to the stored aggregates with one upsert."""
    params = upsert_rows(tallies)
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(upsert_statement(), params)
    return len(params)


def upsert_statement() -> str:
    """The statement that adds one row of :func:`upsert_rows` to the stored aggregates."""
    quote = connection.ops.quote_name
    table = quote(DailyAggregate._meta.db_table)
    columns = ("day", "dimension", "key", "label", "count", "new_registrations")
    return (
        f"INSERT INTO {table} ({', '.join(map(quote, columns))}) VALUES (%s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT ({quote('day')}, {quote('dimension')}, {quote('key')}) DO UPDATE SET "
        f"{quote('count')} = {table}.{quote('count')} + excluded.{quote('count')}, "
        f"{quote('new_registrations')} = {table}.{quote('new_registrations')} "
        f"+ excluded.{quote('new_registrations')}, {quote('label')} = excluded.{quote('label')}"
    )


def upsert_rows(tallies: Iterable[tuple[AggregateKey, Tally]]) -> list[tuple[Any, ...]]:
    """Parameters of :func:`upsert_statement`, in key order (concurrent upserts of the same
    keys then lock them in the same order and cannot deadlock)."""
    adapt = connection.ops.adapt_datefield_value
    return [
        (adapt(day), dimension, key[:253], tally.label[:253], tally.count, tally.new_registrations)
        for (day, dimension, key), tally in sorted(tallies, key=lambda item: item[0])
    ]


def rebuild_days(first: date, last: date) -> int:
    """Recompute the aggregates of ``first``..``last`` from the stored events; rows written."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    events = Event.objects.filter(time_source__gte=start, time_source__lt=end)
    tallies: dict[AggregateKey, Tally] = {}
    new_days = conf.new_registration_days()
    for dimension, key_field, label_field, condition in _DIMENSIONS:
        for row in _grouped(events.filter(condition), key_field, label_field, new_days):
            key, label = _key_label(dimension, row)
            tally = tallies.setdefault((row["day"], dimension, key), Tally(label))
            tally.count += row["count"]
            tally.new_registrations += row["new"]
    with transaction.atomic():
        DailyAggregate.objects.filter(day__gte=first, day__lte=last).delete()
        return add_counts(tallies.items())


_DIMENSIONS: tuple[tuple[str, str, str, Q], ...] = (
    (Dimension.FEED, "feed__name", "feed__name", Q()),
    (Dimension.CATEGORY, "classification_type", "classification_type", Q()),
    (Dimension.TLD, "source_tld", "source_tld", ~Q(source_tld="")),
    (
        Dimension.REGISTRAR,
        "registrar_iana_id",
        "registrar_name",
        ~Q(registrar_name="") | Q(registrar_iana_id__isnull=False),
    ),
)


def _grouped(
    events: QuerySet[Event], key_field: str, label_field: str, new_days: int
) -> Iterable[dict[str, Any]]:
    new = Q(
        domain_created_at__isnull=False,
        domain_created_at__lte=F("time_source"),
        domain_created_at__gte=F("time_source") - timedelta(days=new_days),
    )
    return (
        events.annotate(day=TruncDate("time_source", tzinfo=UTC))
        .values("day", key_field, label_field)
        .annotate(count=Count("id"), new=Count("id", filter=new))
        .order_by()
    )


def _key_label(dimension: str, row: dict[str, Any]) -> tuple[str, str]:
    if dimension == Dimension.REGISTRAR:
        return registrar_key(row["registrar_iana_id"], row["registrar_name"])
    if dimension == Dimension.FEED:
        return row["feed__name"], row["feed__name"]
    field_name = "classification_type" if dimension == Dimension.CATEGORY else "source_tld"
    return row[field_name], row[field_name]


def prune(now: datetime | None = None) -> dict[str, int]:
    """Delete events, failed lines and aggregates older than their retention settings."""
    moment = now or timezone.now()
    removed = {"events": 0, "failed_records": 0, "aggregates": 0}
    if days := conf.event_retention_days():
        removed["events"] = _delete(Event.objects.filter(time_source__lt=moment - _days(days)))
    if days := conf.failed_retention_days():
        old = FailedRecord.objects.filter(run__started_at__lt=moment - _days(days))
        removed["failed_records"] = _delete(old)
    if days := conf.aggregate_retention_days():
        old_days = DailyAggregate.objects.filter(day__lt=(moment - _days(days)).date())
        removed["aggregates"] = _delete(old_days)
    return removed


def _days(days: int) -> timedelta:
    return timedelta(days=days)


def _delete(queryset: QuerySet[Any]) -> int:
    count, _ = queryset.delete()
    return count
