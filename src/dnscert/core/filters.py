"""Filters of the audit log, shared by the staff page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP
from dnscert.core.models import AuditEvent

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditEventFilter(django_filters.FilterSet):
    """Actor, action, object type and id, TLP, date range and free text."""

    actor = django_filters.CharFilter(
        label=_("Actor"), method="filter_actor", help_text=_("Username of who acted.")
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditEvent.Action.choices)
    object_type = django_filters.CharFilter(
        label=_("Object type"), lookup_expr="iexact", help_text=_("e.g. core.shareddocument")
    )
    object_id = django_filters.CharFilter(label=_("Object id"))
    tlp = django_filters.ChoiceFilter(label="TLP", choices=TLP.choices)
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="at", lookup_expr="date__lte", widget=DATE_INPUT
    )
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_text", help_text=_("Text in actor, object or changes.")
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "tlp", "date_from", "date_to"]

    def filter_actor(
        self, queryset: QuerySet[AuditEvent], name: str, value: str
    ) -> QuerySet[AuditEvent]:
        return queryset.filter(actor_label__iexact=value.strip())

    def filter_text(
        self, queryset: QuerySet[AuditEvent], name: str, value: str
    ) -> QuerySet[AuditEvent]:
        text = value.strip()
        return queryset.filter(
            Q(actor_label__icontains=text)
            | Q(object_repr__icontains=text)
            | Q(object_type__icontains=text)
            | Q(object_id=text)
            | Q(user_agent__icontains=text)
            | Q(changes__icontains=text)
        )
