"""Human references such as ``DNSCERT-2026-0001``: one counter per series and year.

Incidents, intake reports, advisories, vulnerability cases and warnings each number their
objects per year. The year's counter row is locked while a number is taken (``SELECT ... FOR
UPDATE`` on PostgreSQL; SQLite serialises writers anyway), so concurrent workers never hand
out the same reference, and a rolled-back transaction gives its number back.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from dnscert.core.models import ReferenceCounter


def allocate(series: str, *, width: int = 4, at: datetime | None = None) -> str:
    """The next free ``<series>-<year>-<number>``, the number zero-padded to ``width`` digits."""
    year = (at or timezone.now()).year
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(series=series, year=year)
        counter = ReferenceCounter.objects.select_for_update().get(series=series, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return format_reference(series, year, counter.last, width=width)


def format_reference(series: str, year: int, number: int, *, width: int = 4) -> str:
    """``DNSCERT-2026-0001`` for series DNSCERT, year 2026, number 1."""
    return f"{series}-{year}-{number:0{width}d}"
