"""Django admin registrations of DNS health, read-only.

Schedules, planned changes and acknowledgements change through service functions (validated
and audited) on the dashboard or the API; the admin only shows what the app stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dnscert.dnshealth.models import (
    DailyRollup,
    DelegationChange,
    DelegationSnapshot,
    MonitoringRun,
    MonitoringTarget,
    Notification,
    PlannedChange,
    RollupRecord,
    Signal,
    ZoneResult,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only: every change goes through a service function."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MonitoringTarget)
class MonitoringTargetAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "organisation", "status", "enabled", "next_full_due"]
    list_filter = ["kind", "status", "enabled"]
    search_fields = ["name"]


@admin.register(MonitoringRun)
class MonitoringRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "check_kind", "status", "target_count", "result_count", "started"]
    list_filter = ["check_kind", "status"]


@admin.register(ZoneResult)
class ZoneResultAdmin(ReadOnlyAdmin):
    list_display = ["target", "checked_at", "check_kind", "status", "worst_level"]
    list_filter = ["status", "check_kind"]
    search_fields = ["target__name"]
    raw_id_fields = ["run", "target"]


@admin.register(DailyRollup)
class DailyRollupAdmin(ReadOnlyAdmin):
    list_display = ["target", "day", "runs", "worst_status", "availability_pct"]
    search_fields = ["target__name"]


@admin.register(RollupRecord)
class RollupRecordAdmin(ReadOnlyAdmin):
    list_display = ["ran_at", "cutoff", "results_rolled_up", "results_deleted"]


@admin.register(DelegationSnapshot)
class DelegationSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["target", "first_seen", "last_seen", "digest"]
    search_fields = ["target__name"]


@admin.register(DelegationChange)
class DelegationChangeAdmin(ReadOnlyAdmin):
    list_display = ["target", "detected_at", "severity", "expected", "acknowledged_at"]
    list_filter = ["severity", "expected"]
    search_fields = ["target__name"]


@admin.register(PlannedChange)
class PlannedChangeAdmin(ReadOnlyAdmin):
    list_display = ["target", "window_start", "window_end", "created_by"]


@admin.register(Signal)
class SignalAdmin(ReadOnlyAdmin):
    list_display = ["kind", "target", "organisation", "severity", "state", "opened_at"]
    list_filter = ["kind", "state", "severity"]
    search_fields = ["target__name", "summary"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["email", "signal", "status", "attempts", "sent_at"]
    list_filter = ["status"]
