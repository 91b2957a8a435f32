"""API representation of outbound messages (secrets and recipient keys are never shown)."""

from __future__ import annotations

from rest_framework import serializers

from dnscert.delivery.models import OutboundMessage


class OutboundMessageSerializer(serializers.ModelSerializer):
    """One outbound message with its delivery status."""

    about_type = serializers.SerializerMethodField()
    recipient = serializers.CharField(source="recipient_display", read_only=True)

    class Meta:
        model = OutboundMessage
        fields = [
            "id",
            "uuid",
            "channel",
            "category",
            "recipient",
            "subject",
            "tlp",
            "language",
            "status",
            "attempts",
            "last_error",
            "last_status_code",
            "signed",
            "encrypted",
            "message_id",
            "created_at",
            "sent_at",
            "next_attempt_at",
            "bounced_at",
            "about_type",
            "about_id",
        ]
        read_only_fields = fields

    def get_about_type(self, message: OutboundMessage) -> str:
        """``app_label.model`` of the object the message is about, or empty."""
        about_type = message.about_type
        return f"{about_type.app_label}.{about_type.model}" if about_type else ""
