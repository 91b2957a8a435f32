"""Admin of insight: reports, revisions and feedback, read-mostly (changes go through services)."""

from __future__ import annotations

from django.contrib import admin

from dnscert.insight.models import (
    AfterActionReport,
    FeedbackAnswer,
    FeedbackRequest,
    ReportRevision,
)


@admin.register(AfterActionReport)
class AfterActionReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["incident", "revision", "updated_at", "updated_by"]
    search_fields = ["incident__reference", "incident__title"]
    readonly_fields = ["incident", "content", "generated_summary", "generated_at", "revision"]


@admin.register(ReportRevision)
class ReportRevisionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["report", "number", "reason", "edited_at", "edited_by"]


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["participant", "email", "language", "created_at", "expires_at"]
    search_fields = ["email", "participant__incident__reference"]
    readonly_fields = ["token_digest"]


@admin.register(FeedbackAnswer)
class FeedbackAnswerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["request", "useful", "timely", "updated_at"]
    search_fields = ["request__email", "comment"]
