"""Filters of the list of shares."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP
from dnscert.sharing.choices import SourceKind
from dnscert.sharing.models import Share


class ShareFilter(django_filters.FilterSet):
    """Search by title or source, filter by source kind and TLP label."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    source_kind = django_filters.ChoiceFilter(label=_("Source"), choices=SourceKind.choices)
    tlp = django_filters.ChoiceFilter(label="TLP", choices=TLP.choices)

    class Meta:
        model = Share
        fields = ["q", "source_kind", "tlp"]

    def search(self, queryset: QuerySet[Share], name: str, value: str) -> QuerySet[Share]:
        return queryset.filter(Q(title__icontains=value) | Q(source_key__icontains=value))
