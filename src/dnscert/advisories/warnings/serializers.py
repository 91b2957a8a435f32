"""Serializers of the watch-and-warning API: warnings, subscriptions, review decisions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dnscert.advisories.warnings.channels.atom import feed_url
from dnscert.advisories.warnings.models import Subscription, Warning
from dnscert.directory.models import Product


class WarningSerializer(serializers.ModelSerializer):
    """A warning as its readers see it (read only)."""

    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )

    class Meta:
        model = Warning
        fields = [
            "reference", "rule", "kind", "severity", "tlp", "organisation", "title", "body",
            "tlds", "status", "repeats", "created_at", "sent_at", "acknowledged_at",
            "acknowledged_via", "follow_up", "reminded_at", "flagged_at",
        ]  # fmt: skip
        read_only_fields = fields


class ReviewSerializer(serializers.Serializer):
    """A staff decision on a held warning."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class SubscriptionSerializer(serializers.ModelSerializer):
    """A subscription; the service checks every value (errors name the field)."""

    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    user: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    kinds = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, max_length=20
    )
    tlds = serializers.ListField(
        child=serializers.CharField(max_length=63), required=False, max_length=200
    )
    channels = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False, max_length=5
    )
    min_severity = serializers.CharField(required=False, max_length=16)
    products: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Product.objects.all(), required=False
    )
    webhook_secret = serializers.CharField(
        required=False, allow_blank=True, max_length=200, write_only=True
    )
    webhook_secret_set = serializers.SerializerMethodField()
    feed_url = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = [
            "id", "organisation", "user", "name", "kinds", "tlds", "products", "min_severity",
            "channels", "email", "webhook_url", "webhook_secret", "webhook_secret_set",
            "feed_url", "language", "active", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "organisation", "user", "created_at", "updated_at"]

    @extend_schema_field(serializers.BooleanField())
    def get_webhook_secret_set(self, obj: Subscription) -> bool:
        return bool(obj.webhook_secret)

    @extend_schema_field(serializers.URLField())
    def get_feed_url(self, obj: Subscription) -> str:
        return feed_url(obj)
