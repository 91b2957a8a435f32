"""REST API of vulnerability coordination; ``register`` adds its endpoints to the router.

Every case is looked up through :mod:`dnscert.vulns.scope` (404 when hidden); vendors see
their own row and the messages addressed to them only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import IsCoreStaff, IsSignedIn
from dnscert.vulns import messaging, metrics, scope, services
from dnscert.vulns.models import Case, CaseMessage, CaseVendor
from dnscert.vulns.serializers import (
    CaseMessageSerializer,
    CaseSerializer,
    CaseVendorSerializer,
    CaseVendorStatusSerializer,
    MetricsSerializer,
    NewCaseMessageSerializer,
)

CASE_REF = OpenApiParameter("reference", str, OpenApiParameter.PATH, description="case reference")


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


class CaseViewSet(viewsets.ReadOnlyModelViewSet[Case]):
    """Cases the caller may open."""

    serializer_class = CaseSerializer
    permission_classes = [IsSignedIn]
    lookup_field = "reference"
    queryset = Case.objects.none()

    def get_queryset(self) -> QuerySet[Case]:
        return scope.cases_for(self.request.user).order_by("-created_at", "-id")


class _CaseChild:
    """Nested under a case: the case comes from the URL, through the scope rule."""

    def case(self) -> Case:
        view: Any = self
        return scope.get_case_or_404(view.request.user, view.kwargs["reference"])


@extend_schema(parameters=[CASE_REF])
class VendorViewSet(_CaseChild, mixins.ListModelMixin, viewsets.GenericViewSet[CaseVendor]):
    """Vendors on a case (a vendor sees its own row) and their status updates."""

    serializer_class = CaseVendorSerializer
    permission_classes = [IsSignedIn]
    queryset = CaseVendor.objects.none()

    def get_queryset(self) -> QuerySet[CaseVendor]:
        rows = scope.vendors_for(self.request.user, self.case())
        return rows.select_related("organisation").order_by("organisation__name", "pk")

    @extend_schema(request=CaseVendorStatusSerializer, responses=CaseVendorSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, reference: str, pk: str) -> Response:
        vendor = get_object_or_404(self.get_queryset(), pk=pk)
        data = CaseVendorStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.set_vendor_status(vendor, by=request.user, **data.validated_data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(CaseVendorSerializer(vendor).data)


@extend_schema(parameters=[CASE_REF])
class MessageViewSet(
    _CaseChild, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[CaseMessage]
):
    """Messages of a case the caller may read; post to all, one vendor, or coordinators."""

    serializer_class = CaseMessageSerializer
    permission_classes = [IsSignedIn]
    queryset = CaseMessage.objects.none()

    def get_queryset(self) -> QuerySet[CaseMessage]:
        rows = scope.messages_for(self.request.user, self.case())
        return rows.select_related("author_organisation").order_by("-created_at", "-id")

    @extend_schema(request=NewCaseMessageSerializer, responses={201: CaseMessageSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.case()
        data = NewCaseMessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        vendor = (
            case.vendors.filter(pk=fields.get("vendor")).first() if fields.get("vendor") else None
        )
        try:
            message = messaging.post_message(
                case,
                by=request.user,
                body=fields["body"],
                audience=fields["audience"],
                vendor=vendor,
                via="api",
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(CaseMessageSerializer(message).data, status=status.HTTP_201_CREATED)


class MetricsViewSet(viewsets.ViewSet):
    """Vendor response times and time from report to publication (staff)."""

    permission_classes = [IsCoreStaff]

    @extend_schema(responses=MetricsSerializer)
    def list(self, request: Request) -> Response:
        payload = {
            "vendors": metrics.vendor_response_times(timezone.now()),
            "report_to_publication": metrics.report_to_publication(),
        }
        return Response(MetricsSerializer(payload).data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("vulns/cases", CaseViewSet, basename="vulns-case")
    router.register(
        r"vulns/cases/(?P<reference>[A-Z0-9-]+)/vendors", VendorViewSet, basename="vulns-vendor"
    )
    router.register(
        r"vulns/cases/(?P<reference>[A-Z0-9-]+)/messages", MessageViewSet, basename="vulns-message"
    )
    router.register("vulns/metrics", MetricsViewSet, basename="vulns-metrics")
