"""Django admin of the intake: read-mostly views of reports and attachments."""

from __future__ import annotations

from django.contrib import admin

from dnscert.incidents.intake.models import Report, ReportAttachment


class AttachmentInline(admin.TabularInline):
    model = ReportAttachment
    extra = 0
    readonly_fields = ("filename", "content_type", "size", "sha256", "file")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("reference", "channel", "status", "pgp_status", "reporter_email", "received_at")
    list_filter = ("channel", "status", "pgp_status", "mail_kind")
    search_fields = ("reference", "subject", "reporter_email", "message_id")
    readonly_fields = ("reference", "raw", "received_at", "acknowledged_at")
    raw_id_fields = ("organisation", "user", "incident", "duplicate_of", "signer_contact")
    inlines = [AttachmentInline]
