"""Django admin registrations of vulnerability cases, read-only.

Cases change through the service functions (validated and audited) on the case pages, the
API or the CLI; the admin only shows what the app stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dnscert.vulns.models import Case, CaseMessage, CaseVendor, CveReservation


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: every change goes through a service function."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title", "status", "tlp", "embargo_at")
    list_filter = ("status", "tlp")
    search_fields = ("reference", "title")


@admin.register(CaseVendor)
class CaseVendorAdmin(ReadOnlyAdmin):
    list_display = ("case", "organisation", "status", "notified_at", "deadline")
    list_filter = ("status",)


@admin.register(CaseMessage)
class CaseMessageAdmin(ReadOnlyAdmin):
    list_display = ("case", "author_label", "audience", "via", "created_at")
    list_filter = ("audience", "via")


@admin.register(CveReservation)
class CveReservationAdmin(ReadOnlyAdmin):
    list_display = ("case", "cve_id", "state", "requested_at")
