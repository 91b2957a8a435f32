"""Read-only figures for the home pages: directory coverage, recent activity, a member's assets.

Each function runs a fixed, small number of queries (aggregates, not loops) so the home pages
stay fast whatever the size of the constituency.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from dnscert.core.models import AuditEvent, JobRun
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import VERIFICATION_MAX_AGE, Contact, Organisation

#: How many rows the "recent" and "gaps" lists show.
RECENT_LIMIT = 10


@dataclass(frozen=True)
class KindCount:
    """How many organisations are of one kind."""

    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class DirectoryFigures:
    """The constituency at a glance, as the staff home page shows it."""

    organisations_by_kind: list[KindCount]
    organisation_total: int
    contact_total: int
    contacts_24x7: int
    contacts_stale: int
    organisations_without_24x7: int
    organisations_without_24x7_sample: list[Organisation] = field(default_factory=list)


def organisations_by_kind() -> list[KindCount]:
    """Organisation counts per kind, in the order the kinds are declared; empty kinds omitted."""
    rows = Organisation.objects.values("kind").annotate(count=Count("id")).order_by()
    counts = {row["kind"]: row["count"] for row in rows}
    return [
        KindCount(kind.value, str(kind.label), counts[kind.value])
        for kind in OrganisationKind
        if counts.get(kind.value)
    ]


def stale_cutoff(today: datetime.date | None = None) -> datetime.date:
    """The date before which a contact's last verification counts as stale."""
    return (today or timezone.localdate()) - VERIFICATION_MAX_AGE


def contact_figures(today: datetime.date | None = None) -> dict[str, int]:
    """Total contacts, those flagged 24x7, and those not verified in a year (or never)."""
    stale = Q(last_verified__isnull=True) | Q(last_verified__lt=stale_cutoff(today))
    return Contact.objects.aggregate(
        total=Count("id"),
        on_call=Count("id", filter=Q(is_24x7=True)),
        stale=Count("id", filter=stale),
    )


def organisations_without_24x7() -> QuerySet[Organisation]:
    """Organisations that have no contact reachable 24x7: the gaps in round-the-clock cover."""
    return Organisation.objects.exclude(contacts__is_24x7=True).order_by("name")


def directory_figures(today: datetime.date | None = None) -> DirectoryFigures:
    """Everything the staff home page shows about the directory (four queries)."""
    by_kind = organisations_by_kind()
    contacts = contact_figures(today)
    gaps = organisations_without_24x7()
    return DirectoryFigures(
        organisations_by_kind=by_kind,
        organisation_total=sum(row.count for row in by_kind),
        contact_total=contacts["total"],
        contacts_24x7=contacts["on_call"],
        contacts_stale=contacts["stale"],
        organisations_without_24x7=gaps.count(),
        organisations_without_24x7_sample=list(
            gaps.only("id", "name", "short_name")[:RECENT_LIMIT]
        ),
    )


def recent_audit_events(limit: int = RECENT_LIMIT) -> list[AuditEvent]:
    """The latest audit events, newest first."""
    return list(AuditEvent.objects.order_by("-at", "-id")[:limit])


def recent_job_runs(limit: int = RECENT_LIMIT) -> list[JobRun]:
    """The latest job runs, newest first."""
    return list(JobRun.objects.order_by("-queued_at", "-id")[:limit])


def organisation_with_assets(organisation_id: int) -> Organisation | None:
    """The organisation with its contacts and everything it runs, prefetched (seven queries)."""
    return (
        Organisation.objects.filter(pk=organisation_id)
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("-is_24x7", "name")),
            "zones",
            "nameservers",
            "prefixes",
            "asns",
            "products",
        )
        .first()
    )


def organisation_profile(organisation_id: int) -> Organisation | None:
    """The organisation with the organisations it serves and is served by (three queries)."""
    return (
        Organisation.objects.filter(pk=organisation_id)
        .prefetch_related("clients", "providers")
        .first()
    )
