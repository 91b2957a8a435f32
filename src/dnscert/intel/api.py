"""REST API of threat data; ``register`` adds its endpoints to the platform's router.

Events read through :func:`dnscert.intel.scope.scope_events` (members: their own TLDs and
registrations) and aggregates through :func:`dnscert.intel.queries.scope_aggregates`. Feeds,
runs and failed lines are for staff and responders; staff change feeds; staff and
responders run a feed now or upload a file to it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from dnscert.core.audit import Action, record
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import enqueue
from dnscert.core.permissions import IsSignedIn, IsStaffOrResponder
from dnscert.core.visibility import is_core_staff
from dnscert.intel import collect, feed_admin, queries
from dnscert.intel.filters import AggregateFilter, EventFilter, RunFilter
from dnscert.intel.models import DailyAggregate, Event, FailedRecord, Feed, IngestRun
from dnscert.intel.scope import scope_events
from dnscert.intel.serializers import (
    IntelAggregateSerializer,
    IntelEventSerializer,
    IntelFailedRecordSerializer,
    IntelFeedSerializer,
    IntelIngestRunSerializer,
    IntelUploadSerializer,
)


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


class TeamReadStaffWrite(BasePermission):
    """Staff and responders read; core staff write."""

    message = "Only core staff and responders may read this; only core staff may change it."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return IsStaffOrResponder().has_permission(request, view)
        return is_core_staff(request.user)


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """Events, newest first (filters: since, until, feed, category, tld, registrar, domain)."""

    permission_classes = [IsSignedIn]
    serializer_class = IntelEventSerializer
    filterset_class = EventFilter
    ordering_fields = ["time_source", "time_observation"]

    def get_queryset(self) -> QuerySet[Event]:
        events = scope_events(self.request.user).select_related("feed")
        return events.order_by("-time_source", "-id")


class AggregateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Daily aggregates (filters: dimension, key, since, until)."""

    permission_classes = [IsSignedIn]
    serializer_class = IntelAggregateSerializer
    filterset_class = AggregateFilter
    ordering_fields = ["day", "count"]

    def get_queryset(self) -> QuerySet[DailyAggregate]:
        rows = DailyAggregate.objects.order_by("-day", "dimension", "key")
        return queries.scope_aggregates(self.request.user, rows)


class FeedViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Feeds with their counters; staff create and change them."""

    permission_classes = [TeamReadStaffWrite]
    serializer_class = IntelFeedSerializer
    search_fields = ["name", "provider"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Feed]:
        return Feed.objects.order_by("name")

    def perform_create(self, serializer: Any) -> None:
        try:
            serializer.instance = feed_admin.create_feed(
                by=self.request.user, **serializer.validated_data
            )
        except InvalidInput as error:
            raise _invalid(error) from None

    def perform_update(self, serializer: Any) -> None:
        try:
            feed_admin.update_feed(
                serializer.instance, by=self.request.user, **serializer.validated_data
            )
        except InvalidInput as error:
            raise _invalid(error) from None

    @extend_schema(request=None, responses={202: IntelFeedSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsStaffOrResponder])
    def run(self, request: Request, pk: str | None = None) -> Response:
        """Queue a fetch of the feed now."""
        feed = self.get_object()
        if feed.source_kind not in feed_admin.SCHEDULED_KINDS:
            raise ValidationError({"source_kind": ["this feed gets its data by upload only"]})
        enqueue("intel.run_feed", feed_id=feed.pk)
        record(request.user, Action.STATE, feed, changes={"run": "queued"}, tlp=TLP.AMBER)
        return Response(IntelFeedSerializer(feed).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=IntelUploadSerializer, responses={202: IntelIngestRunSerializer})
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsStaffOrResponder],
        parser_classes=[MultiPartParser, FormParser],
    )
    def upload(self, request: Request, pk: str | None = None) -> Response:
        """Ingest an uploaded file as a run of the feed."""
        feed = self.get_object()
        upload = IntelUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            run = collect.accept_upload(feed, upload.validated_data["file"], by=request.user)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(IntelIngestRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class IngestRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Ingest runs, newest first (filters: feed, status), with their failed lines."""

    permission_classes = [IsStaffOrResponder]
    serializer_class = IntelIngestRunSerializer
    filterset_class = RunFilter
    ordering_fields = ["started_at"]

    def get_queryset(self) -> QuerySet[IngestRun]:
        return IngestRun.objects.select_related("feed").order_by("-started_at", "-id")

    @extend_schema(responses=IntelFailedRecordSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=[])
    def failures(self, request: Request, pk: str | None = None) -> Response:
        """The failed lines of the run, in line order."""
        run = self.get_object()
        rows: QuerySet[FailedRecord] = run.failures.order_by("line_number")
        page = self.paginate_queryset(rows)
        serializer = IntelFailedRecordSerializer(page if page is not None else rows, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("intel/events", EventViewSet, basename="intel-event")
    router.register("intel/aggregates", AggregateViewSet, basename="intel-aggregate")
    router.register("intel/feeds", FeedViewSet, basename="intel-feed")
    router.register("intel/runs", IngestRunViewSet, basename="intel-run")
