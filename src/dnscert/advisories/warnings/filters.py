"""Filters of the warning pages and API (django-filter), applied after the visibility rule."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.advisories.warnings.choices import FollowUpStage, WarningKind, WarningStatus
from dnscert.advisories.warnings.models import Subscription, Warning
from dnscert.core.choices import Severity

YES_NO = [("yes", _("yes")), ("no", _("no"))]


class WarningFilter(django_filters.FilterSet):
    """Warnings by kind, status, organisation, acknowledgement, severity, follow-up and text."""

    kind = django_filters.ChoiceFilter(choices=WarningKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=WarningStatus.choices, label=_("Status"))
    organisation = django_filters.CharFilter(
        field_name="organisation__short_name", label=_("Organisation")
    )
    acknowledged = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_acknowledged", label=_("Acknowledged")
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    follow_up = django_filters.TypedChoiceFilter(
        choices=FollowUpStage.choices, coerce=int, label=_("Follow-up")
    )
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))

    class Meta:
        model = Warning
        fields = ["kind", "status", "organisation", "acknowledged", "severity", "follow_up", "q"]

    def filter_acknowledged(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(acknowledged_at__isnull=value != "yes")

    def filter_text(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value) | Q(title__icontains=value) | Q(body__icontains=value)
        )


class SubscriptionFilter(django_filters.FilterSet):
    """Subscriptions by organisation, active flag and name."""

    organisation = django_filters.CharFilter(
        field_name="organisation__short_name", label=_("Organisation")
    )
    active = django_filters.BooleanFilter(label=_("Active"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))

    class Meta:
        model = Subscription
        fields = ["organisation", "active", "q"]
