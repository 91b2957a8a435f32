"""REST API of watch and warning; ``register`` adds its endpoints to the platform's router.

* ``warnings/warnings``: the warnings the caller may see (TLP rule; members: their
  organisation's); ``acknowledge`` (members of the organisation, staff), ``approve`` and
  ``reject`` (staff, for held warnings).
* ``warnings/subscriptions``: the subscriptions the caller manages (staff: all).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from dnscert.advisories.warnings import queries, services, subscriptions
from dnscert.advisories.warnings.choices import AckVia
from dnscert.advisories.warnings.filters import SubscriptionFilter, WarningFilter
from dnscert.advisories.warnings.models import Subscription, Warning
from dnscert.advisories.warnings.serializers import (
    ReviewSerializer,
    SubscriptionSerializer,
    WarningSerializer,
)
from dnscert.core.choices import Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import IsSignedIn
from dnscert.core.visibility import is_core_staff


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


class WarningViewSet(viewsets.ReadOnlyModelViewSet):
    """Warnings (filters: kind, status, organisation, acknowledged, severity, follow_up, q)."""

    permission_classes = [IsSignedIn]
    serializer_class = WarningSerializer
    filterset_class = WarningFilter
    lookup_field = "reference"
    ordering_fields = ["created_at", "severity"]
    queryset = Warning.objects.none()

    def get_queryset(self) -> QuerySet[Warning]:
        return queries.warnings_for(self.request.user)

    @extend_schema(request=None, responses=WarningSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, reference: str | None = None) -> Response:
        """Acknowledge the warning (members of its organisation, core staff)."""
        warning = self.get_object()
        member = getattr(request.user, "role", None) == Role.MEMBER
        if not (is_core_staff(request.user) or member):
            raise PermissionDenied("Only the organisation's members or core staff acknowledge.")
        try:
            warning = services.acknowledge(warning, by=request.user, via=AckVia.API)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(WarningSerializer(warning).data)

    @extend_schema(request=ReviewSerializer, responses=WarningSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, reference: str | None = None) -> Response:
        """Release a held warning: it is delivered now (core staff)."""
        return self._decide(request, services.approve)

    @extend_schema(request=ReviewSerializer, responses=WarningSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, reference: str | None = None) -> Response:
        """Reject a held warning (core staff)."""
        return self._decide(request, services.reject)

    def _decide(self, request: Request, decision: Any) -> Response:
        if not is_core_staff(request.user):
            raise PermissionDenied("Only core staff review warnings.")
        warning = self.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            warning = decision(warning, by=request.user, note=body.validated_data.get("note", ""))
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(WarningSerializer(warning).data)


class SubscriptionViewSet(viewsets.ModelViewSet):
    """Subscriptions: members manage their organisation's, team members their own."""

    permission_classes = [IsSignedIn]
    serializer_class = SubscriptionSerializer
    filterset_class = SubscriptionFilter
    queryset = Subscription.objects.none()

    def get_queryset(self) -> QuerySet[Subscription]:
        return subscriptions.manageable(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        try:
            serializer.instance = subscriptions.create_subscription(
                by=self.request.user, **serializer.validated_data
            )
        except InvalidInput as error:
            raise _invalid(error) from None

    def perform_update(self, serializer: Any) -> None:
        try:
            serializer.instance = subscriptions.update_subscription(
                serializer.instance, by=self.request.user, **serializer.validated_data
            )
        except InvalidInput as error:
            raise _invalid(error) from None

    def perform_destroy(self, instance: Subscription) -> None:
        subscriptions.delete_subscription(instance, by=self.request.user)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("warnings/warnings", WarningViewSet, basename="warning")
    router.register("warnings/subscriptions", SubscriptionViewSet, basename="warning-subscription")
