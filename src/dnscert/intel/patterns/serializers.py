"""Serializers of the pattern API: campaigns, registry lists, alerts, concentration figures."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dnscert.core.choices import TLP
from dnscert.intel.patterns.choices import ConcentrationDimension
from dnscert.intel.patterns.concentration import MAX_BASELINE_DAYS, MAX_WINDOW_DAYS
from dnscert.intel.patterns.models import ConcentrationAlert, DgaCampaign, RegistryList


class CampaignSerializer(serializers.ModelSerializer):
    """A DGA campaign (read)."""

    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    csv_url = serializers.SerializerMethodField()

    class Meta:
        model = DgaCampaign
        fields = [
            "id",
            "family",
            "start_date",
            "end_date",
            "tlp",
            "status",
            "note",
            "created_by",
            "created_at",
            "generated_at",
            "sent_at",
            "days_done",
            "domain_count",
            "error",
            "csv_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_csv_url(self, campaign: DgaCampaign) -> str:
        return reverse("dga-campaign-csv", args=[campaign.pk])


class CampaignCreateSerializer(serializers.Serializer):
    """A new campaign: the service checks the family and the range and names the field."""

    family = serializers.CharField(max_length=64)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    tlp = serializers.ChoiceField(choices=TLP.choices, default=TLP.AMBER)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SendResultSerializer(serializers.Serializer):
    """What sending queued: e-mails, and lists skipped with the reason."""

    emails = serializers.IntegerField()
    skipped = serializers.ListField(child=serializers.CharField())


class RegistryListSerializer(serializers.ModelSerializer):
    """One registry's list (read); the domains themselves come from ``csv_url``."""

    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    family = serializers.CharField(source="campaign.family", read_only=True)
    start_date = serializers.DateField(source="campaign.start_date", read_only=True)
    end_date = serializers.DateField(source="campaign.end_date", read_only=True)
    coverage_percent = serializers.FloatField(read_only=True, allow_null=True)
    csv_url = serializers.SerializerMethodField()

    class Meta:
        model = RegistryList
        fields = [
            "id",
            "campaign",
            "family",
            "start_date",
            "end_date",
            "tld",
            "organisation",
            "tlp",
            "domain_count",
            "status",
            "sent_at",
            "acknowledged_at",
            "acknowledged_via",
            "covered_count",
            "coverage_percent",
            "coverage_reported_at",
            "coverage_note",
            "csv_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_csv_url(self, registry_list: RegistryList) -> str:
        return reverse("dga-registry-list-csv", args=[registry_list.pk])


class CoverageSerializer(serializers.Serializer):
    """A coverage report; the service checks the number against the list's size."""

    covered_count = serializers.IntegerField(min_value=0)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AlertSerializer(serializers.ModelSerializer):
    """A concentration alert (read); the domain list comes from ``csv_url``."""

    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    csv_url = serializers.SerializerMethodField()

    class Meta:
        model = ConcentrationAlert
        fields = [
            "id",
            "dimension",
            "key",
            "label",
            "kind",
            "category",
            "window_start",
            "window_end",
            "baseline_start",
            "share",
            "baseline_share",
            "new_domains",
            "total_new_domains",
            "events",
            "domain_count",
            "organisation",
            "tlp",
            "status",
            "created_at",
            "reviewed_at",
            "details",
            "csv_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_csv_url(self, alert: ConcentrationAlert) -> str:
        return reverse("concentration-alert-domains", args=[alert.pk])


class DismissSerializer(serializers.Serializer):
    """Why the alert is dismissed."""

    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ConcentrationQuerySerializer(serializers.Serializer):
    """The window of the concentration figures (query parameters)."""

    dimension = serializers.ChoiceField(
        choices=ConcentrationDimension.choices, default=ConcentrationDimension.REGISTRAR
    )
    last_day = serializers.DateField(required=False)
    days = serializers.IntegerField(min_value=1, max_value=MAX_WINDOW_DAYS, required=False)
    baseline_days = serializers.IntegerField(
        min_value=1, max_value=MAX_BASELINE_DAYS, required=False
    )
    category = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class ConcentrationRowSerializer(serializers.Serializer):
    """One registrar or TLD over the window."""

    key = serializers.CharField()
    name = serializers.CharField()
    events = serializers.IntegerField()
    domains = serializers.IntegerField()
    new_domains = serializers.IntegerField()
    size = serializers.IntegerField(allow_null=True)
    rate_per_10000 = serializers.FloatField(allow_null=True)
    share = serializers.FloatField()
    baseline_new_domains = serializers.IntegerField()
    baseline_share = serializers.FloatField()
    jump = serializers.FloatField()


class ConcentrationSerializer(serializers.Serializer):
    """The concentration table of one dimension over one window."""

    dimension = serializers.CharField()
    window_start = serializers.DateField()
    window_last_day = serializers.DateField()
    baseline_start = serializers.DateField()
    category = serializers.CharField()
    new_days = serializers.IntegerField()
    total_events = serializers.IntegerField()
    total_new_domains = serializers.IntegerField()
    baseline_total_new_domains = serializers.IntegerField()
    unattributed_new_domains = serializers.IntegerField()
    rows = ConcentrationRowSerializer(many=True)
