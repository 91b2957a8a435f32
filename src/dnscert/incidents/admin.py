"""Django admin registrations of incidents, read-only.

Incidents change through the service functions (validated, journaled and audited) on the
incident pages, the API or the CLI; the admin only shows what the app stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dnscert.incidents.models import Incident, Indicator, JournalEntry, Participant, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: every change goes through a service function."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "category", "severity", "status", "tlp", "created_at"]
    list_filter = ["status", "severity", "tlp"]
    search_fields = ["reference", "title"]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["incident", "organisation", "role", "status", "notified_at"]
    list_filter = ["status", "role"]


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["incident", "created_at", "kind", "tlp", "author_label"]
    list_filter = ["kind", "tlp"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["incident", "title", "owner", "owner_organisation", "due_at", "done_at"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["incident", "kind", "value"]
    list_filter = ["kind"]
    search_fields = ["value"]
