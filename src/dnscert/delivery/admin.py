"""Django admin of outbound messages (read-mostly: staff use the /delivery/ page)."""

from django.contrib import admin

from dnscert.delivery.models import OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "category", "recipient", "status", "attempts"]
    list_filter = ["status", "channel", "category"]
    search_fields = ["recipient", "subject", "message_id"]
    exclude = ["secret", "recipient_key"]
    readonly_fields = ["uuid", "message_id", "created_at", "sent_at", "attempts"]
