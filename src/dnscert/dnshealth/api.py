"""REST API endpoints of DNS health; ``register`` adds them to the platform's router.

Every endpoint reads through :func:`dnscert.dnshealth.queries.scope`: staff and responders
see every zone, members their own organisation's zones (another organisation's zone is a 404),
anonymous callers are refused. Staff change schedules and acknowledge delegation changes;
members announce planned changes for their own zones; anyone signed in who sees a zone may
check it now and follow the progress as Server-Sent Events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import IsSignedIn, SignedInReadOrCoreStaff
from dnscert.dnshealth import livecheck, planned, queries, watch
from dnscert.dnshealth.filters import (
    DelegationChangeFilter,
    PlannedChangeFilter,
    ResultFilter,
    RunFilter,
    SignalFilter,
    TargetFilter,
)
from dnscert.dnshealth.models import MonitoringTarget, Signal, ZoneResult
from dnscert.dnshealth.serializers import (
    CheckNowSerializer,
    CheckNowStartedSerializer,
    DelegationChangeSerializer,
    PlannedChangeSerializer,
    ResultSerializer,
    RunSerializer,
    ScheduleSerializer,
    SignalSerializer,
    TargetSerializer,
)
from dnscert.dnshealth.targets import update_schedule


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """List and retrieve through the scoping rule; signed-in callers only."""

    permission_classes = [IsSignedIn]
    model: ClassVar[type[Model]]
    related: ClassVar[tuple[str, ...]] = ("target",)
    newest_first: ClassVar[tuple[str, ...]] = ("-id",)

    def get_queryset(self) -> QuerySet[Any]:
        rows = self.model._default_manager.select_related(*self.related)
        return queries.scope(self.request.user, rows.order_by(*self.newest_first))


class TargetViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Monitoring targets with their schedules; staff change schedules with PATCH."""

    permission_classes = [SignedInReadOrCoreStaff]
    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    search_fields = ["name"]
    ordering_fields = ["name", "kind", "status", "status_since"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[MonitoringTarget]:
        targets = queries.visible_targets(self.request.user).select_related("organisation")
        return targets.order_by("kind", "name")

    @extend_schema(request=ScheduleSerializer, responses=TargetSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self.get_object()
        schedule = ScheduleSerializer(data=request.data)
        schedule.is_valid(raise_exception=True)
        try:
            update_schedule(target, request.user, **schedule.validated_data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(TargetSerializer(target).data)


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    """Monitoring runs: all for staff and responders, their own on-demand checks for members."""

    permission_classes = [IsSignedIn]
    serializer_class = RunSerializer
    filterset_class = RunFilter
    ordering_fields = ["started"]

    def get_queryset(self) -> QuerySet[Any]:
        return queries.visible_runs(self.request.user).order_by("-started", "-id")


class ResultViewSet(ScopedReadOnlyViewSet):
    """Zone results, newest first (filters: zone, status, since, run)."""

    serializer_class = ResultSerializer
    filterset_class = ResultFilter
    ordering_fields = ["checked_at"]

    model = ZoneResult
    newest_first = ("-checked_at", "-id")


class SignalViewSet(ScopedReadOnlyViewSet):
    """Signals (filters: kind, state, severity, zone)."""

    serializer_class = SignalSerializer
    filterset_class = SignalFilter
    ordering_fields = ["opened_at", "severity"]

    model = Signal
    related = ("target", "organisation")
    newest_first = ("-opened_at", "-id")


class DelegationChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """Delegation changes with both states (filters: expected, severity, zone, acknowledged)."""

    permission_classes = [IsSignedIn]
    serializer_class = DelegationChangeSerializer
    filterset_class = DelegationChangeFilter
    ordering_fields = ["detected_at", "severity"]

    def get_queryset(self) -> QuerySet[Any]:
        return queries.delegation_changes(self.request.user)

    @extend_schema(request=None, responses=DelegationChangeSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """Staff mark the change as seen (its open signal is resolved)."""
        change = self.get_object()
        if not queries.can_edit_schedules(request.user):
            raise PermissionDenied("Only core staff acknowledge delegation changes.")
        watch.acknowledge_change(change, request.user)
        return Response(DelegationChangeSerializer(change).data)


class PlannedChangeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Planned change windows; members announce them for their own zones, staff for any."""

    permission_classes = [IsSignedIn]
    serializer_class = PlannedChangeSerializer
    filterset_class = PlannedChangeFilter

    def get_queryset(self) -> QuerySet[Any]:
        return queries.planned_changes(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        target = _visible_zone(self.request.user, data.pop("zone"))
        if not planned.can_plan_for(self.request.user, target):
            raise PermissionDenied(f"You may not announce changes for {target.name}.")
        try:
            serializer.instance = watch.plan_change(target, self.request.user, **data)
        except InvalidInput as error:
            raise _invalid(error) from None


def _visible_zone(user: Any, name: str) -> MonitoringTarget:
    try:
        return queries.target_by_name(user, name)
    except Http404:
        raise NotFound(f"no monitored zone called {name} that you may see") from None


class EventStreamRenderer(BaseRenderer):
    """Lets ``Accept: text/event-stream`` through content negotiation (the body streams)."""

    media_type = "text/event-stream"
    format = "sse"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return json.dumps(data).encode()


def sse_lines(events: Iterator[livecheck.Event | None]) -> Iterator[str]:
    """Server-Sent Events text: ``event:``/``data:`` blocks; keep-alives as comments."""
    yield "retry: 3000\n\n"
    for event in events:
        if event is None:
            yield ": keep-alive\n\n"
            continue
        name, data = event
        yield f"event: {name}\ndata: {json.dumps(data)}\n\n"


class CheckNowViewSet(viewsets.ViewSet):
    """Check a zone now (POST) and follow its progress as Server-Sent Events."""

    permission_classes = [IsSignedIn]

    @extend_schema(
        request=CheckNowSerializer,
        responses={202: CheckNowStartedSerializer},
    )
    def create(self, request: Request) -> Response:
        """Start a full check of ``zone``; the answer says where its progress streams."""
        wanted = CheckNowSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        target = _visible_zone(request.user, wanted.validated_data["zone"])
        try:
            run = livecheck.start_check(target, request.user)
        except InvalidInput as error:
            raise _invalid(error) from None
        events_url = reverse("dns-check-now-events", kwargs={"pk": run.pk})
        body = {"run": run.pk, "zone": target.name, "events_url": events_url}
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="events: start, test_case (one per test case), report or failed",
            )
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[EventStreamRenderer])
    def events(self, request: Request, pk: str | None = None) -> StreamingHttpResponse:
        """The check's progress: one ``test_case`` event per test case, then ``report``."""
        run = get_object_or_404(queries.visible_runs(request.user), pk=pk)
        response = StreamingHttpResponse(
            sse_lines(livecheck.events(run)), content_type="text/event-stream"
        )
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("dns/targets", TargetViewSet, basename="dns-target")
    router.register("dns/runs", RunViewSet, basename="dns-run")
    router.register("dns/results", ResultViewSet, basename="dns-result")
    router.register("dns/signals", SignalViewSet, basename="dns-signal")
    router.register("dns/delegation-changes", DelegationChangeViewSet, basename="dns-change")
    router.register("dns/planned-changes", PlannedChangeViewSet, basename="dns-planned-change")
    router.register("dns/check-now", CheckNowViewSet, basename="dns-check-now")
