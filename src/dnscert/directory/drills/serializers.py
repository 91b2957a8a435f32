"""Serializers of the drill API: drills with figures and probes, creation input, answers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dnscert.directory.choices import OrganisationKind
from dnscert.directory.drills import figures
from dnscert.directory.drills.choices import ContactScope, DrillStatus
from dnscert.directory.drills.models import MAX_MINUTES, Drill, Probe
from dnscert.directory.models import Organisation


@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^({'|'.join(DrillStatus.values)})$",
        "description": "One of: " + ", ".join(DrillStatus.values),
    }
)
class DrillStatusField(serializers.ChoiceField):
    """A drill's status, described by a pattern: an enum shared by the list and detail
    components would collide by name with other apps' ``status`` enums."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=DrillStatus.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": OrganisationKind.values})
class OrganisationKindField(serializers.ChoiceField):
    """An organisation role, described inline like the directory's own ``kind``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=OrganisationKind.choices, **kwargs)


class ProbeSerializer(serializers.ModelSerializer):
    """One probe: who was asked, delivery, answer and outcome (never the token)."""

    delivery_status = serializers.CharField(read_only=True)
    seconds_to_answer = serializers.SerializerMethodField()

    class Meta:
        model = Probe
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "contact",
            "contact_name",
            "email",
            "language",
            "sent_at",
            "delivery_status",
            "bounced_at",
            "responded_at",
            "responded_via",
            "seconds_to_answer",
            "outcome",
        ]
        read_only_fields = fields

    def get_seconds_to_answer(self, probe: Probe) -> int | None:
        waited = probe.time_to_answer
        return int(waited.total_seconds()) if waited is not None else None


class FiguresSerializer(serializers.Serializer):
    """Response rate and in-time rate (percent), median and p90 time to answer (seconds)."""

    probes = serializers.IntegerField()
    outcomes = serializers.DictField(child=serializers.IntegerField())
    answered = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    in_time_rate = serializers.FloatField(allow_null=True)
    median_seconds = serializers.FloatField(allow_null=True)
    p90_seconds = serializers.FloatField(allow_null=True)
    histogram_labels = serializers.ListField(child=serializers.CharField())
    histogram = serializers.ListField(child=serializers.IntegerField())


class DrillSerializer(serializers.ModelSerializer):
    """A drill with its figures (list and detail) and its probes (detail)."""

    organisations: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="short_name", many=True, read_only=True
    )
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    status = DrillStatusField(read_only=True)
    figures = serializers.SerializerMethodField()

    class Meta:
        model = Drill
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "organisation_kinds",
            "organisations",
            "contact_scope",
            "response_minutes",
            "late_minutes",
            "announced",
            "notes",
            "created_by",
            "created_at",
            "launched_at",
            "closed_at",
            "figures",
        ]
        read_only_fields = fields

    def get_figures(self, drill: Drill) -> dict[str, Any]:
        return figures.figures_of(drill.probes.all()).as_dict()


class DrillDetailSerializer(DrillSerializer):
    """A drill with every probe."""

    probes = ProbeSerializer(many=True, read_only=True)

    class Meta(DrillSerializer.Meta):
        fields = [*DrillSerializer.Meta.fields, "probes"]
        read_only_fields = fields


class DrillCreateSerializer(serializers.Serializer):
    """What a new drill probes and its response window."""

    title = serializers.CharField(max_length=200)
    organisation_kinds = serializers.ListField(
        child=OrganisationKindField(),
        required=False,
        default=list,
    )
    organisations = serializers.SlugRelatedField(
        slug_field="short_name",
        queryset=Organisation.objects.all(),
        many=True,
        required=False,
        default=list,
    )
    contact_scope = serializers.ChoiceField(
        choices=ContactScope.choices, default=ContactScope.CONTACTS_24X7
    )
    response_minutes = serializers.IntegerField(min_value=1, max_value=MAX_MINUTES, default=240)
    late_minutes = serializers.IntegerField(min_value=0, max_value=MAX_MINUTES, default=1440)
    announced = serializers.BooleanField(default=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class PhoneAnswerSerializer(serializers.Serializer):
    """When the contact answered the phone (default: now)."""

    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ResponseStatusSerializer(serializers.Serializer):
    """What the holder of a token learns: the drill and whether the answer is recorded."""

    reference = serializers.CharField()
    title = serializers.CharField()
    drill_status = serializers.CharField()
    responded_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()


def response_status(probe: Probe) -> dict[str, Any]:
    """The :class:`ResponseStatusSerializer` values of ``probe``."""
    return {
        "reference": probe.drill.reference,
        "title": probe.drill.title,
        "drill_status": probe.drill.status,
        "responded_at": probe.responded_at,
        "outcome": probe.outcome,
    }
