"""Staff metrics: how fast vendors answer, how long from report to publication."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from dnscert.vulns.choices import VendorStatus
from dnscert.vulns.models import Case, CaseVendor


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of durations, in hours, over ``count`` samples."""

    count: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class VendorTimes:
    organisation_id: int
    name: str
    cases: int
    silent: int
    acknowledge: Spread
    statement: Spread


def spread(hours: list[float]) -> Spread:
    """Median and p90 (nearest rank) of ``hours``; None when there are no samples."""
    if not hours:
        return Spread(0, None, None)
    ordered = sorted(hours)
    index = max(0, -(-len(ordered) * 9 // 10) - 1)
    return Spread(len(ordered), round(statistics.median(ordered), 1), round(ordered[index], 1))


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600


def vendor_response_times(now: datetime) -> list[VendorTimes]:
    """Per vendor: notified -> acknowledged and notified -> first statement (one query)."""
    rows = (
        CaseVendor.objects.filter(notified_at__isnull=False)
        .values_list(
            "organisation_id",
            "organisation__name",
            "notified_at",
            "acknowledged_at",
            "first_statement_at",
            "status",
            "deadline",
        )
        .order_by("organisation__name")
    )
    grouped: dict[int, dict[str, list]] = {}
    names: dict[int, str] = {}
    for org_id, name, notified, acked, stated, status, deadline in rows:
        bucket = grouped.setdefault(org_id, {"ack": [], "statement": [], "cases": [], "silent": []})
        names[org_id] = name
        bucket["cases"].append(1)
        if status == VendorStatus.NOTIFIED and deadline is not None and deadline < now:
            bucket["silent"].append(1)
        for key, end in (("ack", acked), ("statement", stated)):
            value = _hours(notified, end)
            if value is not None:
                bucket[key].append(value)
    return [
        VendorTimes(
            org_id,
            names[org_id],
            len(b["cases"]),
            len(b["silent"]),
            spread(b["ack"]),
            spread(b["statement"]),
        )
        for org_id, b in grouped.items()
    ]


def report_to_publication() -> Spread:
    """From the report's arrival to the case's publication, over published cases."""
    pairs = Case.objects.filter(published_at__isnull=False).values_list(
        "reported_at", "published_at"
    )
    return spread([h for h in (_hours(a, b) for a, b in pairs) if h is not None])
