"""Django admin of the pattern models (read-mostly: changes go through the services)."""

from __future__ import annotations

from django.contrib import admin

from dnscert.intel.patterns.models import ConcentrationAlert, DgaCampaign, RegistryList


@admin.register(DgaCampaign)
class DgaCampaignAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "family",
        "start_date",
        "end_date",
        "status",
        "domain_count",
        "created_at",
    ]
    list_filter = ["family", "status"]
    readonly_fields = ["status", "days_done", "domain_count", "generated_at", "sent_at", "error"]


@admin.register(RegistryList)
class RegistryListAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "campaign",
        "tld",
        "organisation",
        "domain_count",
        "status",
        "covered_count",
    ]
    list_filter = ["status"]
    search_fields = ["tld", "organisation__name"]
    readonly_fields = ["domain_count", "sent_at", "acknowledged_at", "acknowledged_via"]
    raw_id_fields = ["campaign", "organisation", "acknowledged_by"]


@admin.register(ConcentrationAlert)
class ConcentrationAlertAdmin(admin.ModelAdmin):
    list_display = ["id", "dimension", "label", "kind", "window_start", "share", "status"]
    list_filter = ["dimension", "kind", "status"]
    search_fields = ["label", "key"]
    raw_id_fields = ["organisation", "reviewed_by"]
