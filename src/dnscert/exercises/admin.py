"""Django admin registrations of exercises, read-only.

Exercises change through the service functions (validated and audited) on the control-room
pages, the API or the CLI; the admin only shows what the app stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dnscert.exercises.models import (
    Exercise,
    Inject,
    InjectDelivery,
    ObserverNote,
    Response,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: every change goes through a service function."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Exercise)
class ExerciseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "status", "tlp", "planned_start", "started_at"]
    list_filter = ["status", "tlp"]
    search_fields = ["reference", "title", "scenario"]


@admin.register(Inject)
class InjectAdmin(ReadOnlyAdmin):
    list_display = ["exercise", "position", "title", "offset", "at", "due_at", "delivered_at"]
    list_filter = ["exercise__status", "response_required", "ad_hoc"]
    search_fields = ["title", "body", "exercise__reference"]


@admin.register(InjectDelivery)
class InjectDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["inject", "participant", "delivered_at", "first_response_at", "emails_sent"]
    search_fields = ["inject__title", "participant__organisation__name"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["delivery", "author_label", "via", "received_at"]
    list_filter = ["via"]
    search_fields = ["body", "author_label"]


@admin.register(ObserverNote)
class ObserverNoteAdmin(ReadOnlyAdmin):
    list_display = ["exercise", "author", "created_at"]
    search_fields = ["body"]
