"""API serializers of vulnerability coordination."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dnscert.vulns.choices import Audience, CaseStatus, MessageVia, VendorStatus
from dnscert.vulns.models import Case, CaseMessage, CaseVendor

VENDOR_STATUS_HELP = "One of: " + ", ".join(VendorStatus.values)


def _choice(values: list[str]) -> type[serializers.ChoiceField]:
    """A choice field documented inline (no shared enum component to collide by name)."""

    @extend_schema_field({"type": "string", "enum": list(values)})
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField


class CaseSerializer(serializers.ModelSerializer[Case]):
    status = _choice(CaseStatus.values)(choices=CaseStatus.choices, read_only=True)

    class Meta:
        model = Case
        fields = [
            "reference",
            "title",
            "description",
            "affected_software",
            "affected_versions",
            "severity",
            "cvss3_vector",
            "cvss3_score",
            "cvss4_vector",
            "cvss4_score",
            "cwe",
            "cve_ids",
            "status",
            "tlp",
            "embargo_at",
            "published_at",
            "created_at",
        ]
        read_only_fields = fields


class CaseVendorSerializer(serializers.ModelSerializer[CaseVendor]):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text=VENDOR_STATUS_HELP)
    silent = serializers.SerializerMethodField()

    class Meta:
        model = CaseVendor
        fields = [
            "id",
            "organisation",
            "status",
            "statement",
            "status_date",
            "notified_at",
            "acknowledged_at",
            "deadline",
            "silent",
        ]
        read_only_fields = fields

    def get_silent(self, obj: CaseVendor) -> bool:
        return obj.is_silent


class CaseVendorStatusSerializer(serializers.Serializer[None]):
    status = serializers.CharField(max_length=16, help_text=VENDOR_STATUS_HELP)
    statement = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


class CaseMessageSerializer(serializers.ModelSerializer[CaseMessage]):
    author_organisation = serializers.CharField(
        source="author_organisation.name", read_only=True, default=""
    )
    audience = _choice(Audience.values)(choices=Audience.choices, read_only=True)
    via = _choice(MessageVia.values)(choices=MessageVia.choices, read_only=True)

    class Meta:
        model = CaseMessage
        fields = [
            "id",
            "author_label",
            "author_organisation",
            "audience",
            "audience_vendor",
            "body",
            "via",
            "created_at",
        ]
        read_only_fields = fields


class NewCaseMessageSerializer(serializers.Serializer[None]):
    body = serializers.CharField(max_length=50_000)
    audience = _choice(Audience.values)(choices=Audience.choices, default=Audience.ALL)
    vendor = serializers.IntegerField(required=False)


class SpreadSerializer(serializers.Serializer[None]):
    count = serializers.IntegerField()
    median_hours = serializers.FloatField(allow_null=True)
    p90_hours = serializers.FloatField(allow_null=True)


class VendorTimesSerializer(serializers.Serializer[None]):
    organisation_id = serializers.IntegerField()
    name = serializers.CharField()
    cases = serializers.IntegerField()
    silent = serializers.IntegerField()
    acknowledge = SpreadSerializer()
    statement = SpreadSerializer()


class MetricsSerializer(serializers.Serializer[Any]):
    vendors = VendorTimesSerializer(many=True)
    report_to_publication = SpreadSerializer()
