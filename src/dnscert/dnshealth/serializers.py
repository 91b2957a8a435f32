"""Serializers of the DNS health API: targets, runs, results, signals, delegation changes,
planned changes and the on-demand check."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dnscert.dnshealth.models import (
    DelegationChange,
    DelegationSnapshot,
    MonitoringRun,
    MonitoringTarget,
    PlannedChange,
    Signal,
    ZoneResult,
)
from dnscert.dnshealth.queries import normalise_name
from dnscert.dnshealth.targets import MAX_INTERVAL_MINUTES


class TargetSerializer(serializers.ModelSerializer):
    """A monitoring target with its schedule and latest status (read)."""

    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )

    class Meta:
        model = MonitoringTarget
        fields = [
            "id",
            "kind",
            "name",
            "organisation",
            "enabled",
            "watch_delegation",
            "reachability_interval",
            "full_interval",
            "status",
            "worst_level",
            "status_since",
            "last_reachability_at",
            "last_full_at",
            "next_reachability_due",
            "next_full_due",
            "latest_result",
        ]
        read_only_fields = fields


class ScheduleSerializer(serializers.Serializer):
    """The schedule fields staff may change (all optional in a PATCH)."""

    reachability_interval = serializers.IntegerField(
        min_value=1, max_value=MAX_INTERVAL_MINUTES, required=False
    )
    full_interval = serializers.IntegerField(
        min_value=1, max_value=MAX_INTERVAL_MINUTES, required=False
    )
    enabled = serializers.BooleanField(required=False)
    watch_delegation = serializers.BooleanField(required=False)


class RunSerializer(serializers.ModelSerializer):
    """One batch run."""

    class Meta:
        model = MonitoringRun
        fields = [
            "id",
            "started",
            "finished",
            "profile",
            "check_kind",
            "target_count",
            "result_count",
            "status",
            "error",
        ]
        read_only_fields = fields


class NameserverMeasurementSerializer(serializers.Serializer):
    """One name server address in one result."""

    ns = serializers.CharField()
    address = serializers.CharField()
    reachable = serializers.BooleanField()
    udp_ms = serializers.FloatField(allow_null=True)
    tcp_ms = serializers.FloatField(allow_null=True)
    serial = serializers.IntegerField(allow_null=True)


class MessageSerializer(serializers.Serializer):
    """One engine message."""

    test_case = serializers.CharField()
    tag = serializers.CharField()
    level = serializers.CharField()
    args = serializers.DictField()


class ResultSerializer(serializers.ModelSerializer):
    """One target's outcome in one run, messages and measurements by name."""

    zone = serializers.CharField(source="target.name", read_only=True)
    messages = serializers.SerializerMethodField()
    nameservers = serializers.SerializerMethodField()

    class Meta:
        model = ZoneResult
        fields = [
            "id",
            "run",
            "target",
            "zone",
            "checked_at",
            "check_kind",
            "status",
            "worst_level",
            "duration_ms",
            "query_count",
            "message_count",
            "messages",
            "nameservers",
            "soa_serials",
        ]
        read_only_fields = fields

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, result: ZoneResult) -> list[dict[str, Any]]:
        return result.message_dicts()

    @extend_schema_field(NameserverMeasurementSerializer(many=True))
    def get_nameservers(self, result: ZoneResult) -> list[dict[str, Any]]:
        return result.nameserver_dicts()


class SignalSerializer(serializers.ModelSerializer):
    """A state change worth telling someone about."""

    zone = serializers.CharField(source="target.name", read_only=True)
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )

    class Meta:
        model = Signal
        fields = [
            "id",
            "kind",
            "zone",
            "target",
            "organisation",
            "severity",
            "state",
            "summary",
            "details",
            "opened_at",
            "last_seen",
            "resolved_at",
            "delegation_change",
        ]
        read_only_fields = fields


class SnapshotSerializer(serializers.ModelSerializer):
    """One delegation state: NS set, glue and DS."""

    class Meta:
        model = DelegationSnapshot
        fields = ["id", "ns", "glue", "ds", "first_seen", "last_seen"]
        read_only_fields = fields


class DelegationChangeSerializer(serializers.ModelSerializer):
    """A change of delegation with both states and the difference."""

    zone = serializers.CharField(source="target.name", read_only=True)
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    old = SnapshotSerializer(read_only=True)
    new = SnapshotSerializer(read_only=True)
    acknowledged_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = DelegationChange
        fields = [
            "id",
            "zone",
            "target",
            "organisation",
            "old",
            "new",
            "diff",
            "severity",
            "reasons",
            "detected_at",
            "expected",
            "planned_change",
            "acknowledged_by",
            "acknowledged_at",
        ]
        read_only_fields = fields


class PlannedChangeSerializer(serializers.ModelSerializer):
    """A planned change window; ``zone`` names one of the caller's zones on create."""

    zone = serializers.CharField(max_length=253, write_only=True)
    zone_name = serializers.CharField(source="target.name", read_only=True)
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    expected_ns = serializers.ListField(child=serializers.CharField(max_length=253), required=False)
    expected_ds = serializers.ListField(
        child=serializers.CharField(max_length=1000), required=False
    )

    class Meta:
        model = PlannedChange
        fields = [
            "id",
            "zone",
            "zone_name",
            "target",
            "window_start",
            "window_end",
            "expected_ns",
            "expected_ds",
            "note",
            "created_by",
            "created",
        ]
        read_only_fields = ["id", "target", "created_by", "created"]

    def validate_zone(self, value: str) -> str:
        return normalise_name(value)


class CheckNowSerializer(serializers.Serializer):
    """Which zone to check now."""

    zone = serializers.CharField(max_length=253)

    def validate_zone(self, value: str) -> str:
        return normalise_name(value)


class CheckNowStartedSerializer(serializers.Serializer):
    """The started check: its run and where its progress streams."""

    run = serializers.IntegerField()
    zone = serializers.CharField()
    events_url = serializers.CharField()
