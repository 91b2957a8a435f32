"""API representations of advisories, and the inputs of their endpoints.

Inputs are parsed loosely here (strings, lists, mappings); the services validate and name
the field on refusal.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from dnscert.advisories.models import Advisory, AdvisoryRevision, AdvisoryTranslation
from dnscert.advisories.queries import present


class AffectedSerializer(serializers.Serializer):
    """One product the advisory concerns."""

    product = serializers.IntegerField(
        required=False, allow_null=True, help_text="Directory product id"
    )
    product_name = serializers.CharField(required=False, allow_blank=True, default="")
    vendor = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Organisation id or name"
    )
    versions = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.CharField(required=False, default="known_affected")
    statement = serializers.CharField(required=False, allow_blank=True, default="")


class LinkSerializer(serializers.Serializer):
    url = serializers.CharField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class CreditSerializer(serializers.Serializer):
    name = serializers.CharField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class RevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdvisoryRevision
        fields = ["number", "date", "summary"]


class TranslationSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdvisoryTranslation
        fields = ["language", "title", "summary", "details", "recommendations"]


class AdvisorySerializer(serializers.ModelSerializer):
    """An advisory as the caller may read it, in ``?lang=`` (falling back to the original)."""

    title = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField()
    recommendations = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()
    affected = serializers.SerializerMethodField()
    revisions = RevisionSerializer(many=True, read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="draft, in_review, published or withdrawn"
    )
    csaf_url = serializers.SerializerMethodField()

    class Meta:
        model = Advisory
        fields = [
            "reference",
            "title",
            "summary",
            "details",
            "recommendations",
            "language",
            "severity",
            "tlp",
            "status",
            "csaf_category",
            "cve_ids",
            "references",
            "credits",
            "audience_kinds",
            "audience_tlds",
            "affected",
            "current_release",
            "published_at",
            "withdrawn_at",
            "withdrawal_reason",
            "revisions",
            "csaf_url",
            "created_at",
            "updated_at",
        ]

    def _view(self, advisory: Advisory) -> Any:
        cache = self.context.setdefault("_views", {})
        if advisory.pk not in cache:
            request = self.context.get("request")
            language = str(request.query_params.get("lang", "")) if request else ""
            user = getattr(request, "user", None)
            cache[advisory.pk] = present(
                advisory, language or "en", live=bool(getattr(user, "is_core_staff", False))
            )
        return cache[advisory.pk]

    def get_title(self, advisory: Advisory) -> str:
        return str(self._view(advisory).title)

    def get_summary(self, advisory: Advisory) -> str:
        return str(self._view(advisory).summary)

    def get_details(self, advisory: Advisory) -> str:
        return str(self._view(advisory).details)

    def get_recommendations(self, advisory: Advisory) -> str:
        return str(self._view(advisory).recommendations)

    def get_language(self, advisory: Advisory) -> str:
        return str(self._view(advisory).language)

    def get_affected(self, advisory: Advisory) -> list[dict[str, Any]]:
        return list(self._view(advisory).affected)

    def get_csaf_url(self, advisory: Advisory) -> str:
        return f"/api/advisories/advisories/{advisory.reference}/csaf/"


class AdvisoryWriteSerializer(serializers.Serializer):
    """Input to create (all required fields) or change (any subset) an advisory."""

    title = serializers.CharField(required=False)
    summary = serializers.CharField(required=False)
    details = serializers.CharField(required=False, allow_blank=True)
    recommendations = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.CharField(required=False)
    tlp = serializers.CharField(required=False)
    csaf_category = serializers.CharField(required=False)
    cve_ids = serializers.ListField(child=serializers.CharField(), required=False)
    references = LinkSerializer(many=True, required=False)
    credits = CreditSerializer(many=True, required=False)
    audience_kinds = serializers.ListField(child=serializers.CharField(), required=False)
    audience_tlds = serializers.ListField(child=serializers.CharField(), required=False)
    audience_products = serializers.ListField(child=serializers.IntegerField(), required=False)
    named_organisations = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Organisation ids"
    )
    affected = AffectedSerializer(many=True, required=False)


class ActionSerializer(serializers.Serializer):
    """Input of a workflow action: a note or reason, a revision summary for publish."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")
    revision_summary = serializers.CharField(required=False, allow_blank=True, default="")
