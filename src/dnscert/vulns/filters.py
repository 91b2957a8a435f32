"""Filters of the case list, the vendor table and the API (django-filter), after the scope."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP
from dnscert.vulns.choices import CaseStatus, VendorStatus
from dnscert.vulns.models import Case, CaseVendor

EMBARGO_SOON_DAYS = 7


class CaseFilter(django_filters.FilterSet):
    """Cases by text, status, vendor, product, TLP, and embargo ending within a week."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CaseStatus.choices)
    tlp = django_filters.ChoiceFilter(label="TLP", choices=TLP.choices)
    vendor = django_filters.CharFilter(label=_("Vendor"), method="by_vendor")
    product = django_filters.CharFilter(label=_("Product"), method="by_product")
    embargo_soon = django_filters.BooleanFilter(label=_("Embargo within 7 days"), method="soon")

    class Meta:
        model = Case
        fields = ["q", "status", "tlp", "vendor", "product", "embargo_soon"]

    def search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(reference__icontains=text)
            | Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(affected_software__icontains=text)
            | Q(cwe__iexact=text)
        )

    def by_vendor(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        ids = CaseVendor.objects.filter(organisation__name__icontains=value.strip()).values(
            "case_id"
        )
        return queryset.filter(pk__in=ids) if value.strip() else queryset

    def by_product(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if not value.strip():
            return queryset
        return queryset.filter(
            Q(products__name__icontains=value.strip())
            | Q(affected_software__icontains=value.strip())
        ).distinct()

    def soon(self, queryset: QuerySet[Case], name: str, value: bool | None) -> QuerySet[Case]:
        if not value:
            return queryset
        now = timezone.now()
        return queryset.filter(
            embargo_at__gte=now, embargo_at__lte=now + timedelta(days=EMBARGO_SOON_DAYS)
        )


class VendorFilter(django_filters.FilterSet):
    """Vendors of a case by name, status, and silence past the deadline."""

    q = django_filters.CharFilter(label=_("Vendor"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=VendorStatus.choices)
    silent = django_filters.BooleanFilter(label=_("Silent past deadline"), method="by_silence")

    class Meta:
        model = CaseVendor
        fields = ["q", "status", "silent"]

    def search(self, queryset: QuerySet[CaseVendor], name: str, value: str) -> QuerySet[CaseVendor]:
        return (
            queryset.filter(organisation__name__icontains=value.strip())
            if value.strip()
            else queryset
        )

    def by_silence(
        self, queryset: QuerySet[CaseVendor], name: str, value: bool | None
    ) -> QuerySet[CaseVendor]:
        if value is None:
            return queryset
        silent = Q(status=VendorStatus.NOTIFIED, deadline__lt=timezone.now())
        return queryset.filter(silent) if value else queryset.exclude(silent)
