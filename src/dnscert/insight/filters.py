"""Filters of the insight lists and API (django-filter), applied after the visibility rule."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP, Severity
from dnscert.incidents.taxonomy import flat_choices
from dnscert.insight.choices import Score
from dnscert.insight.models import AfterActionReport, FeedbackAnswer


class ReportFilter(django_filters.FilterSet):
    """After-action reports by incident severity, category, TLP and free text."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    severity = django_filters.ChoiceFilter(
        field_name="incident__severity", choices=Severity.choices, label=_("Severity")
    )
    category = django_filters.ChoiceFilter(
        field_name="incident__category", choices=flat_choices, label=_("Category")
    )
    tlp = django_filters.ChoiceFilter(field_name="incident__tlp", choices=TLP.choices, label="TLP")

    class Meta:
        model = AfterActionReport
        fields = ["q", "severity", "category", "tlp"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(incident__reference__icontains=text)
            | Q(incident__title__icontains=text)
            | Q(summary__icontains=text)
        )


class FeedbackFilter(django_filters.FilterSet):
    """Feedback answers by incident, organisation, score and free text."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    incident = django_filters.CharFilter(
        field_name="participant__incident__reference", label=_("Incident")
    )
    organisation = django_filters.CharFilter(
        field_name="participant__organisation__short_name", label=_("Organisation")
    )
    useful = django_filters.TypedChoiceFilter(choices=Score.choices, coerce=int, label=_("Useful"))
    timely = django_filters.TypedChoiceFilter(choices=Score.choices, coerce=int, label=_("Timely"))

    class Meta:
        model = FeedbackAnswer
        fields = ["q", "incident", "organisation", "useful", "timely"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(comment__icontains=text)
            | Q(request__email__icontains=text)
            | Q(participant__organisation__name__icontains=text)
        )
