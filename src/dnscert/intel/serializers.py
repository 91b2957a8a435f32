"""Serializers of the threat-data API: events, aggregates, feeds, runs, failed lines, upload."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

from dnscert.intel.choices import SourceKind
from dnscert.intel.feeds.registry import parsers
from dnscert.intel.forms import MAX_UPLOAD_BYTES
from dnscert.intel.models import DailyAggregate, Event, FailedRecord, Feed, IngestRun


class IntelEventSerializer(serializers.ModelSerializer):
    """A stored event (read only)."""

    feed: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "time_source",
            "time_observation",
            "feed",
            "run",
            "classification_taxonomy",
            "classification_type",
            "source_fqdn",
            "source_domain",
            "source_tld",
            "source_url",
            "source_ip",
            "source_asn",
            "registrar_name",
            "registrar_iana_id",
            "registrar_org",
            "registry_org",
            "domain_created_at",
            "raw",
            "extra",
        ]
        read_only_fields = fields


class IntelAggregateSerializer(serializers.ModelSerializer):
    """Events of one day counted by one dimension value."""

    class Meta:
        model = DailyAggregate
        fields = ["day", "dimension", "key", "label", "count", "new_registrations"]
        read_only_fields = fields


class IntelFeedSerializer(serializers.ModelSerializer):
    """A feed with its settings and counters; staff write the settings."""

    parser = serializers.ChoiceField(choices=[])
    options = serializers.DictField(required=False, default=dict)
    source_kind = serializers.ChoiceField(choices=SourceKind.choices, default=SourceKind.UPLOAD)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parser"].choices = [(name, name) for name in parsers()]  # type: ignore[attr-defined]

    class Meta:
        model = Feed
        fields = [
            "id",
            "name",
            "description",
            "parser",
            "options",
            "source_kind",
            "url",
            "path",
            "schedule_minutes",
            "enabled",
            "provider",
            "last_run_at",
            "last_error",
            "accepted_count",
            "failed_count",
            "duplicate_count",
            "error_count",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "last_run_at",
            "last_error",
            "accepted_count",
            "failed_count",
            "duplicate_count",
            "error_count",
            "created_at",
        ]
        extra_kwargs: ClassVar[dict[str, Any]] = {"name": {"validators": []}}


class IntelIngestRunSerializer(serializers.ModelSerializer):
    """One ingest run with its counters."""

    feed: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )

    class Meta:
        model = IngestRun
        fields = [
            "id",
            "feed",
            "source",
            "started_at",
            "finished_at",
            "status",
            "records",
            "accepted",
            "failed",
            "duplicates",
            "error",
        ]
        read_only_fields = fields


class IntelFailedRecordSerializer(serializers.ModelSerializer):
    """A line that could not become an event, with the reason."""

    class Meta:
        model = FailedRecord
        fields = ["id", "run", "line_number", "stage", "reason", "raw"]
        read_only_fields = fields


class IntelUploadSerializer(serializers.Serializer):
    """A feed file to ingest."""

    file = serializers.FileField(max_length=255, allow_empty_file=False)

    def validate_file(self, value: Any) -> Any:
        if value.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError("The file is larger than 512 MiB.")
        return value
