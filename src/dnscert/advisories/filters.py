"""Search and filters of advisory lists (staff console, reader list, API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.advisories.choices import AdvisoryStatus, CsafCategory
from dnscert.advisories.models import Advisory
from dnscert.core.choices import TLP, Severity


class AdvisoryFilter(django_filters.FilterSet):
    """Free-text search plus status, severity, TLP, category, CVE and product."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AdvisoryStatus.choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices)
    tlp = django_filters.ChoiceFilter(label="TLP", choices=TLP.choices)
    csaf_category = django_filters.ChoiceFilter(
        label=_("CSAF category"), choices=CsafCategory.choices
    )
    cve = django_filters.CharFilter(label=_("CVE"), method="filter_cve")
    product = django_filters.CharFilter(label=_("Product"), method="filter_product")

    class Meta:
        model = Advisory
        fields = ["q", "status", "severity", "tlp", "csaf_category", "cve", "product"]

    def search(self, queryset: QuerySet[Advisory], name: str, value: Any) -> QuerySet[Advisory]:
        text = str(value).strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(reference__icontains=text)
            | Q(title__icontains=text)
            | Q(summary__icontains=text)
            | Q(translations__title__icontains=text)
        ).distinct()

    def filter_cve(self, queryset: QuerySet[Advisory], name: str, value: Any) -> QuerySet[Advisory]:
        text = str(value).strip().upper()
        return queryset.filter(cve_ids__icontains=text) if text else queryset

    def filter_product(
        self, queryset: QuerySet[Advisory], name: str, value: Any
    ) -> QuerySet[Advisory]:
        text = str(value).strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(affected__product_name__icontains=text) | Q(audience_products__name__icontains=text)
        ).distinct()


class ReaderFilter(AdvisoryFilter):
    """The reader's list: no status filter (readers see released advisories only)."""

    class Meta:
        model = Advisory
        fields = ["q", "severity", "tlp", "csaf_category", "cve", "product"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.pop("status", None)
