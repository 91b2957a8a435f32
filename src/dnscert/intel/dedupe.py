"""Deduplication against the database: an event repeats a stored one within the window.

The pipeline's in-memory dedupe expert removes repeats inside one run; this check removes
repeats of events stored by earlier runs (another upload of the same file, the next fetch of
a feed that still lists the same URL), one query per batch on the ``(dedupe_key,
time_source)`` index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Max, Min

from dnscert.intel import rows as R
from dnscert.intel.models import Event

_QUERY_CHUNK = 900


Span = tuple[datetime, datetime]
"""Earliest and latest time of a feed's stored events."""


def stored_span(feed_id: int) -> Span | None:
    """When the stored events of a feed begin and end; None when it has none.

    Taken before a run writes anything, it bounds where that run's rows can repeat an earlier
    run's: the dedupe key includes the feed, so only the same feed's events can match.
    """
    found = Event.objects.filter(feed_id=feed_id).aggregate(
        first=Min("time_source"), last=Max("time_source")
    )
    first, last = found["first"], found["last"]
    return None if first is None or last is None else (first, last)


def drop_stored_duplicates(
    batch: Sequence[list[Any]], window_seconds: int, span: Span | None = None
) -> list[list[Any]]:
    """The rows of ``batch`` with no stored event of the same key within the window.

    ``span`` is :func:`stored_span` of the batch's feed before its run began, when known: a
    batch whose times, widened by the window, stay clear of it cannot repeat a stored event
    (a feed's first import, a backfill of older data) and costs no look-up.
    """
    if not batch or window_seconds <= 0:
        return list(batch)
    window = timedelta(seconds=window_seconds)
    if span is not None and not _overlaps(batch, window, span):
        return list(batch)
    stored = _stored_times(batch, window)
    if not stored:
        return list(batch)
    return [row for row in batch if not _seen(stored.get(row[R.DEDUPE_KEY]), row[R.TIME], window)]


def _stored_times(batch: Sequence[list[Any]], window: timedelta) -> dict[int, list[datetime]]:
    times = [row[R.TIME] for row in batch]
    earliest, latest = min(times) - window, max(times) + window
    keys = list({row[R.DEDUPE_KEY] for row in batch})
    stored: dict[int, list[datetime]] = defaultdict(list)
    if connection.vendor == "postgresql":
        for key, moment in _postgres_times(keys, earliest, latest):
            stored[key].append(moment)
        return stored
    for start in range(0, len(keys), _QUERY_CHUNK):
        found = Event.objects.filter(
            dedupe_key__in=keys[start : start + _QUERY_CHUNK],
            time_source__gt=earliest,
            time_source__lt=latest,
        ).values_list("dedupe_key", "time_source")
        for key, moment in found:
            if key is not None:
                stored[key].append(moment)
    return stored


def _postgres_times(keys: list[int], earliest: datetime, latest: datetime) -> list[Any]:
    """One query with the keys as one text parameter, split into a bigint array.

    The array comes from a sub-select, so the planner treats it as a value known only at run
    time: given the array itself, it would estimate each of the thousands of keys in turn,
    which costs more than the index look-ups.
    """
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('dedupe_key')}, {quote('time_source')} "
        f"FROM {quote(Event._meta.db_table)} "
        f"WHERE {quote('dedupe_key')} = "
        f"ANY((SELECT string_to_array(%s, ',')::bigint[])::bigint[]) "
        f"AND {quote('time_source')} > %s AND {quote('time_source')} < %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [",".join(map(str, keys)), earliest, latest])
        return list(cursor.fetchall())


def _overlaps(batch: Sequence[list[Any]], window: timedelta, span: Span) -> bool:
    times = [row[R.TIME] for row in batch]
    return min(times) - window < span[1] and max(times) + window > span[0]


def _seen(times: list[datetime] | None, moment: datetime, window: timedelta) -> bool:
    return bool(times) and any(abs(moment - other) < window for other in times or ())
