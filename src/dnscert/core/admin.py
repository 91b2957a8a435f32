"""Django admin of the core: users with their role, tokens, documents; audit and jobs read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dnscert.core.models import ApiToken, AuditEvent, JobRun, SharedDocument, User


@admin.register(User)
class DnscertUserAdmin(UserAdmin):
    """Users, with their platform role, organisation, language and time zone."""

    list_display = ("username", "email", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_superuser", "organisation")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Platform"), {"fields": ("role", "organisation", "language", "time_zone")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Platform"), {"fields": ("role", "organisation", "email")}),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin page that shows records but never adds, changes or deletes them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log, read-only."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "tlp", "via")
    list_filter = ("action", "tlp", "via", "object_type")
    search_fields = ("actor_label", "object_repr", "object_id", "ip_address")
    date_hierarchy = "at"


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    """Job executions, read-only."""

    list_display = ("name", "status", "backend", "queued_at", "finished_at", "attempts")
    list_filter = ("status", "backend", "name")
    search_fields = ("name", "error")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: only the prefix and the digest are stored; revoke by ticking ``revoked``."""

    list_display = ("name", "user", "prefix", "created", "expires", "last_used", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "prefix", "digest", "created", "last_used")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SharedDocument)
class SharedDocumentAdmin(admin.ModelAdmin):
    """Documents shared under TLP."""

    list_display = ("title", "tlp", "owner_organisation", "created_by", "created")
    list_filter = ("tlp",)
    search_fields = ("title", "body")
    filter_horizontal = ("recipient_organisations", "named_recipients", "assignees")
    readonly_fields = ("created_by", "created", "updated")
