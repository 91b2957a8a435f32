"""Filters of the event explorer, the aggregates and the runs (django-filter), applied after
the scoping rule."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.intel.choices import Dimension, RunStatus
from dnscert.intel.models import DailyAggregate, Event, IngestRun
from dnscert.intel.taxonomy_choices import CATEGORY_CHOICES


class EventFilter(django_filters.FilterSet):
    """Events by time, feed, category, TLD, registrar and a domain search."""

    since = django_filters.IsoDateTimeFilter(
        field_name="time_source", lookup_expr="gte", label=_("Since")
    )
    until = django_filters.IsoDateTimeFilter(
        field_name="time_source", lookup_expr="lt", label=_("Until")
    )
    feed = django_filters.CharFilter(field_name="feed__name", label=_("Feed"))
    category = django_filters.ChoiceFilter(
        field_name="classification_type", choices=CATEGORY_CHOICES, label=_("Category")
    )
    tld = django_filters.CharFilter(method="filter_tld", label=_("TLD"))
    registrar = django_filters.CharFilter(method="filter_registrar", label=_("Registrar"))
    domain = django_filters.CharFilter(method="filter_domain", label=_("Domain"))

    class Meta:
        model = Event
        fields = ["since", "until", "feed", "category", "tld", "registrar", "domain"]

    def filter_tld(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        """``?tld=xa``, ``.xa`` or ``XA.``."""
        return queryset.filter(source_tld=value.strip().strip(".").lower()) if value else queryset

    def filter_registrar(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        """An IANA registrar id, or part of the registrar's name."""
        text = value.strip()
        if not text:
            return queryset
        if text.isdigit():
            return queryset.filter(registrar_iana_id=int(text))
        return queryset.filter(registrar_name__icontains=text)

    def filter_domain(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        """Events whose registrable domain is ``value`` or whose host name contains it."""
        text = value.strip().rstrip(".").lower()
        if not text:
            return queryset
        return queryset.filter(Q(source_domain=text) | Q(source_fqdn__contains=text))


class AggregateFilter(django_filters.FilterSet):
    """Daily aggregates by dimension, key and day range."""

    dimension = django_filters.ChoiceFilter(choices=Dimension.choices, label=_("Dimension"))
    key = django_filters.CharFilter(label=_("Key"))
    since = django_filters.DateFilter(field_name="day", lookup_expr="gte", label=_("Since"))
    until = django_filters.DateFilter(field_name="day", lookup_expr="lte", label=_("Until"))

    class Meta:
        model = DailyAggregate
        fields = ["dimension", "key", "since", "until"]


class RunFilter(django_filters.FilterSet):
    """Ingest runs by feed and status."""

    feed = django_filters.CharFilter(field_name="feed__name", label=_("Feed"))
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label=_("Status"))

    class Meta:
        model = IngestRun
        fields = ["feed", "status"]


def filtered(filterset: Any) -> QuerySet[Any]:
    """The filterset's rows, or none when its input is invalid."""
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()
