"""Filters of the delivery queue (page and API): status, channel, category, recipient search."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dnscert.delivery.choices import Channel, MessageStatus
from dnscert.delivery.models import OutboundMessage


class MessageFilter(django_filters.FilterSet):
    """Outbound messages by status, channel, category and a search on recipient or subject."""

    status = django_filters.ChoiceFilter(choices=MessageStatus.choices, label=_("Status"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    category = django_filters.CharFilter(lookup_expr="iexact", label=_("Category"))
    q = django_filters.CharFilter(method="search", label=_("Recipient or subject"))

    class Meta:
        model = OutboundMessage
        fields = ["status", "channel", "category"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Messages whose recipient, subject or Message-ID contains ``value``."""
        if not value:
            return queryset
        return queryset.filter(
            Q(recipient__icontains=value)
            | Q(subject__icontains=value)
            | Q(message_id__icontains=value)
        )
