"""REST API of on-call; ``register`` adds its endpoints to the platform's router.

Staff and responders read everything but pages (responders see the pages sent to them);
staff change rotas and policies; a responder adds and removes only their own shifts and
patterns. Members and anonymous callers are refused.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import IsStaffOrResponder
from dnscert.directory.oncall import coverage, rotas, services, weekview
from dnscert.directory.oncall.choices import AckVia
from dnscert.directory.oncall.filters import PageFilter, ShiftFilter
from dnscert.directory.oncall.models import EscalationPolicy, Page, Rota, Shift, ShiftPattern
from dnscert.directory.oncall.serializers import (
    CoverageSerializer,
    OnCallSerializer,
    PageSerializer,
    PatternSerializer,
    PolicySerializer,
    RotaSerializer,
    ShiftSerializer,
)


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


def _denied(error: DjangoPermissionDenied) -> PermissionDenied:
    return PermissionDenied(str(error))


class PolicyViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Escalation policies; staff create and change them."""

    permission_classes = [IsStaffOrResponder]
    serializer_class = PolicySerializer
    queryset = EscalationPolicy.objects.prefetch_related("backup_responders").order_by("name")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer: Any) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: Any) -> None:
        self._save(serializer, serializer.instance)

    def _save(self, serializer: Any, policy: EscalationPolicy | None) -> None:
        data = dict(serializer.validated_data)
        if policy is not None:
            data.setdefault("backup_rota", policy.backup_rota)
            data.setdefault("backup_responders", list(policy.backup_responders.all()))
        try:
            serializer.instance = rotas.save_policy(policy, by=self.request.user, **data)
        except InvalidInput as error:
            raise _invalid(error) from None
        except DjangoPermissionDenied as error:
            raise _denied(error) from None


class RotaViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Rotas; staff create and change them."""

    permission_classes = [IsStaffOrResponder]
    serializer_class = RotaSerializer
    queryset = Rota.objects.select_related("policy").order_by("name")
    search_fields = ["name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer: Any) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: Any) -> None:
        self._save(serializer, serializer.instance)

    def _save(self, serializer: Any, rota: Rota | None) -> None:
        try:
            serializer.instance = rotas.save_rota(
                rota, by=self.request.user, **serializer.validated_data
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        except DjangoPermissionDenied as error:
            raise _denied(error) from None


class ShiftViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Shifts (filters: rota, responder, after, before); responders edit their own."""

    permission_classes = [IsStaffOrResponder]
    serializer_class = ShiftSerializer
    filterset_class = ShiftFilter
    queryset = Shift.objects.select_related("rota", "responder").order_by("start", "id")

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        rota = data.pop("rota")
        try:
            serializer.instance = rotas.add_shift(
                Rota.objects.select_related("policy").get(pk=rota.pk),
                by=self.request.user,
                **data,
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        except DjangoPermissionDenied as error:
            raise _denied(error) from None

    def perform_destroy(self, instance: Shift) -> None:
        try:
            rotas.remove_shift(instance, by=self.request.user)
        except DjangoPermissionDenied as error:
            raise _denied(error) from None


class PatternViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Weekly patterns, expanded into shifts; responders edit their own."""

    permission_classes = [IsStaffOrResponder]
    serializer_class = PatternSerializer
    queryset = ShiftPattern.objects.select_related("rota", "responder").order_by("id")

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        rota = Rota.objects.select_related("policy").get(pk=data.pop("rota").pk)
        try:
            serializer.instance = rotas.add_pattern(rota, by=self.request.user, **data)
        except InvalidInput as error:
            raise _invalid(error) from None
        except DjangoPermissionDenied as error:
            raise _denied(error) from None

    def perform_destroy(self, instance: ShiftPattern) -> None:
        try:
            rotas.remove_pattern(instance, by=self.request.user)
        except DjangoPermissionDenied as error:
            raise _denied(error) from None


class CoverageViewSet(viewsets.ViewSet):
    """Coverage gaps of the coming weeks (every stretch with nobody on call)."""

    permission_classes = [IsStaffOrResponder]

    @extend_schema(
        parameters=[
            OpenApiParameter("weeks", OpenApiTypes.INT, description="1 to 52, default 4"),
            OpenApiParameter(
                "rota", OpenApiTypes.INT, description="one rota (default: all primary)"
            ),
        ],
        responses=CoverageSerializer,
    )
    def list(self, request: Request) -> Response:
        weeks = _int_param(request, "weeks", coverage.DEFAULT_WEEKS)
        rota_id = request.query_params.get("rota")
        rota = None
        if rota_id:
            rota = Rota.objects.filter(pk=_int_param(request, "rota", 0)).first()
            if rota is None:
                raise ValidationError({"rota": [f"no rota with id {rota_id}"]})
        try:
            result = coverage.coverage(rota=rota, weeks=weeks)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(CoverageSerializer(result.as_dict()).data)


def _int_param(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name) or ""
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValidationError({name: ["must be a whole number"]}) from None


class OnCallNowViewSet(viewsets.ViewSet):
    """Who is on call now in the primary rotas."""

    permission_classes = [IsStaffOrResponder]

    @extend_schema(responses=OnCallSerializer(many=True))
    def list(self, request: Request) -> Response:
        now = timezone.now()
        people = [
            {
                "username": user.get_username(),
                "name": user.get_full_name(),
                "time_zone": user.time_zone,
                "local_time": now.astimezone(weekview.user_zone(user)),
            }
            for user in services.on_call_now(now)
        ]
        return Response(OnCallSerializer(people, many=True).data)


class PageViewSet(viewsets.ReadOnlyModelViewSet):
    """Pages (filters: status, severity, level, date_from, date_to, q); acknowledge one."""

    permission_classes = [IsStaffOrResponder]
    serializer_class = PageSerializer
    filterset_class = PageFilter

    def get_queryset(self) -> QuerySet[Page]:
        return services.visible_pages(self.request.user).prefetch_related("notifications__user")

    @extend_schema(request=None, responses=PageSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """Acknowledge the page (idempotent): escalation stops."""
        page = services.acknowledge_page(self.get_object(), by=request.user, via=AckVia.API)
        return Response(PageSerializer(page).data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("oncall/policies", PolicyViewSet, basename="oncall-policy")
    router.register("oncall/rotas", RotaViewSet, basename="oncall-rota")
    router.register("oncall/shifts", ShiftViewSet, basename="oncall-shift")
    router.register("oncall/patterns", PatternViewSet, basename="oncall-pattern")
    router.register("oncall/coverage", CoverageViewSet, basename="oncall-coverage")
    router.register("oncall/now", OnCallNowViewSet, basename="oncall-now")
    router.register("oncall/pages", PageViewSet, basename="oncall-page")
