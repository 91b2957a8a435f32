"""Serializers of the intake API: reports (read), a new report, and the triage actions.

Choice fields are plain strings here (the values are listed in the help texts and checked by
the services), so the schema does not grow enums that clash with other apps' fields.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from rest_framework import serializers

from dnscert.incidents.intake.choices import Channel, PgpStatus, ReportStatus
from dnscert.incidents.intake.models import Report, ReportAttachment
from dnscert.incidents.intake.storage import Upload


def _values(choices: Any) -> str:
    return ", ".join(choices.values)


class AttachmentSerializer(serializers.ModelSerializer):
    """An attachment's metadata; the file is downloaded from ``url``."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportAttachment
        fields = ["id", "filename", "content_type", "size", "sha256", "url"]
        read_only_fields = fields

    def get_url(self, item: ReportAttachment) -> str:
        from django.urls import reverse

        return reverse("intake:attachment", args=[item.pk])


class ReportSerializer(serializers.ModelSerializer):
    """A report as the triage team sees it (the raw content is downloaded separately)."""

    channel = serializers.CharField(read_only=True, help_text=_values(Channel))
    status = serializers.CharField(read_only=True, help_text=_values(ReportStatus))
    pgp_status = serializers.CharField(read_only=True, help_text=_values(PgpStatus))
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    incident: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    duplicate_of: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Report
        fields = [
            "reference",
            "channel",
            "status",
            "reporter_name",
            "reporter_email",
            "organisation",
            "subject",
            "body",
            "parse_error",
            "notes",
            "pgp_status",
            "pgp_encrypted",
            "signer_fingerprint",
            "incident",
            "duplicate_of",
            "resolution",
            "message_id",
            "received_at",
            "acknowledged_at",
            "attachments",
        ]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    """One attached file, its content in base64."""

    filename = serializers.CharField(max_length=255)
    content_type = serializers.CharField(max_length=150, required=False, default="")
    content = serializers.CharField(help_text="the file's bytes, base64-encoded")

    def validate_content(self, value: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("not valid base64") from None


class NewReportSerializer(serializers.Serializer):
    """A report sent through the API; members' name, e-mail and organisation are their own."""

    subject = serializers.CharField(max_length=300)
    body = serializers.CharField(max_length=100_000)
    reporter_name = serializers.CharField(max_length=200, required=False, default="")
    reporter_email = serializers.EmailField(required=False, default="")
    language = serializers.CharField(max_length=2, required=False, default="en", help_text="en, fr")
    attachments = UploadSerializer(many=True, required=False, default=list)

    def uploads(self) -> list[Upload]:
        """The attachments as uploads for the service."""
        return [
            Upload(item["filename"], item.get("content_type", ""), item["content"])
            for item in self.validated_data.get("attachments", [])
        ]


class CreateIncidentSerializer(serializers.Serializer):
    """Open an incident from a report."""

    title = serializers.CharField(max_length=200, required=False, default="")
    category = serializers.CharField(max_length=80, help_text="an incident category (taxonomy)")
    severity = serializers.CharField(max_length=16, help_text="info, low, medium, high, critical")
    tlp = serializers.CharField(max_length=16, help_text="CLEAR, GREEN, AMBER, AMBER+STRICT, RED")
    summary = serializers.CharField(required=False, default="")


class AttachSerializer(serializers.Serializer):
    """Add a report to an incident."""

    incident = serializers.CharField(max_length=30, help_text="DNSCERT-2026-0001")


class RejectSerializer(serializers.Serializer):
    """Reject a report."""

    reason = serializers.CharField(max_length=2000)


class DuplicateSerializer(serializers.Serializer):
    """Mark a report as a duplicate of another."""

    original = serializers.CharField(max_length=20, help_text="R-2026-000001")
