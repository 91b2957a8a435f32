"""Filters of the DNS health pages and API (django-filter), applied after the scoping rule."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import Severity
from dnscert.dnshealth.choices import HealthStatus, SignalKind, SignalState, TargetKind
from dnscert.dnshealth.models import (
    DelegationChange,
    MonitoringRun,
    MonitoringTarget,
    PlannedChange,
    Signal,
    ZoneResult,
)
from dnscert.dnshealth.queries import normalise_name

YES_NO = [("yes", _("yes")), ("no", _("no"))]


def _zone_named(queryset: QuerySet[Any], field: str, value: str) -> QuerySet[Any]:
    """Rows whose target is the zone ``value`` (``xa``, ``xa.`` and ``XA.`` are the same)."""
    return queryset.filter(**{field: normalise_name(value)}) if value else queryset


def _yes_no(queryset: QuerySet[Any], field: str, value: str) -> QuerySet[Any]:
    return queryset.filter(**{field: value == "yes"}) if value else queryset


class ZoneNameFilter(django_filters.CharFilter):
    """``?zone=xa.``: exact zone name, case- and trailing-dot-insensitive."""

    def __init__(self, field_name: str = "target__name", **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Zone"))
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        return _zone_named(qs, self.field_name, value)


class TargetFilter(django_filters.FilterSet):
    """Monitoring targets by kind, status, organisation and name."""

    kind = django_filters.ChoiceFilter(choices=TargetKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=HealthStatus.choices, label=_("Status"))
    organisation = django_filters.CharFilter(
        field_name="organisation__short_name", label=_("Organisation")
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    enabled = django_filters.BooleanFilter(label=_("Enabled"))

    class Meta:
        model = MonitoringTarget
        fields = ["kind", "status", "organisation", "q", "enabled"]


class RunFilter(django_filters.FilterSet):
    """Runs by status and check kind."""

    class Meta:
        model = MonitoringRun
        fields = ["status", "check_kind"]


class ResultFilter(django_filters.FilterSet):
    """Zone results by zone, status and time (``since`` is an ISO date-time)."""

    zone = ZoneNameFilter()
    status = django_filters.ChoiceFilter(choices=HealthStatus.choices, label=_("Status"))
    since = django_filters.IsoDateTimeFilter(
        field_name="checked_at", lookup_expr="gte", label=_("Since")
    )
    run = django_filters.NumberFilter(field_name="run_id", label=_("Run"))

    class Meta:
        model = ZoneResult
        fields = ["zone", "status", "since", "run"]


class SignalFilter(django_filters.FilterSet):
    """Signals by kind, state, severity and zone."""

    kind = django_filters.ChoiceFilter(choices=SignalKind.choices, label=_("Kind"))
    state = django_filters.ChoiceFilter(choices=SignalState.choices, label=_("State"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    zone = ZoneNameFilter()

    class Meta:
        model = Signal
        fields = ["kind", "state", "severity", "zone"]


class DelegationChangeFilter(django_filters.FilterSet):
    """Delegation changes by expected (planned) or not, severity, zone and acknowledgement."""

    expected = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_expected", label=_("Expected")
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    zone = ZoneNameFilter()
    acknowledged = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_acknowledged", label=_("Acknowledged")
    )

    class Meta:
        model = DelegationChange
        fields = ["expected", "severity", "zone", "acknowledged"]

    def filter_expected(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return _yes_no(queryset, "expected", value)

    def filter_acknowledged(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(acknowledged_at__isnull=value != "yes")


class PlannedChangeFilter(django_filters.FilterSet):
    """Planned change windows by zone."""

    zone = ZoneNameFilter()

    class Meta:
        model = PlannedChange
        fields = ["zone"]
