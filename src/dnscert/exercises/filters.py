"""Filters of the exercise list and the API (django-filter), applied after the scope."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP
from dnscert.exercises.choices import ExerciseStatus
from dnscert.exercises.models import Exercise, Participant


class ExerciseFilter(django_filters.FilterSet):
    """Exercises by text, status, TLP, participating organisation and planned start."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ExerciseStatus.choices)
    tlp = django_filters.ChoiceFilter(label="TLP", choices=TLP.choices)
    organisation = django_filters.CharFilter(label=_("Participant"), method="by_organisation")
    after = django_filters.DateFilter(
        label=_("Planned from"), field_name="planned_start", lookup_expr="date__gte"
    )
    before = django_filters.DateFilter(
        label=_("Planned until"), field_name="planned_start", lookup_expr="date__lte"
    )

    class Meta:
        model = Exercise
        fields = ["q", "status", "tlp", "organisation", "after", "before"]

    def search(self, queryset: QuerySet[Exercise], name: str, value: str) -> QuerySet[Exercise]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(reference__icontains=text) | Q(title__icontains=text) | Q(scenario__icontains=text)
        )

    def by_organisation(
        self, queryset: QuerySet[Exercise], name: str, value: str
    ) -> QuerySet[Exercise]:
        text = value.strip()
        if not text:
            return queryset
        ids = Participant.objects.filter(organisation__name__icontains=text).values("exercise_id")
        return queryset.filter(pk__in=ids)
