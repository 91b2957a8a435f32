"""Django admin of on-call (read mostly; changes go through the on-call pages)."""

from django.contrib import admin

from dnscert.directory.oncall.models import (
    EscalationPolicy,
    Page,
    PageNotification,
    Rota,
    Shift,
    ShiftPattern,
)


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "on_call_minutes", "backup_rota", "backup_minutes", "max_shift_hours")


@admin.register(Rota)
class RotaAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "time_zone", "policy", "active")
    list_filter = ("kind", "active")


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ("rota", "responder", "start", "end", "pattern")
    list_filter = ("rota",)
    date_hierarchy = "start"


@admin.register(ShiftPattern)
class ShiftPatternAdmin(admin.ModelAdmin):
    list_display = ("rota", "responder", "weekday_text", "start_time", "end_time", "time_zone")


class PageNotificationInline(admin.TabularInline):
    model = PageNotification
    extra = 0
    readonly_fields = ("level", "user", "channel", "recipient", "outbound_id", "sent_at")


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("subject", "severity", "level", "status", "created_at", "acknowledged_at")
    list_filter = ("status", "severity", "level")
    readonly_fields = ("token",)
    inlines = [PageNotificationInline]
