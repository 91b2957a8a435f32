"""Filters of the drill pages and API (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.directory.drills.choices import DrillStatus, Outcome
from dnscert.directory.drills.models import Drill, Probe

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DrillFilter(django_filters.FilterSet):
    """Drills by status, creation date and free text (title, reference)."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=DrillStatus.choices)
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte", widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="created_at", lookup_expr="date__lte", widget=DATE_INPUT
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")

    class Meta:
        model = Drill
        fields = ["status", "date_from", "date_to", "q"]

    def filter_text(self, queryset: QuerySet[Drill], name: str, value: str) -> QuerySet[Drill]:
        text = value.strip()
        return queryset.filter(Q(title__icontains=text) | Q(reference__icontains=text))


class ProbeFilter(django_filters.FilterSet):
    """Probes of one drill by outcome and organisation."""

    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=Outcome.choices)
    organisation = django_filters.ChoiceFilter(
        label=_("Organisation"), field_name="organisation_id", choices=[]
    )

    class Meta:
        model = Probe
        fields = ["outcome", "organisation"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["organisation"].extra["choices"] = self._organisations()

    def _organisations(self) -> list[tuple[int, str]]:
        """The organisations among the probes being filtered (the drill's own)."""
        rows = self.queryset.exclude(organisation=None).values_list(
            "organisation_id", "organisation_name"
        )
        return sorted(set(rows), key=lambda row: row[1])
