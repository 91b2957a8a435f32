"""Concentration alerts: detection over a window, the domain list, review and hand-over.

:func:`detect` raises at most one alert per (dimension, key, category, window), and none
while an alert about the same key covers an overlapping window, so the daily job does not
repeat itself. Two rules, thresholds in :mod:`dnscert.intel.patterns.conf`:

* **jump**: the key holds at least ``MIN_NEW`` new abusive domains and its share of the
  window's new abusive registrations exceeds its baseline share by ``JUMP_POINTS`` points;
* **top** (registrars): the smallest set of the top 1 to ``TOP_N`` registrars holding at
  least ``TOP_SHARE`` percent of at least ``MIN_NEW`` new abusive registrations; each of
  them gets an alert.

Staff review each alert: hand it over (e-mail to the organisation's 24x7 contacts, see
:func:`dnscert.intel.patterns.sending.hand_over`) or dismiss it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.audit import Action
from dnscert.core.exceptions import InvalidInput
from dnscert.directory.lookups import organisation_for_tld, registrar_by_iana_id
from dnscert.directory.models import Organisation
from dnscert.intel.patterns import conf
from dnscert.intel.patterns.choices import AlertKind, AlertStatus, ConcentrationDimension
from dnscert.intel.patterns.concentration import (
    Figures,
    Row,
    Window,
    events_between,
    figures,
    for_key,
)
from dnscert.intel.patterns.models import ConcentrationAlert

DOMAIN_COLUMNS = (
    "domain",
    "tld",
    "registrar",
    "registrar_iana_id",
    "domain_created_at",
    "first_seen",
    "last_seen",
    "events",
    "newly_registered",
    "category",
)


def jump_rows(result: Figures) -> list[Row]:
    """The rows whose share jumped above their baseline share."""
    return [
        row
        for row in result.rows
        if row.new_domains >= conf.min_new() and row.jump >= conf.jump_points()
    ]


def top_rows(result: Figures) -> list[Row]:
    """The smallest set of the top 1..N registrars holding most new abusive registrations."""
    if result.dimension != ConcentrationDimension.REGISTRAR or result.total_new < conf.min_new():
        return []
    held = 0
    for count, row in enumerate(result.rows[: conf.top_n()], start=1):
        if row.new_domains <= 0:
            return []
        held += row.new_domains
        if 100.0 * held / result.total_new >= conf.top_share():
            return result.rows[:count]
    return []


def detect(window: Window) -> list[ConcentrationAlert]:
    """Compute both dimensions over ``window`` and raise the alerts due; return the new ones."""
    raised = []
    for dimension in ConcentrationDimension:
        result = figures(window, dimension)
        top = top_rows(result)
        top_share = sum(row.share for row in top)
        candidates = {row.key: (row, AlertKind.TOP) for row in top}
        for row in jump_rows(result):
            candidates.setdefault(row.key, (row, AlertKind.JUMP))
        for row, kind in candidates.values():
            details = {"top": [r.label for r in top], "top_share": round(top_share, 1)}
            alert = raise_alert(result, row, kind, details if kind == AlertKind.TOP else {})
            if alert is not None:
                raised.append(alert)
    return raised


def _already_raised(window: Window, dimension: str, key: str) -> bool:
    return ConcentrationAlert.objects.filter(
        dimension=dimension,
        key=key,
        category=window.category,
        window_start__lt=window.end,
        window_end__gt=window.start,
    ).exists()


def raise_alert(
    result: Figures, row: Row, kind: str, details: dict[str, Any]
) -> ConcentrationAlert | None:
    """Record one alert with its domain list, unless one covers this key and window already."""
    window = result.window
    if _already_raised(window, result.dimension, row.key):
        return None
    domains_csv, count = domain_list(window, result.dimension, row.key)
    try:
        with transaction.atomic():
            alert = ConcentrationAlert.objects.create(
                dimension=result.dimension,
                key=row.key,
                label=row.label,
                kind=kind,
                category=window.category,
                window_start=window.start,
                window_end=window.end,
                baseline_start=window.baseline_start,
                share=row.share,
                baseline_share=row.baseline_share,
                new_domains=row.new_domains,
                total_new_domains=result.total_new,
                events=row.events,
                details={**details, "figures": row.as_dict()},
                domains_csv=domains_csv,
                domain_count=count,
                organisation=organisation_for(window, result.dimension, row.key),
            )
            audit.record(None, Action.CREATE, alert, changes={"kind": kind, "share": row.share})
    except IntegrityError:  # raised concurrently by another run for the same window
        return None
    return alert


def organisation_for(window: Window, dimension: str, key: str) -> Organisation | None:
    """The registrar or registry to hand over to: from the directory, else from the events."""
    if dimension == ConcentrationDimension.TLD:
        found = organisation_for_tld(key)
        field = "registry_org"
    else:
        found = registrar_by_iana_id(key) if key.isdigit() else None
        field = "registrar_org"
    if found is not None:
        return found
    rows = for_key(events_between(window.start, window.end, window.category), dimension, key)
    ids = Counter(rows.exclude(**{f"{field}__isnull": True}).values_list(field, flat=True))
    if not ids:
        return None
    return Organisation.objects.filter(pk=ids.most_common(1)[0][0]).first()


def domain_list(window: Window, dimension: str, key: str) -> tuple[str, int]:
    """The CSV of the key's abusive domains in the window, and how many there are."""
    rows = for_key(events_between(window.start, window.end, window.category), dimension, key)
    grouped = (
        rows.exclude(source_domain="")
        .values("source_domain")
        .annotate(
            tld=Max("source_tld"),
            registrar=Max("registrar_name"),
            iana_id=Max("registrar_iana_id"),
            created=Min("domain_created_at"),
            first_seen=Min("time_source"),
            last_seen=Max("time_source"),
            events=Count("id"),
            category=Max("classification_type"),
        )
        .order_by("source_domain")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DOMAIN_COLUMNS)
    count = 0
    for item in grouped:
        writer.writerow(_domain_row(item, window.new_days))
        count += 1
    return out.getvalue(), count


def _domain_row(item: dict[str, Any], new_days: int) -> list[Any]:
    created = item["created"]
    is_new = created is not None and (item["first_seen"] - created).days <= new_days
    return [
        item["source_domain"],
        item["tld"],
        item["registrar"],
        item["iana_id"] if item["iana_id"] is not None else "",
        created.isoformat() if created else "",
        item["first_seen"].isoformat(),
        item["last_seen"].isoformat(),
        item["events"],
        "yes" if is_new else "no",
        item["category"],
    ]


@transaction.atomic
def dismiss(alert: ConcentrationAlert, *, by: Any, note: str = "") -> ConcentrationAlert:
    """Staff decided the alert needs no hand-over."""
    if alert.status != AlertStatus.OPEN:
        raise InvalidInput("status", f"the alert is {alert.get_status_display()}, not open")
    if len(note) > 2000:
        raise InvalidInput("note", "at most 2,000 characters")
    alert.status = AlertStatus.DISMISSED
    alert.reviewed_by = by
    alert.reviewed_at = timezone.now()
    alert.details = {**alert.details, "dismissal_note": note}
    alert.save(update_fields=["status", "reviewed_by", "reviewed_at", "details"])
    audit.record(by, Action.STATE, alert, changes={"status": [AlertStatus.OPEN, alert.status]})
    return alert
