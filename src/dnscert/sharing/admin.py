"""Django admin of sharing (read-mostly; sharing happens through the console)."""

from django.contrib import admin

from dnscert.sharing.models import Share, SharedObject, UploadStatus


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "source_kind", "tlp", "updated_at")
    list_filter = ("source_kind", "tlp")
    search_fields = ("title", "source_key")
    readonly_fields = ("uuid", "items")


@admin.register(SharedObject)
class SharedObjectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("stix_id", "stix_type", "audience", "tlp", "date_added")
    list_filter = ("audience", "stix_type", "tlp")
    search_fields = ("stix_id",)


@admin.register(UploadStatus)
class UploadStatusAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "collection", "requested_at")
