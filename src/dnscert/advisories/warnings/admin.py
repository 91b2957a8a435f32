"""Django admin of watch and warning (read-mostly; changes go through the pages and API)."""

from django.contrib import admin

from dnscert.advisories.warnings.models import RuleSetting, Subscription, Warning, WarningDelivery


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    list_display = ["reference", "kind", "severity", "tlp", "organisation", "status", "created_at"]
    list_filter = ["kind", "status", "severity", "tlp"]
    search_fields = ["reference", "title"]
    readonly_fields = ["reference", "ack_token", "dedupe_key"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "user", "min_severity", "active"]
    list_filter = ["active"]
    search_fields = ["name", "organisation__name"]


admin.site.register(RuleSetting)
admin.site.register(WarningDelivery)
