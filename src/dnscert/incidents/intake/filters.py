"""Filters of the intake queue and API (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.incidents.intake.choices import Channel, MailKind, PgpStatus, ReportStatus
from dnscert.incidents.intake.models import Report

OPEN = "open"


class ReportFilter(django_filters.FilterSet):
    """Reports by text, channel, status (``open``: new or unparsed), PGP verdict and kind."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    status = django_filters.ChoiceFilter(
        choices=[(OPEN, _("Open (new or unparsed)")), *ReportStatus.choices],
        method="by_status",
        label=_("Status"),
    )
    pgp_status = django_filters.ChoiceFilter(choices=PgpStatus.choices, label=_("PGP"))
    mail_kind = django_filters.ChoiceFilter(choices=MailKind.choices, label=_("Kind"))

    class Meta:
        model = Report
        fields = ["q", "channel", "status", "pgp_status", "mail_kind"]

    def search(self, queryset: QuerySet[Report], name: str, value: str) -> QuerySet[Report]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(reference__iexact=text)
            | Q(subject__icontains=text)
            | Q(reporter_email__icontains=text)
            | Q(reporter_name__icontains=text)
            | Q(body__icontains=text)
            | Q(incident__reference__iexact=text)
        )

    def by_status(self, queryset: QuerySet[Report], name: str, value: Any) -> QuerySet[Report]:
        if value == OPEN:
            return queryset.filter(status__in=[ReportStatus.NEW, ReportStatus.UNPARSED])
        return queryset.filter(status=value) if value else queryset
