"""Django admin of drills (read only: drills change through their pages, API and CLI)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dnscert.directory.drills.models import Drill, Probe


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows rows, never changes them (every change must go through the audited services)."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProbeInline(admin.TabularInline):
    model = Probe
    extra = 0
    fields = ("contact_name", "organisation_name", "email", "sent_at", "responded_at", "outcome")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Drill)
class DrillAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title", "status", "announced", "launched_at", "closed_at")
    list_filter = ("status", "announced")
    search_fields = ("reference", "title")
    inlines = [ProbeInline]


@admin.register(Probe)
class ProbeAdmin(ReadOnlyAdmin):
    list_display = ("drill", "contact_name", "organisation_name", "outcome", "responded_via")
    list_filter = ("outcome", "responded_via")
    search_fields = ("contact_name", "organisation_name", "email")
    exclude = ("token",)
