"""REST API of reachability drills; ``register`` adds its endpoints to the router.

Staff list, read, create, launch and close drills and record phone answers. The response
endpoint needs no account, the token is the credential: GET ``/api/drills/respond/<token>/``
tells whether the answer is recorded (reading never answers), POST to ``.../confirm/``
records it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import AnonRateThrottle

from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import IsCoreStaff
from dnscert.directory.drills import services
from dnscert.directory.drills.choices import ResponseVia
from dnscert.directory.drills.filters import DrillFilter
from dnscert.directory.drills.models import Drill, Probe
from dnscert.directory.drills.serializers import (
    DrillCreateSerializer,
    DrillDetailSerializer,
    DrillSerializer,
    PhoneAnswerSerializer,
    ProbeSerializer,
    ResponseStatusSerializer,
    response_status,
)


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


class DrillViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Drills with figures (filters: status, date_from, date_to, q); create, launch, close."""

    permission_classes = [IsCoreStaff]
    filterset_class = DrillFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Drill]:
        return (
            Drill.objects.select_related("created_by")
            .prefetch_related("organisations", "probes__message")
            .order_by("-created_at", "-id")
        )

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return DrillCreateSerializer
        return DrillDetailSerializer if self.action == "retrieve" else DrillSerializer

    @extend_schema(request=DrillCreateSerializer, responses={201: DrillDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Prepare a drill (a draft; launch it to send the messages)."""
        serializer = DrillCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            drill = services.create_drill(request.user, **serializer.validated_data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(DrillDetailSerializer(drill).data, status=status.HTTP_201_CREATED)

    def _change(self, change: Any) -> Response:
        try:
            drill = change(self.request.user, self.get_object())
        except InvalidInput as error:
            raise _invalid(error) from None
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(DrillDetailSerializer(self.get_queryset().get(pk=drill.pk)).data)

    @extend_schema(request=None, responses=DrillDetailSerializer)
    @action(detail=True, methods=["post"])
    def launch(self, request: Request, pk: str | None = None) -> Response:
        """Send every target contact the drill message."""
        return self._change(services.launch_drill)

    @extend_schema(request=None, responses=DrillDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the drill and fix the outcomes."""
        return self._change(services.close_drill)


class ProbeViewSet(viewsets.GenericViewSet):
    """Staff record a phone answer to one probe."""

    permission_classes = [IsCoreStaff]
    queryset = Probe.objects.select_related("drill", "message")
    serializer_class = ProbeSerializer
    lookup_value_regex = "[0-9]+"

    @extend_schema(request=PhoneAnswerSerializer, responses=ProbeSerializer)
    @action(detail=True, methods=["post"])
    def phone(self, request: Request, pk: str | None = None) -> Response:
        """Record that the contact answered by phone (at ``at``, default now)."""
        data = PhoneAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            probe = services.record_phone_answer(
                request.user, self.get_object(), at=data.validated_data["at"]
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(ProbeSerializer(probe).data)


class RespondViewSet(viewsets.GenericViewSet):
    """The response by token: GET shows the state (never answers), POST to ``confirm/`` answers."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AnonRateThrottle]
    serializer_class = ResponseStatusSerializer
    lookup_field = "token"
    lookup_value_regex = "[^/]+"

    def _probe(self, token: str) -> Probe:
        probe = services.probe_by_token(token)
        if probe is None:
            raise Http404("no drill message with this token")
        return probe

    @extend_schema(responses=ResponseStatusSerializer)
    def retrieve(self, request: Request, token: str | None = None) -> Response:
        """The drill and whether this answer is recorded (reading never answers)."""
        return Response(ResponseStatusSerializer(response_status(self._probe(token or ""))).data)

    @extend_schema(request=None, responses={200: ResponseStatusSerializer, 409: None})
    @action(detail=True, methods=["post"], url_path="confirm")
    def confirm(self, request: Request, token: str | None = None) -> Response:
        """Record the answer (the first one counts); 409 once the drill is closed."""
        probe = self._probe(token or "")
        try:
            probe = services.respond(probe, via=ResponseVia.API)
        except InvalidInput as error:
            return Response({error.field: [error.problem]}, status=status.HTTP_409_CONFLICT)
        return Response(ResponseStatusSerializer(response_status(probe)).data)


def register(router: DefaultRouter) -> None:
    """Add the drill endpoints to ``router``."""
    router.register("drills/probes", ProbeViewSet, basename="drill-probe")
    router.register("drills/respond", RespondViewSet, basename="drill-respond")
    router.register("drills", DrillViewSet, basename="drill")
