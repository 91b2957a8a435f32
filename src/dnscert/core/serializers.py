"""REST serializers of the core, and the TLP field every app's serializers reuse."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from dnscert.core import services
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.core.models import AuditEvent, SharedDocument, User


class TLPField(serializers.ChoiceField):
    """A TLP 2.0 label; accepts ``AMBER``, ``tlp:amber`` or ``TLP:AMBER+STRICT``.

    Unknown labels are refused with a message listing the allowed ones.
    """

    default_error_messages = {"invalid_tlp": "{message}"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=TLP.choices, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        try:
            return TLP.parse(str(data)).value
        except ValueError as exc:
            self.fail("invalid_tlp", message=str(exc))
            raise  # unreachable: fail() raises


class AuditEventSerializer(serializers.ModelSerializer):
    """One audit event, read-only."""

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "tlp",
            "changes",
            "ip_address",
            "user_agent",
            "via",
        ]
        read_only_fields = fields


class SharedDocumentSerializer(serializers.ModelSerializer):
    """A shared document; writes go through the audited services (core staff only)."""

    tlp = TLPField()
    attachment_url = serializers.SerializerMethodField()

    class Meta:
        model = SharedDocument
        fields = [
            "id",
            "title",
            "body",
            "tlp",
            "owner_organisation",
            "recipient_organisations",
            "named_recipients",
            "assignees",
            "attachment_url",
            "created_by",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "attachment_url", "created_by", "created", "updated"]

    def get_attachment_url(self, document: SharedDocument) -> str | None:
        if not document.attachment:
            return None
        path = reverse("document-attachment", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def create(self, validated_data: dict[str, Any]) -> SharedDocument:
        return _service_call(
            services.create_shared_document, self.context["request"].user, **validated_data
        )

    def update(self, instance: SharedDocument, validated_data: dict[str, Any]) -> SharedDocument:
        return _service_call(
            services.update_shared_document,
            self.context["request"].user,
            instance,
            **validated_data,
        )


def _service_call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a service, turning its InvalidInput into a 400 naming the field."""
    try:
        return function(*args, **kwargs)
    except InvalidInput as exc:
        raise serializers.ValidationError({exc.field: [exc.problem]}) from exc


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user: who they are to the platform."""

    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, default=None, allow_null=True
    )
    is_core_staff = serializers.BooleanField(read_only=True)
    mfa_verified = serializers.SerializerMethodField()
    authenticated_by = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "organisation",
            "organisation_name",
            "language",
            "time_zone",
            "is_core_staff",
            "mfa_verified",
            "authenticated_by",
        ]
        read_only_fields = fields

    def get_mfa_verified(self, user: User) -> bool:
        is_verified = getattr(user, "is_verified", None)
        return bool(is_verified()) if callable(is_verified) else False

    def get_authenticated_by(self, user: User) -> str:
        request = self.context.get("request")
        return "token" if request is not None and request.auth is not None else "session"
