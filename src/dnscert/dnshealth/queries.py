"""Read-side queries of the DNS health pages and API, with the one scoping rule they all use.

Scoping (every page and endpoint goes through :func:`scope`):

* core staff and responders see every monitoring target and everything measured about it;
* a constituent member sees only the targets of their own organisation, and the results,
  signals, delegation changes and planned changes attached to them;
* anonymous and inactive users see nothing here (the public status page reads root and TLD
  health through :func:`public_targets`, which exposes no constituent zone).

Every function runs a fixed number of queries whatever the number of zones: the status grid
reads the status cached on :class:`~dnscert.dnshealth.models.MonitoringTarget` and never scans
the result history.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db.models import Case, Count, IntegerField, Model, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from dnscert.core.choices import Role, Severity
from dnscert.core.visibility import is_core_staff, is_signed_in
from dnscert.directory.models import Organisation
from dnscert.dnshealth.choices import HealthStatus, SignalState, TargetKind
from dnscert.dnshealth.models import (
    DailyRollup,
    DelegationChange,
    MonitoringRun,
    MonitoringTarget,
    PlannedChange,
    Signal,
    ZoneResult,
)

M = TypeVar("M", bound=Model)

#: The path from each scoped model to the organisation that owns it.
ORGANISATION_FIELD: dict[type[Model], str] = {
    MonitoringTarget: "organisation_id",
    ZoneResult: "target__organisation_id",
    DailyRollup: "target__organisation_id",
    Signal: "organisation_id",
    DelegationChange: "organisation_id",
    PlannedChange: "organisation_id",
}

#: Status order for sorting and for "worst of": red first, grey (never measured) last.
STATUS_RANK: dict[str, int] = {
    HealthStatus.RED: 3,
    HealthStatus.AMBER: 2,
    HealthStatus.GREEN: 1,
    HealthStatus.GREY: 0,
}

#: Severity order, most severe highest.
SEVERITY_RANK: dict[str, int] = {value: rank for rank, value in enumerate(Severity.values)}

#: The target kinds shown as zones in the status grid (name server hosts have their own kind).
ZONE_KINDS = (TargetKind.ROOT, TargetKind.TLD, TargetKind.ZONE)
#: The target kinds the public status page shows.
PUBLIC_KINDS = (TargetKind.ROOT, TargetKind.TLD)

#: How the root zone is named in URLs ("/dns/zones/./" would be normalised away by browsers).
ROOT_SLUG = "_root"

#: Most points one chart carries (older points are dropped, the roll-ups keep the days).
MAX_CHART_POINTS = 1000


# --- scoping -------------------------------------------------------------------------------


def sees_all_zones(user: Any) -> bool:
    """Staff and responders see every target; members only their organisation's."""
    return is_core_staff(user) or (is_signed_in(user) and user.role == Role.RESPONDER)


def can_edit_schedules(user: Any) -> bool:
    """Only core staff change monitoring schedules and acknowledge delegation changes."""
    return is_core_staff(user)


def member_organisation_id(user: Any) -> int | None:
    """The organisation a signed-in member belongs to (None for the public and org-less users)."""
    return getattr(user, "organisation_id", None) if is_signed_in(user) else None


def scope(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """THE rule: ``queryset`` narrowed to what ``user`` may see (see the module docstring)."""
    if sees_all_zones(user):
        return queryset
    organisation_id = member_organisation_id(user)
    if organisation_id is None:
        return queryset.none()
    return queryset.filter(**{ORGANISATION_FIELD[queryset.model]: organisation_id})


def visible_targets(user: Any) -> QuerySet[MonitoringTarget]:
    """Monitoring targets ``user`` may see."""
    return scope(user, MonitoringTarget.objects.all())


def visible_runs(user: Any) -> QuerySet[MonitoringRun]:
    """Runs: staff and responders see all; a member sees the on-demand runs they started."""
    runs = MonitoringRun.objects.all()
    if sees_all_zones(user):
        return runs
    if not is_signed_in(user):
        return runs.none()
    return runs.filter(requested_by=user)


def target_by_name(user: Any, name: str) -> MonitoringTarget:
    """The visible target called ``name`` (a zone before a host of the same name), else 404."""
    wanted = normalise_name(name)
    ranked = visible_targets(user).filter(name=wanted).select_related("organisation")
    target = ranked.annotate(is_host=_is_host()).order_by("is_host").first()
    if target is None:
        raise Http404(f"no monitored zone called {wanted}")
    return target


def normalise_name(name: str) -> str:
    """``Example.XA`` -> ``example.xa.``: names are stored lower case and fully qualified."""
    text = (name or "").strip().lower()
    if text in ("", ".", ROOT_SLUG):
        return "."
    return text if text.endswith(".") else f"{text}."


def url_name(name: str) -> str:
    """The zone name as it appears in page URLs (the root, ``.``, is ``_root``)."""
    return ROOT_SLUG if name == "." else name


def _is_host() -> Case:
    return Case(
        When(kind=TargetKind.NAMESERVER, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def visible_organisations(user: Any) -> QuerySet[Organisation]:
    """Organisations offered in the filters: those with targets ``user`` may see."""
    ids = visible_targets(user).values("organisation_id")
    return Organisation.objects.filter(pk__in=ids).only("id", "name", "short_name")


# --- the status grid -----------------------------------------------------------------------


def status_rank() -> Case:
    """A sortable rank of ``status`` (red highest), computed by the database."""
    return Case(
        *(When(status=status, then=Value(rank)) for status, rank in STATUS_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class GridFilter:
    """What the status grid is narrowed to; empty values mean "any"."""

    query: str = ""
    kind: str = ""
    organisation: str = ""
    status: str = ""


def grid_targets(user: Any, wanted: GridFilter) -> QuerySet[MonitoringTarget]:
    """Targets of the grid, worst first: one indexed query, never the history."""
    targets = visible_targets(user)
    if wanted.kind:
        targets = targets.filter(kind=wanted.kind)
    else:
        targets = targets.filter(kind__in=ZONE_KINDS)
    if wanted.query:
        targets = targets.filter(name__icontains=wanted.query.strip().lower())
    if wanted.organisation:
        targets = targets.filter(organisation__short_name=wanted.organisation)
    if wanted.status:
        targets = targets.filter(status=wanted.status)
    return (
        targets.select_related("organisation")
        .only(
            "id",
            "kind",
            "name",
            "status",
            "worst_level",
            "status_since",
            "last_full_at",
            "last_reachability_at",
            "organisation__name",
            "organisation__short_name",
        )
        .annotate(rank=status_rank())
        .order_by("-rank", "name")
    )


def status_counts(targets: QuerySet[MonitoringTarget]) -> dict[str, int]:
    """How many of ``targets`` are in each status (one aggregate query)."""
    counts = targets.aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in HealthStatus.values}
    )
    return {status: counts[status] or 0 for status in HealthStatus.values}


# --- one zone ------------------------------------------------------------------------------


@dataclass
class TestCaseGroup:
    """The messages of one test case in a result, with their worst level."""

    __test__ = False  # not a pytest test class

    test_case: str
    worst_level: str
    messages: list[dict[str, Any]] = field(default_factory=list)


LEVEL_RANK: dict[str, int] = {
    name: rank
    for rank, name in enumerate(["DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL"])
}


def messages_by_test_case(result: ZoneResult | None) -> list[TestCaseGroup]:
    """The result's messages grouped by test case, worst test case first."""
    if result is None:
        return []
    groups: OrderedDict[str, TestCaseGroup] = OrderedDict()
    for message in result.message_dicts():
        group = groups.setdefault(
            message["test_case"], TestCaseGroup(message["test_case"], message["level"])
        )
        group.messages.append(message)
        if LEVEL_RANK.get(message["level"], 0) > LEVEL_RANK.get(group.worst_level, 0):
            group.worst_level = message["level"]
    return sorted(groups.values(), key=lambda group: -LEVEL_RANK.get(group.worst_level, 0))


def recent_results(target: MonitoringTarget, hours: int) -> list[ZoneResult]:
    """The target's results of the last ``hours``, oldest first, at most MAX_CHART_POINTS."""
    since = timezone.now() - timedelta(hours=hours)
    rows = (
        ZoneResult.objects.filter(target=target, checked_at__gte=since)
        .only("id", "checked_at", "status", "worst_level", "nameservers", "check_kind")
        .order_by("-checked_at")[:MAX_CHART_POINTS]
    )
    return list(reversed(rows))


def daily_history(target: MonitoringTarget, days: int = 30) -> list[DailyRollup]:
    """The target's daily roll-ups of the last ``days`` days, newest first."""
    since = timezone.localdate() - timedelta(days=days)
    return list(DailyRollup.objects.filter(target=target, day__gte=since).order_by("-day"))


def zone_changes(target: MonitoringTarget, limit: int = 20) -> list[DelegationChange]:
    """The zone's latest delegation changes with both snapshots (one query)."""
    changes = DelegationChange.objects.filter(target=target).select_related(
        "old", "new", "acknowledged_by", "planned_change"
    )
    return list(changes.order_by("-detected_at", "-id")[:limit])


def open_signals(target: MonitoringTarget) -> list[Signal]:
    """The zone's open signals, most severe first."""
    signals = Signal.objects.filter(target=target, state=SignalState.OPEN)
    return sorted(signals, key=lambda s: (-SEVERITY_RANK.get(s.severity, 0), s.opened_at))


# --- problems and changes ------------------------------------------------------------------


def severity_rank() -> Case:
    """A sortable rank of ``severity`` (critical highest), computed by the database."""
    return Case(
        *(When(severity=value, then=Value(rank)) for value, rank in SEVERITY_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def open_problems(user: Any) -> QuerySet[Signal]:
    """Open signals ``user`` may see, most severe first, then oldest first."""
    signals = scope(user, Signal.objects.filter(state=SignalState.OPEN))
    return (
        signals.select_related("target", "organisation")
        .annotate(rank=severity_rank())
        .order_by("-rank", "opened_at", "id")
    )


def unhealthy_targets(user: Any) -> QuerySet[MonitoringTarget]:
    """Visible targets that are amber or red, red first, then the longest in that state."""
    targets = visible_targets(user).filter(status__in=[HealthStatus.RED, HealthStatus.AMBER])
    return (
        targets.select_related("organisation")
        .annotate(rank=status_rank())
        .order_by("-rank", "status_since", "name")
    )


def delegation_changes(user: Any) -> QuerySet[DelegationChange]:
    """Delegation changes ``user`` may see, newest first, with both snapshots."""
    changes = scope(user, DelegationChange.objects.all())
    return changes.select_related(
        "target", "organisation", "old", "new", "acknowledged_by", "planned_change"
    ).order_by("-detected_at", "-id")


def planned_changes(user: Any) -> QuerySet[PlannedChange]:
    """Planned change windows ``user`` may see, the latest window first."""
    plans = scope(user, PlannedChange.objects.all())
    return plans.select_related("target", "organisation", "created_by").order_by(
        "-window_start", "-id"
    )


# --- the public status page ----------------------------------------------------------------


@dataclass(frozen=True)
class PublicServer:
    """One root or TLD name server address as the public sees it."""

    name: str
    address: str
    reachable: bool | None
    udp_ms: float | None
    tcp_ms: float | None


@dataclass(frozen=True)
class PublicZone:
    """The public health of the root or one TLD: status and its servers, nothing more."""

    name: str
    kind: str
    status: str
    status_label: str
    checked_at: datetime | None
    servers: list[PublicServer]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``/status.json``."""
        return {
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "summary": self.status_label,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "servers": [server.__dict__ for server in self.servers],
        }


def public_targets() -> QuerySet[MonitoringTarget]:
    """The root and the TLDs: the only targets the public status page reads."""
    return (
        MonitoringTarget.objects.filter(kind__in=PUBLIC_KINDS, enabled=True)
        .select_related("latest_result")
        .only(
            "id",
            "kind",
            "name",
            "status",
            "latest_result__id",
            "latest_result__checked_at",
            "latest_result__nameservers",
        )
        .order_by("kind", "name")
    )


def public_status() -> list[PublicZone]:
    """Root and TLD health for ``/status/`` and ``/status.json`` (one query)."""
    zones = []
    for target in public_targets():
        result = target.latest_result
        servers = [_public_server(row) for row in result.nameserver_dicts()] if result else []
        zones.append(
            PublicZone(
                name=target.name,
                kind=target.kind,
                status=target.status,
                status_label=str(HealthStatus(target.status).label),
                checked_at=result.checked_at if result else None,
                servers=servers,
            )
        )
    return zones


def _public_server(row: dict[str, Any]) -> PublicServer:
    return PublicServer(
        name=str(row.get("ns") or ""),
        address=str(row.get("address") or ""),
        reachable=row.get("reachable"),
        udp_ms=row.get("udp_ms"),
        tcp_ms=row.get("tcp_ms"),
    )
