"""Django admin of situational awareness (read-mostly: data enters through the services)."""

from django.contrib import admin

from dnscert.intel import models


@admin.register(models.Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["name", "parser", "source_kind", "schedule_minutes", "enabled", "last_run_at"]
    list_filter = ["source_kind", "enabled", "parser"]
    search_fields = ["name", "provider"]


@admin.register(models.IngestRun)
class IngestRunAdmin(admin.ModelAdmin):
    list_display = ["feed", "started_at", "status", "accepted", "failed", "duplicates"]
    list_filter = ["status", "feed"]
    readonly_fields = [field.name for field in models.IngestRun._meta.fields]


@admin.register(models.Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "time_source",
        "feed",
        "classification_type",
        "source_fqdn",
        "source_ip",
        "registrar_name",
    ]
    list_filter = ["classification_type", "feed"]
    search_fields = ["source_fqdn", "source_domain", "source_url"]
    raw_id_fields = ["run", "registrar_org", "registry_org"]
    show_full_result_count = False


@admin.register(models.FailedRecord)
class FailedRecordAdmin(admin.ModelAdmin):
    list_display = ["run", "line_number", "stage", "reason"]
    raw_id_fields = ["run"]


@admin.register(models.Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["domain", "registrar_name", "iana_id", "created_at", "source", "updated_at"]
    list_filter = ["source", "tld"]
    search_fields = ["domain", "registrar_name"]


@admin.register(models.DailyAggregate)
class DailyAggregateAdmin(admin.ModelAdmin):
    list_display = ["day", "dimension", "key", "label", "count", "new_registrations"]
    list_filter = ["dimension"]


@admin.register(models.RegistrarSize)
class RegistrarSizeAdmin(admin.ModelAdmin):
    list_display = ["name", "iana_id", "domains", "as_of"]


@admin.register(models.TldSize)
class TldSizeAdmin(admin.ModelAdmin):
    list_display = ["tld", "domains", "as_of"]
