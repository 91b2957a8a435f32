"""REST API of incidents; ``register`` adds its endpoints to the platform's router.

Reads go through :mod:`dnscert.incidents.queries` (TLP and journal-entry labels); an incident
the caller may not see is a 404. Staff and the assigned responders manage an incident;
members of a participant organisation post updates and set their own status. Every change
goes through :mod:`dnscert.incidents.services`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import IsSignedIn
from dnscert.incidents import lifecycle, queries, services
from dnscert.incidents.choices import IncidentStatus
from dnscert.incidents.filters import (
    IncidentFilter,
    IndicatorFilter,
    JournalFilter,
    ParticipantFilter,
    TaskFilter,
)
from dnscert.incidents.indicators import suggestions_for
from dnscert.incidents.models import Incident, Indicator, JournalEntry, Participant, Task
from dnscert.incidents.serializers import (
    AssignSerializer,
    IncidentCreateSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    IndicatorCreateSerializer,
    IndicatorSerializer,
    JournalCreateSerializer,
    JournalEntrySerializer,
    LifecycleSerializer,
    ParticipantCreateSerializer,
    ParticipantSerializer,
    ParticipantStatusSerializer,
    SuggestionSerializer,
    TaskCreateSerializer,
    TaskDoneSerializer,
    TaskSerializer,
    TransitionSerializer,
)

MANAGE_REFUSAL = "Only staff and the assigned responders manage this incident."


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


def _incident(request: Request, reference: str) -> Incident:
    found = queries.visible_incidents(request.user).filter(reference=reference.upper()).first()
    if found is None:
        raise ValidationError({"incident": [f"no incident {reference} that you may see"]})
    return found


def _require_manager(request: Request, incident: Incident) -> None:
    if not queries.can_manage(request.user, incident):
        raise PermissionDenied(MANAGE_REFUSAL)


def _input(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    """Incidents the caller may see; the team opens them, managers change and move them."""

    permission_classes = [IsSignedIn]
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z]+-[0-9]{4}-[0-9]{4,6}"
    ordering_fields = ["created_at", "severity", "status"]

    def get_queryset(self) -> QuerySet[Incident]:
        return queries.incident_list(self.request.user).prefetch_related("recipient_organisations")

    def get_object(self) -> Incident:
        reference = str(self.kwargs["reference"]).upper()
        found = self.get_queryset().filter(reference=reference).first()
        if found is None:
            raise NotFound(f"no incident {reference} that you may see")
        audit.record_read(self.request.user, found)
        return found

    @extend_schema(request=IncidentCreateSerializer, responses={201: IncidentSerializer})
    def create(self, request: Request) -> Response:
        """Open an incident (staff and responders)."""
        if not queries.can_create(request.user):
            raise PermissionDenied("Only staff and responders open incidents.")
        data = _input(IncidentCreateSerializer, request)
        try:
            incident = services.create_incident(by=request.user, **data)
        except InvalidInput as error:
            raise _invalid(error) from None
        body = IncidentSerializer(incident, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=IncidentUpdateSerializer, responses=IncidentSerializer)
    def partial_update(self, request: Request, reference: str | None = None) -> Response:
        """Change title, summary, category, severity or TLP."""
        incident = self.get_object()
        _require_manager(request, incident)
        try:
            services.update_incident(
                incident, by=request.user, **_input(IncidentUpdateSerializer, request)
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(IncidentSerializer(incident, context={"request": request}).data)

    @extend_schema(request=None, responses=LifecycleSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def lifecycle(self, request: Request) -> Response:
        """The statuses and the moves the lifecycle allows."""
        labels = dict(IncidentStatus.choices)
        rows = [
            {"status": s.value, "label": labels[s.value], "next": lifecycle.allowed_next(s)}
            for s in IncidentStatus
        ]
        return Response(LifecycleSerializer(rows, many=True).data)

    @extend_schema(request=TransitionSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, reference: str | None = None) -> Response:
        """Move the incident to another status (refused, naming it, if not allowed)."""
        incident = self.get_object()
        _require_manager(request, incident)
        data = _input(TransitionSerializer, request)
        try:
            services.transition(incident, data["status"], by=request.user, note=data["note"])
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(IncidentSerializer(incident, context={"request": request}).data)

    @extend_schema(request=AssignSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, reference: str | None = None) -> Response:
        """Set (or clear, with null) the assignee."""
        incident = self.get_object()
        _require_manager(request, incident)
        try:
            services.assign(
                incident, _input(AssignSerializer, request)["assignee"], by=request.user
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(IncidentSerializer(incident, context={"request": request}).data)


class JournalViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Journal entries the caller may read; managers add notes, participants updates."""

    permission_classes = [IsSignedIn]
    serializer_class = JournalEntrySerializer
    filterset_class = JournalFilter

    def get_queryset(self) -> QuerySet[JournalEntry]:
        return queries.journal_for(self.request.user).order_by("created_at", "id")

    @extend_schema(request=JournalCreateSerializer, responses={201: JournalEntrySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _input(JournalCreateSerializer, request)
        incident = _incident(request, data["incident"])
        participant = queries.participation(request.user, incident)
        try:
            if queries.can_manage(request.user, incident):
                entry = services.add_journal_entry(
                    incident, text=data["text"], tlp=data["tlp"], author=request.user
                )
            elif participant is not None:
                entry = services.post_participant_update(
                    participant, text=data["text"], tlp=data["tlp"], by=request.user
                )
            else:
                raise PermissionDenied("You may not post to this incident's journal.")
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(JournalEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class ParticipantViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Participants of visible incidents; managers add and remove them."""

    permission_classes = [IsSignedIn]
    serializer_class = ParticipantSerializer
    filterset_class = ParticipantFilter

    def get_queryset(self) -> QuerySet[Participant]:
        return queries.visible_participants(self.request.user).order_by("added_at", "id")

    @extend_schema(request=ParticipantCreateSerializer, responses={201: ParticipantSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _input(ParticipantCreateSerializer, request)
        incident = _incident(request, data.pop("incident"))
        _require_manager(request, incident)
        try:
            participant = services.add_participant(
                incident, data.pop("organisation"), by=request.user, **data
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(ParticipantSerializer(participant).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Participant) -> None:
        _require_manager(self.request, instance.incident)
        services.remove_participant(instance, by=self.request.user)

    @extend_schema(request=ParticipantStatusSerializer, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str | None = None) -> Response:
        """The participant's own status: its members, or the incident's managers, set it."""
        participant = self.get_object()
        own = queries.participation(request.user, participant.incident)
        mine = own is not None and own.pk == participant.pk
        if not (mine or queries.can_manage(request.user, participant.incident)):
            raise PermissionDenied("Only members of this participant may change its status.")
        data = _input(ParticipantStatusSerializer, request)
        try:
            services.set_participant_status(
                participant, data["status"], by=request.user, note=data["note"],
                tlp=data.get("tlp") or "",
            )  # fmt: skip
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(ParticipantSerializer(participant).data)


class TaskViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Tasks: the team sees all of visible incidents, members their organisation's."""

    permission_classes = [IsSignedIn]
    serializer_class = TaskSerializer
    filterset_class = TaskFilter

    def get_queryset(self) -> QuerySet[Task]:
        return queries.visible_tasks(self.request.user).order_by("done_at", "due_at", "id")

    @extend_schema(request=TaskCreateSerializer, responses={201: TaskSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _input(TaskCreateSerializer, request)
        incident = _incident(request, data.pop("incident"))
        _require_manager(request, incident)
        try:
            task = services.add_task(incident, by=request.user, **data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TaskDoneSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str | None = None) -> Response:
        """Mark the task done (``done: false`` reopens it)."""
        task = self.get_object()
        if queries.is_team(request.user) and not queries.can_manage(request.user, task.incident):
            raise PermissionDenied(MANAGE_REFUSAL)
        data = _input(TaskDoneSerializer, request)
        services.complete_task(task, by=request.user, done=data["done"])
        return Response(TaskSerializer(task).data)


class IndicatorViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Indicators of visible incidents; managers add and remove them."""

    permission_classes = [IsSignedIn]
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter

    def get_queryset(self) -> QuerySet[Indicator]:
        return queries.visible_indicators(self.request.user).order_by("incident_id", "id")

    @extend_schema(request=IndicatorCreateSerializer, responses={201: IndicatorSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _input(IndicatorCreateSerializer, request)
        incident = _incident(request, data.pop("incident"))
        _require_manager(request, incident)
        try:
            indicator = services.add_indicator(incident, by=request.user, **data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(IndicatorSerializer(indicator).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Indicator) -> None:
        _require_manager(self.request, instance.incident)
        services.remove_indicator(instance, by=self.request.user)

    @extend_schema(request=None, responses=SuggestionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def suggestions(self, request: Request, pk: str | None = None) -> Response:
        """Organisations the directory links to this indicator (managers only)."""
        indicator = self.get_object()
        _require_manager(request, indicator.incident)
        return Response(SuggestionSerializer(suggestions_for(indicator), many=True).data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("incidents/incidents", IncidentViewSet, basename="incident")
    router.register("incidents/journal", JournalViewSet, basename="incident-journal")
    router.register("incidents/participants", ParticipantViewSet, basename="incident-participant")
    router.register("incidents/tasks", TaskViewSet, basename="incident-task")
    router.register("incidents/indicators", IndicatorViewSet, basename="incident-indicator")
