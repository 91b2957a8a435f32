"""Filters of the on-call pages and API (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import Severity
from dnscert.directory.oncall.choices import Level, PageStatus
from dnscert.directory.oncall.models import Page, Shift

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PageFilter(django_filters.FilterSet):
    """Pages by status, severity, level, date and free text (subject, reference)."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=PageStatus.choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices)
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices)
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte", widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="created_at", lookup_expr="date__lte", widget=DATE_INPUT
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")

    class Meta:
        model = Page
        fields = ["status", "severity", "level", "date_from", "date_to", "q"]

    def filter_text(self, queryset: QuerySet[Page], name: str, value: str) -> QuerySet[Page]:
        text = value.strip()
        return queryset.filter(Q(subject__icontains=text) | Q(reference__icontains=text))


class ShiftFilter(django_filters.FilterSet):
    """Shifts by rota, responder (username) and time range (overlapping ``after``..``before``)."""

    rota = django_filters.NumberFilter(label=_("Rota"), field_name="rota_id")
    responder = django_filters.CharFilter(
        label=_("Responder"), field_name="responder__username", lookup_expr="iexact"
    )
    after = django_filters.IsoDateTimeFilter(
        label=_("Ends after"), field_name="end", lookup_expr="gt"
    )
    before = django_filters.IsoDateTimeFilter(
        label=_("Starts before"), field_name="start", lookup_expr="lt"
    )

    class Meta:
        model = Shift
        fields = ["rota", "responder", "after", "before"]
