"""API serializers of vulnerability coordination."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dnscert.core.choices import TLP, Severity
from dnscert.directory.models import Organisation, Product
from dnscert.vulns.choices import Audience, CaseStatus, Credit, CveState, MessageVia, VendorStatus
from dnscert.vulns.embargo import MAX_REASON
from dnscert.vulns.models import Case, CaseMessage, CaseParticipant, CaseVendor, CveReservation
from dnscert.vulns.services import DEFAULT_ANSWER_DAYS, MAX_TEXT

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


# --- writing cases (core staff) ---------------------------------------------------------------

#: Largest id accepted for a directory row (the primary keys are 64-bit).
MAX_ID = 2**63 - 1
MAX_PRODUCTS = 50
MAX_CVE_IDS = 50


class _Strict(serializers.Serializer[None]):
    """Refuses fields it does not know, naming them, instead of silently ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["not a field of this request"] for name in unknown}
                )
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry its offset: a naive one is ambiguous."""

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            raise serializers.ValidationError(
                "give the time zone offset, e.g. 2026-12-01T14:00:00Z or 2026-12-01T15:00:00+01:00"
            )
        return super().enforce_timezone(value)


class CaseFieldsSerializer(_Strict):
    """The fields of a case the web form edits; CVSS vectors are scored by the service."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, required=False)
    affected_software = serializers.CharField(max_length=300, allow_blank=True, required=False)
    affected_versions = serializers.CharField(max_length=300, allow_blank=True, required=False)
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        help_text="Derived from the CVSS vector when omitted.",
    )
    cvss3_vector = serializers.CharField(
        max_length=120, allow_blank=True, required=False, help_text="CVSS:3.1/AV:N/..."
    )
    cvss4_vector = serializers.CharField(
        max_length=200, allow_blank=True, required=False, help_text="CVSS:4.0/AV:N/..."
    )
    cwe = serializers.CharField(max_length=16, allow_blank=True, required=False)
    cve_ids = serializers.ListField(
        child=serializers.CharField(max_length=24), max_length=MAX_CVE_IDS, required=False
    )
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False)


class CaseProductItemSerializer(_Strict):
    """An affected product: a directory product (by id) or a free name, with versions."""

    name = serializers.CharField(max_length=200, allow_blank=True, required=False)
    versions = serializers.CharField(max_length=300, allow_blank=True, required=False)
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, help_text="id of a directory product"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        product = attrs.get("product")
        label = product.name if product is not None else (attrs.get("name") or "").strip()
        if not label:
            raise serializers.ValidationError({"name": ["name the product or give its id"]})
        case = self.context.get("case")
        if case is not None and case.products.filter(name=label).exists():
            raise serializers.ValidationError({"name": [f"{label} is already on this case"]})
        return attrs


class NewCaseSerializer(CaseFieldsSerializer):
    """A new case, with its affected products and embargo if already known."""

    products = CaseProductItemSerializer(many=True, required=False)
    embargo_at = AwareDateTimeField(required=False, help_text="ISO 8601 with its offset")

    def validate_products(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > MAX_PRODUCTS:
            raise serializers.ValidationError(f"at most {MAX_PRODUCTS} products")
        return value


class EmbargoSerializer(_Strict):
    embargo_at = AwareDateTimeField(help_text="ISO 8601 with its offset; in the future")


class EarlyReleaseSerializer(_Strict):
    reason = serializers.CharField(max_length=MAX_REASON, help_text="e.g. exploited in the wild")


class NewCaseVendorSerializer(_Strict):
    """A directory vendor organisation not yet on the case (``context['case']``)."""

    organisation = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="id of a vendor organisation of the directory"
    )

    def validate_organisation(self, value: int) -> Organisation:
        organisation = Organisation.objects.filter(pk=value).first()
        if organisation is None:
            raise serializers.ValidationError(f"no organisation with id {value}")
        if self.context["case"].vendors.filter(organisation=organisation).exists():
            raise serializers.ValidationError(f"{organisation.name} is already on this case")
        return organisation


class ProposedOrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name"]
        read_only_fields = fields


class ProductProposalSerializer(serializers.Serializer[Any]):
    """A product of the case and the directory vendors shipping it that are not on it yet."""

    id = serializers.IntegerField(help_text="id of the product on the case")
    name = serializers.CharField()
    versions = serializers.CharField()
    vendors = ProposedOrganisationSerializer(many=True)


# --- the case life cycle (core staff) -----------------------------------------------------------


class NoFieldsSerializer(_Strict):
    """An action that takes no input: any field sent is refused by name."""


CASE_STATUS_HELP = "The status to move the case to, one of: " + ", ".join(CaseStatus.values)


@extend_schema_field({"type": "string", "description": CASE_STATUS_HELP})
class _TargetStatusField(serializers.ChoiceField):
    """Validated as a choice, documented as text: an enum named "status" would collide with
    the case's own status enum in the schema."""


class CaseTransitionSerializer(_Strict):
    status = _TargetStatusField(choices=CaseStatus.choices)


class NotifySerializer(_Strict):
    answer_days = serializers.IntegerField(
        min_value=1,
        max_value=365,
        default=DEFAULT_ANSWER_DAYS,
        help_text="days the vendor has to answer before it is flagged as silent",
    )


class CveReservationSerializer(serializers.ModelSerializer[CveReservation]):
    state = _choice(CveState.values)(choices=CveState.choices, read_only=True)

    class Meta:
        model = CveReservation
        fields = ["id", "cve_id", "state", "note", "requested_at", "reserved_at", "published_at"]
        read_only_fields = fields


class CveRequestSerializer(_Strict):
    note = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class CveReservedSerializer(_Strict):
    cve_id = serializers.CharField(max_length=24, help_text="e.g. CVE-2026-12345")


class CaseReporterSerializer(serializers.ModelSerializer[CaseParticipant]):
    credit = _choice(Credit.values)(choices=Credit.choices, read_only=True)
    credit_line = serializers.CharField(read_only=True, help_text="as printed in the advisory")

    class Meta:
        model = CaseParticipant
        fields = ["id", "name", "email", "credit", "credit_text", "credit_line", "added_at"]
        read_only_fields = fields


class NewReporterSerializer(_Strict):
    """A reporter by e-mail, as the web form adds one, and how they wish to be credited."""

    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    credit = _choice(Credit.values)(choices=Credit.choices, default=Credit.NAME)
    credit_text = serializers.CharField(
        max_length=300, allow_blank=True, required=False, default=""
    )
