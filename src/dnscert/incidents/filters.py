"""Filters of the incident list and API (django-filter), applied after the visibility rule."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP, Role, Severity
from dnscert.incidents import sla
from dnscert.incidents.choices import IncidentStatus, IndicatorKind, JournalKind
from dnscert.incidents.models import Incident, Indicator, JournalEntry, Participant, Task
from dnscert.incidents.taxonomy import flat_choices

YES_NO = [("yes", _("yes")), ("no", _("no"))]
UNASSIGNED = "none"


def _team_members() -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(
            Q(role__in=[Role.STAFF, Role.RESPONDER]) | Q(is_superuser=True), is_active=True
        )
        .order_by("username")
    )


def assignee_choices() -> list[tuple[str, str]]:
    """Usernames of the team for the assignee filter, with "unassigned" first."""
    return [(UNASSIGNED, str(_("unassigned")))] + [
        (user.username, user.get_full_name() or user.username) for user in _team_members()
    ]


class IncidentFilter(django_filters.FilterSet):
    """Incidents by text, status, severity, category, assignee, TLP and SLA state."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices, label=_("Status"))
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices, label=_("Severity"))
    category = django_filters.ChoiceFilter(choices=flat_choices, label=_("Category"))
    assignee = django_filters.ChoiceFilter(
        choices=assignee_choices, method="by_assignee", label=_("Assignee")
    )
    tlp = django_filters.ChoiceFilter(choices=TLP.choices, label="TLP")
    overdue = django_filters.ChoiceFilter(choices=YES_NO, method="by_overdue", label=_("Overdue"))
    open = django_filters.ChoiceFilter(choices=YES_NO, method="by_open", label=_("Open"))

    class Meta:
        model = Incident
        fields = ["q", "status", "severity", "category", "assignee", "tlp", "overdue", "open"]

    def search(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        """Reference, title, summary or an indicator value containing ``value``."""
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(reference__icontains=text)
            | Q(title__icontains=text)
            | Q(summary__icontains=text)
            | Q(pk__in=Indicator.objects.filter(value__icontains=text).values("incident_id"))
        )

    def by_assignee(
        self, queryset: QuerySet[Incident], name: str, value: str
    ) -> QuerySet[Incident]:
        """``?assignee=<username>``, or ``none`` for unassigned incidents."""
        if not value:
            return queryset
        if value == UNASSIGNED:
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee__username=value)

    def by_overdue(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        if not value:
            return queryset
        condition = sla.overdue_condition()
        return queryset.filter(condition) if value == "yes" else queryset.exclude(condition)

    def by_open(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        if not value:
            return queryset
        finished = [IncidentStatus.RESOLVED, IncidentStatus.CLOSED]
        if value == "yes":
            return queryset.exclude(status__in=finished)
        return queryset.filter(status__in=finished)


class JournalFilter(django_filters.FilterSet):
    """Journal entries by incident reference, kind and TLP."""

    incident = django_filters.CharFilter(field_name="incident__reference", label=_("Incident"))
    kind = django_filters.ChoiceFilter(choices=JournalKind.choices, label=_("Kind"))
    tlp = django_filters.ChoiceFilter(choices=TLP.choices, label="TLP")

    class Meta:
        model = JournalEntry
        fields = ["incident", "kind", "tlp"]


class ParticipantFilter(django_filters.FilterSet):
    """Participants by incident reference, organisation and status."""

    incident = django_filters.CharFilter(field_name="incident__reference", label=_("Incident"))
    organisation = django_filters.CharFilter(
        field_name="organisation__short_name", label=_("Organisation")
    )

    class Meta:
        model = Participant
        fields = ["incident", "organisation", "status", "role"]


class TaskFilter(django_filters.FilterSet):
    """Tasks by incident reference, done or not, and overdue."""

    incident = django_filters.CharFilter(field_name="incident__reference", label=_("Incident"))
    done = django_filters.BooleanFilter(
        field_name="done_at", lookup_expr="isnull", exclude=True, label=_("Done")
    )

    class Meta:
        model = Task
        fields = ["incident", "done"]


class IndicatorFilter(django_filters.FilterSet):
    """Indicators by incident reference, kind and value."""

    incident = django_filters.CharFilter(field_name="incident__reference", label=_("Incident"))
    kind = django_filters.ChoiceFilter(choices=IndicatorKind.choices, label=_("Kind"))
    value = django_filters.CharFilter(lookup_expr="icontains", label=_("Value"))

    class Meta:
        model = Indicator
        fields = ["incident", "kind", "value"]
