"""Filters of the pattern pages and API (django-filter), applied after the scoping rule."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from dnscert.intel.patterns.choices import (
    AlertKind,
    AlertStatus,
    CampaignStatus,
    ConcentrationDimension,
    ListStatus,
)
from dnscert.intel.patterns.models import ConcentrationAlert, DgaCampaign, RegistryList


class CampaignFilter(django_filters.FilterSet):
    """Campaigns by family and status."""

    family = django_filters.CharFilter(label=_("Family"), lookup_expr="iexact")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CampaignStatus.choices)

    class Meta:
        model = DgaCampaign
        fields = ["family", "status"]


class RegistryListFilter(django_filters.FilterSet):
    """Registry lists by campaign, TLD, status and registry."""

    campaign = django_filters.NumberFilter(label=_("Campaign"), field_name="campaign_id")
    tld = django_filters.CharFilter(label=_("TLD"), method="filter_tld")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ListStatus.choices)
    organisation = django_filters.CharFilter(
        label=_("Registry"), field_name="organisation__short_name"
    )

    class Meta:
        model = RegistryList
        fields = ["campaign", "tld", "status", "organisation"]

    def filter_tld(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(tld=value.strip().strip(".").lower()) if value else queryset


class AlertFilter(django_filters.FilterSet):
    """Concentration alerts by status, dimension, kind and name."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=AlertStatus.choices)
    dimension = django_filters.ChoiceFilter(
        label=_("Dimension"), choices=ConcentrationDimension.choices
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AlertKind.choices)
    q = django_filters.CharFilter(label=_("Name"), field_name="label", lookup_expr="icontains")

    class Meta:
        model = ConcentrationAlert
        fields = ["status", "dimension", "kind", "q"]
