"""Serializers of the on-call API: policies, rotas, shifts, patterns, coverage, pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from dnscert.directory.oncall.models import (
    EscalationPolicy,
    Page,
    PageNotification,
    Rota,
    Shift,
    ShiftPattern,
)


def _username_field(**kwargs: Any) -> serializers.SlugRelatedField[Any]:
    return serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True), **kwargs
    )


class PolicySerializer(serializers.ModelSerializer):
    """An escalation policy: minutes per level, the backup, the longest shift."""

    backup_responders = _username_field(many=True, required=False)

    class Meta:
        model = EscalationPolicy
        fields = [
            "id",
            "name",
            "on_call_minutes",
            "backup_rota",
            "backup_responders",
            "backup_minutes",
            "expire_hours",
            "max_shift_hours",
        ]


class RotaSerializer(serializers.ModelSerializer):
    """A rota; the webhook secret can be written but is never read back."""

    webhook_secret = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Rota
        fields = [
            "id",
            "name",
            "kind",
            "time_zone",
            "policy",
            "description",
            "active",
            "webhook_url",
            "webhook_secret",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class ShiftSerializer(serializers.ModelSerializer):
    """A shift; ``start`` and ``end`` must carry a time zone offset."""

    responder = _username_field()

    class Meta:
        model = Shift
        fields = ["id", "rota", "responder", "start", "end", "pattern", "note"]
        read_only_fields = ["pattern"]


class PatternSerializer(serializers.ModelSerializer):
    """A weekly pattern; ``weekdays`` are 0 (Monday) to 6, ``time_zone`` an IANA name."""

    responder = _username_field()
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6))
    time_zone = serializers.CharField(required=False, allow_blank=True)
    weeks = serializers.IntegerField(write_only=True, required=False, min_value=1, max_value=52)

    class Meta:
        model = ShiftPattern
        fields = [
            "id",
            "rota",
            "responder",
            "weekdays",
            "start_time",
            "end_time",
            "time_zone",
            "valid_from",
            "valid_until",
            "weeks",
        ]
        extra_kwargs = {"valid_from": {"required": False}}


class IntervalSerializer(serializers.Serializer):
    """A stretch of time with ``responders`` people on call."""

    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    hours = serializers.FloatField()
    responders = serializers.IntegerField()


class CoverageSerializer(serializers.Serializer):
    """Coverage of a range: the gaps nobody covers and the stretches one person covers."""

    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    uncovered_hours = serializers.FloatField()
    gaps = IntervalSerializer(many=True)
    single_responder = IntervalSerializer(many=True)


class OnCallSerializer(serializers.Serializer):
    """A person on call now, with their local time."""

    username = serializers.CharField()
    name = serializers.CharField()
    time_zone = serializers.CharField()
    local_time = serializers.DateTimeField()


class NotificationSerializer(serializers.ModelSerializer):
    user: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = PageNotification
        fields = ["level", "user", "channel", "recipient", "sent_at"]
        read_only_fields = fields


class PageSerializer(serializers.ModelSerializer):
    """A page with its level, state and who acknowledged it (the token is never shown)."""

    acknowledged_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    seconds_to_acknowledge = serializers.SerializerMethodField()
    notifications = NotificationSerializer(many=True, read_only=True)

    class Meta:
        model = Page
        fields = [
            "id",
            "subject",
            "severity",
            "url",
            "reference",
            "rota",
            "level",
            "status",
            "nobody_on_call",
            "created_at",
            "level_started_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledged_via",
            "seconds_to_acknowledge",
            "notifications",
        ]
        read_only_fields = fields

    def get_seconds_to_acknowledge(self, page: Page) -> int | None:
        waited = page.time_to_acknowledge
        return int(waited.total_seconds()) if waited is not None else None
