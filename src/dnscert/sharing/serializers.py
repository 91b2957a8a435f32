"""Serializers of the sharing API."""

from __future__ import annotations

from rest_framework import serializers

from dnscert.core.choices import TLP
from dnscert.sharing.models import Share, SharedObject


class ShareSerializer(serializers.ModelSerializer):
    """A share as the API shows it."""

    indicator_count = serializers.IntegerField(source="item_count", read_only=True)

    class Meta:
        model = Share
        fields = [
            "uuid",
            "title",
            "source_kind",
            "source_key",
            "tlp",
            "severity",
            "labels",
            "indicator_count",
            "items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SharedObjectSerializer(serializers.ModelSerializer):
    """One STIX object in one collection."""

    audience = serializers.CharField(read_only=True, help_text="public, community or organisation")

    class Meta:
        model = SharedObject
        fields = [
            "stix_id",
            "stix_type",
            "version",
            "collection",
            "audience",
            "tlp",
            "date_added",
            "payload",
        ]
        read_only_fields = fields


class _TlpField(serializers.ChoiceField):
    def __init__(self) -> None:
        super().__init__(choices=TLP.choices, required=False, allow_blank=True)


class ShareIncidentSerializer(serializers.Serializer):
    """Share an incident's indicators."""

    reference = serializers.CharField(max_length=24)
    tlp = _TlpField()


class ShareDgaListSerializer(serializers.Serializer):
    """Share a DGA registry list."""

    registry_list = serializers.IntegerField(min_value=1)
    tlp = _TlpField()


class ShareIntelSerializer(serializers.Serializer):
    """Share one day of one feed's events."""

    feed = serializers.CharField(max_length=100, help_text="feed name")
    day = serializers.DateField()
    classification_type = serializers.CharField(max_length=64, required=False, allow_blank=True)
    tlp = _TlpField()
