"""API serializers of exercises: what staff read and write, and the narrower member views."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dnscert.core.choices import TLP
from dnscert.exercises.choices import ExerciseStatus
from dnscert.exercises.models import Exercise, Inject, Participant, Response
from dnscert.exercises.schedule import format_offset
from dnscert.exercises.services import MAX_TEXT, MAX_TITLE


class ExerciseParticipantSerializer(serializers.ModelSerializer[Participant]):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    contacts = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = ["id", "organisation", "organisation_name", "contacts"]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"type": "string", "format": "email"}})
    def get_contacts(self, participant: Participant) -> list[str]:
        return [contact.email for contact in participant.contacts.all()]


class MemberExerciseSerializer(serializers.ModelSerializer[Exercise]):
    """What a participant reads of an exercise: no scenario, objectives or control data."""

    status = serializers.ChoiceField(choices=ExerciseStatus.choices, read_only=True)

    class Meta:
        model = Exercise
        fields = ["reference", "title", "tlp", "status", "planned_start", "started_at", "ended_at"]
        read_only_fields = fields


class ExerciseSerializer(MemberExerciseSerializer):
    """The whole exercise, for staff."""

    objectives = serializers.SerializerMethodField()
    participants = ExerciseParticipantSerializer(many=True, read_only=True)
    control_team = serializers.SerializerMethodField()
    paused_seconds = serializers.SerializerMethodField()

    class Meta(MemberExerciseSerializer.Meta):
        fields = [
            *MemberExerciseSerializer.Meta.fields,
            "scenario",
            "objectives",
            "participants",
            "control_team",
            "paused_seconds",
            "lessons_learned",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_objectives(self, exercise: Exercise) -> list[str]:
        return [objective.text for objective in exercise.objectives.all()]

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_control_team(self, exercise: Exercise) -> list[str]:
        return [user.get_username() for user in exercise.control_team.all()]

    def get_paused_seconds(self, exercise: Exercise) -> int:
        return int(exercise.paused_for.total_seconds())


class ExerciseWriteSerializer(serializers.Serializer[Any]):
    """Fields staff give to plan or change an exercise."""

    title = serializers.CharField(max_length=MAX_TITLE)
    scenario = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    objectives = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, max_length=30
    )
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False, default=TLP.AMBER)
    planned_start = serializers.DateTimeField()


class ExerciseControlSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["start", "pause", "resume", "end"])


class AddExerciseParticipantSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(help_text="Directory organisation id.")
    contacts = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Directory contact ids of that organisation who play (default: its 24x7 ones).",
    )


class InjectSerializer(serializers.ModelSerializer[Inject]):
    """An inject as staff see it."""

    offset = serializers.SerializerMethodField()
    recipients = serializers.SerializerMethodField()

    class Meta:
        model = Inject
        fields = [
            "id",
            "position",
            "title",
            "body",
            "offset",
            "at",
            "due_at",
            "expected_action",
            "response_required",
            "all_participants",
            "recipients",
            "ad_hoc",
            "delivered_at",
        ]
        read_only_fields = fields

    def get_offset(self, inject: Inject) -> str:
        return format_offset(inject.offset)

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_recipients(self, inject: Inject) -> list[int]:
        return [participant.organisation_id for participant in inject.recipients.all()]


class MemberInjectSerializer(serializers.ModelSerializer[Inject]):
    """An inject as its recipient sees it: no expected action, no other recipients."""

    class Meta:
        model = Inject
        fields = ["id", "title", "body", "response_required", "delivered_at"]
        read_only_fields = fields


class InjectWriteSerializer(serializers.Serializer[Any]):
    """An inject to plan: an offset (``+1:30``, ``90m``) or an absolute time, and its text."""

    title = serializers.CharField(max_length=MAX_TITLE)
    body = serializers.CharField(max_length=MAX_TEXT)
    offset = serializers.CharField(max_length=40, required=False, allow_blank=True)
    at = serializers.DateTimeField(required=False, allow_null=True)
    expected_action = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    response_required = serializers.BooleanField(required=False, default=True)
    recipients = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Organisation ids among the participants; empty or absent: all participants.",
    )


class AdHocInjectSerializer(InjectWriteSerializer):
    """An inject sent now: no time to give."""

    offset = None  # type: ignore[assignment]
    at = None  # type: ignore[assignment]


class InjectResponseSerializer(serializers.ModelSerializer[Response]):
    inject = serializers.IntegerField(source="delivery.inject_id", read_only=True)
    organisation = serializers.CharField(
        source="delivery.participant.organisation.name", read_only=True
    )
    delivered_at = serializers.DateTimeField(source="delivery.delivered_at", read_only=True)
    seconds_to_respond = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = [
            "id",
            "inject",
            "organisation",
            "author_label",
            "body",
            "via",
            "delivered_at",
            "received_at",
            "seconds_to_respond",
        ]
        read_only_fields = fields

    def get_seconds_to_respond(self, response: Response) -> int:
        return int((response.received_at - response.delivery.delivered_at).total_seconds())


class InjectAnswerSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=MAX_TEXT)
