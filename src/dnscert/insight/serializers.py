"""Serializers of the insight API: reports, lessons, feedback answers, KPI figures."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from dnscert.insight.models import MAX_LESSON_CHARS, AfterActionReport, FeedbackAnswer


class AfterActionReportSerializer(serializers.ModelSerializer[AfterActionReport]):
    """An after-action report with its generated facts and lessons learned."""

    incident = serializers.CharField(source="incident.reference", read_only=True)
    title = serializers.CharField(source="incident.title", read_only=True)
    tlp = serializers.CharField(read_only=True)
    updated_by = serializers.SerializerMethodField()
    markdown_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = AfterActionReport
        fields = [
            "id",
            "incident",
            "title",
            "tlp",
            "summary",
            "went_well",
            "to_improve",
            "actions",
            "content",
            "revision",
            "generated_at",
            "created_at",
            "updated_at",
            "updated_by",
            "markdown_url",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_updated_by(self, report: AfterActionReport) -> str:
        return report.updated_by.get_username() if report.updated_by else ""

    def _url(self, report: AfterActionReport, fmt: str) -> str:
        from django.urls import reverse

        return reverse("insight:report-export", args=[report.incident.reference, fmt])

    def get_markdown_url(self, report: AfterActionReport) -> str:
        return self._url(report, "md")

    def get_pdf_url(self, report: AfterActionReport) -> str:
        return self._url(report, "pdf")


class AfterActionLessonsSerializer(serializers.Serializer[Any]):
    """The fields staff edit; send only those to change."""

    summary = serializers.CharField(required=False, allow_blank=True, max_length=MAX_LESSON_CHARS)
    went_well = serializers.CharField(required=False, allow_blank=True, max_length=MAX_LESSON_CHARS)
    to_improve = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_LESSON_CHARS
    )
    actions = serializers.CharField(required=False, allow_blank=True, max_length=MAX_LESSON_CHARS)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: ["not an editable field"] for name in unknown})
        return attrs


class AfterActionGenerateSerializer(serializers.Serializer[Any]):
    """Which incident to generate (or regenerate) the report of."""

    incident = serializers.CharField(max_length=24, help_text="e.g. DNSCERT-2026-0001")


class FeedbackAnswerSerializer(serializers.ModelSerializer[FeedbackAnswer]):
    """One participant contact's survey answer."""

    incident = serializers.CharField(source="participant.incident.reference", read_only=True)
    organisation = serializers.CharField(source="participant.organisation.name", read_only=True)
    email = serializers.EmailField(source="request.email", read_only=True)
    useful = serializers.IntegerField(read_only=True, min_value=1, max_value=5)
    timely = serializers.IntegerField(read_only=True, min_value=1, max_value=5)

    class Meta:
        model = FeedbackAnswer
        fields = [
            "id",
            "incident",
            "organisation",
            "email",
            "useful",
            "timely",
            "comment",
            "submitted_at",
            "updated_at",
            "times_submitted",
        ]
        read_only_fields = fields


class KpiFiguresSerializer(serializers.Serializer[Any]):
    """The KPI figures of a period (see :func:`dnscert.insight.kpis.compute`)."""

    period = serializers.DictField(child=serializers.CharField())
    months = serializers.ListField(child=serializers.CharField())
    total = serializers.IntegerField()
    by_severity = serializers.DictField(child=serializers.IntegerField())
    by_category = serializers.DictField(child=serializers.IntegerField())
    category_labels = serializers.DictField(child=serializers.CharField())
    severity_labels = serializers.DictField(child=serializers.CharField())
    monthly_by_severity = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField())
    )
    monthly_by_category = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField())
    )
    response_times = serializers.ListField(child=serializers.DictField())
    participant_acknowledgement = serializers.DictField()
    feedback = serializers.DictField()
