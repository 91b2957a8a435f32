"""Serializers of the incident API: read shapes, and typed input for the service calls."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dnscert.core.choices import TLP, Severity
from dnscert.directory.models import Organisation
from dnscert.incidents import lifecycle, queries, sla, taxonomy
from dnscert.incidents.choices import (
    IncidentStatus,
    IndicatorKind,
    JournalKind,
    ParticipantRole,
    ParticipantStatus,
)
from dnscert.incidents.models import Incident, Indicator, JournalEntry, Participant, Task


class ClockSerializer(serializers.Serializer):
    """One SLA clock."""

    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the field is called label
    target_seconds = serializers.FloatField()
    elapsed_seconds = serializers.FloatField()
    deadline = serializers.DateTimeField()
    stopped_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    breached = serializers.BooleanField()


def _one_of(choices: Any) -> str:
    return "one of: " + ", ".join(choices.values)


class IncidentSerializer(serializers.ModelSerializer):
    """An incident as the API shows it; the reporter's address only to the team."""

    status = serializers.CharField(read_only=True, help_text=_one_of(IncidentStatus))
    assignee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    owner_organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    category_label = serializers.SerializerMethodField()
    rsit = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    participants: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="recipient_organisations", slug_field="short_name", many=True, read_only=True
    )

    class Meta:
        model = Incident
        fields = [
            "reference",
            "title",
            "summary",
            "category",
            "category_label",
            "rsit",
            "severity",
            "status",
            "tlp",
            "assignee",
            "owner_organisation",
            "participants",
            "reporter_email",
            "created_at",
            "acknowledged_at",
            "first_action_at",
            "resolved_at",
            "closed_at",
            "overdue",
            "clocks",
            "allowed_transitions",
        ]
        read_only_fields = fields

    def get_category_label(self, obj: Incident) -> str:
        return taxonomy.label(obj.category)

    def get_rsit(self, obj: Incident) -> str:
        rsit_class, rsit_type = taxonomy.rsit_of(obj.category)
        return f"{rsit_class}/{rsit_type}"

    def get_overdue(self, obj: Incident) -> bool:
        return sla.is_overdue(obj)

    @staticmethod
    def _clocks(obj: Incident) -> list[sla.Clock]:
        return sla.clocks(obj)

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, obj: Incident) -> list[dict[str, Any]]:
        return list(ClockSerializer(self._clocks(obj), many=True).data)

    def get_allowed_transitions(self, obj: Incident) -> list[str]:
        return [status.value for status in lifecycle.allowed_next(obj.status)]

    def to_representation(self, instance: Incident) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not queries.is_team(request.user):
            data.pop("reporter_email", None)
        return data


class IncidentCreateSerializer(serializers.Serializer):
    """Input to open an incident."""

    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=64, help_text="RSIT type or DNS kind")
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    tlp = serializers.ChoiceField(choices=TLP.choices, default=TLP.AMBER)
    reporter_email = serializers.EmailField(required=False, allow_blank=True, default="")
    owner_organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name",
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
    )


class IncidentUpdateSerializer(serializers.Serializer):
    """Input to change an incident's headline fields (all optional)."""

    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(max_length=64, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False)


class TransitionSerializer(serializers.Serializer):
    """Input to move an incident to another status."""

    status = serializers.CharField(help_text=_one_of(IncidentStatus))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    """Input to (un)assign an incident: a username, or null."""

    assignee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all(), allow_null=True
    )


class LifecycleSerializer(serializers.Serializer):
    """One status of the lifecycle and the statuses it may move to."""

    status = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the field is called label
    next = serializers.ListField(child=serializers.CharField())


class JournalEntrySerializer(serializers.ModelSerializer):
    """A journal entry."""

    incident: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    kind = serializers.CharField(read_only=True, help_text=_one_of(JournalKind))

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "incident",
            "created_at",
            "kind",
            "tlp",
            "author_label",
            "organisation",
            "text",
        ]
        read_only_fields = fields


class JournalCreateSerializer(serializers.Serializer):
    """Input to post to an incident's journal."""

    incident = serializers.CharField(help_text="incident reference, e.g. DNSCERT-2026-0001")
    text = serializers.CharField()
    tlp = serializers.ChoiceField(choices=TLP.choices)


class ParticipantSerializer(serializers.ModelSerializer):
    """A participant organisation and its status."""

    incident: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    role = serializers.CharField(read_only=True, help_text=_one_of(ParticipantRole))
    status = serializers.CharField(read_only=True, help_text=_one_of(ParticipantStatus))

    class Meta:
        model = Participant
        fields = [
            "id",
            "incident",
            "organisation",
            "organisation_name",
            "role",
            "status",
            "added_at",
            "notified_at",
            "acknowledged_at",
            "updated_at",
        ]
        read_only_fields = fields


class ParticipantCreateSerializer(serializers.Serializer):
    """Input to add a participant."""

    incident = serializers.CharField()
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", queryset=Organisation.objects.all()
    )
    role = serializers.CharField(
        default=ParticipantRole.AFFECTED, help_text=_one_of(ParticipantRole)
    )
    notify = serializers.BooleanField(default=True)


class ParticipantStatusSerializer(serializers.Serializer):
    """Input for a participant's own status."""

    status = serializers.CharField(help_text=_one_of(ParticipantStatus))
    note = serializers.CharField(required=False, allow_blank=True, default="")
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False, allow_blank=True)


class TaskSerializer(serializers.ModelSerializer):
    """A task of an incident."""

    incident: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    owner: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    owner_organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "incident",
            "title",
            "owner",
            "owner_organisation",
            "due_at",
            "done_at",
            "overdue",
            "created_at",
        ]
        read_only_fields = fields


class TaskCreateSerializer(serializers.Serializer):
    """Input to add a task."""

    incident = serializers.CharField()
    title = serializers.CharField(max_length=200)
    owner: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
    )
    owner_organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="short_name",
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
    )
    due_at = serializers.DateTimeField(required=False, allow_null=True)


class TaskDoneSerializer(serializers.Serializer):
    """Input to mark a task done (or not)."""

    done = serializers.BooleanField(default=True)


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator."""

    incident: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    kind = serializers.CharField(read_only=True, help_text=_one_of(IndicatorKind))

    class Meta:
        model = Indicator
        fields = ["id", "incident", "kind", "value", "created_at"]
        read_only_fields = fields


class IndicatorCreateSerializer(serializers.Serializer):
    """Input to add an indicator."""

    incident = serializers.CharField()
    kind = serializers.CharField(help_text=_one_of(IndicatorKind))
    value = serializers.CharField(max_length=2048)


class SuggestionSerializer(serializers.Serializer):
    """An organisation an indicator suggests as participant."""

    organisation = serializers.CharField(source="organisation.short_name")
    organisation_name = serializers.CharField(source="organisation.name")
    reason = serializers.CharField()
