"""REST API of insight; ``register`` adds its endpoints to the platform's router.

After-action reports are read through the visibility rule (a report is visible when its
incident is; anything else is a 404); staff generate them and edit the lessons. Feedback
answers are for core staff. KPI figures count only what the caller may see.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.core.pdf import pdf_response
from dnscert.core.permissions import IsCoreStaff, SignedInReadOrCoreStaff
from dnscert.insight import export, kpis, queries, services
from dnscert.insight.filters import FeedbackFilter, ReportFilter
from dnscert.insight.models import AfterActionReport, FeedbackAnswer
from dnscert.insight.serializers import (
    AfterActionGenerateSerializer,
    AfterActionLessonsSerializer,
    AfterActionReportSerializer,
    FeedbackAnswerSerializer,
    KpiFiguresSerializer,
)


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


def _as_bytes(data: Any) -> bytes:
    """Error bodies (a dict) as JSON; the documents themselves are sent as they are."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode()
    return json.dumps(data).encode()


class PdfRenderer(BaseRenderer):
    """Lets ``Accept: application/pdf`` through content negotiation."""

    media_type = "application/pdf"
    format = "pdf"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return _as_bytes(data)


class MarkdownRenderer(BaseRenderer):
    """Lets ``Accept: text/markdown`` through content negotiation."""

    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return _as_bytes(data)


class ReportViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """After-action reports by incident reference; staff generate and edit the lessons."""

    permission_classes = [SignedInReadOrCoreStaff]
    serializer_class = AfterActionReportSerializer
    filterset_class = ReportFilter
    lookup_field = "incident__reference"
    lookup_url_kwarg = "reference"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["updated_at", "generated_at"]

    def get_queryset(self) -> QuerySet[AfterActionReport]:
        return queries.visible_reports(self.request.user).order_by("-updated_at", "-id")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        audit.record_read(request.user, report)
        return Response(AfterActionReportSerializer(report).data)

    @extend_schema(
        request=AfterActionGenerateSerializer,
        responses={201: AfterActionReportSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Generate the incident's report, or regenerate its facts keeping the lessons."""
        wanted = AfterActionGenerateSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        try:
            incident = queries.incident_for(request.user, wanted.validated_data["incident"])
        except Http404:
            raise NotFound("no incident with this reference that you may see") from None
        report = services.generate_report(incident, by=request.user)
        return Response(AfterActionReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AfterActionLessonsSerializer, responses=AfterActionReportSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Edit the summary and the lessons learned (what went well, to improve, actions)."""
        report = self.get_object()
        lessons = AfterActionLessonsSerializer(data=request.data)
        lessons.is_valid(raise_exception=True)
        try:
            services.update_lessons(report, by=request.user, **lessons.validated_data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(AfterActionReportSerializer(report).data)

    @extend_schema(responses={(200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR)})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, MarkdownRenderer])
    def markdown(self, request: Request, reference: str | None = None) -> HttpResponse:
        """The report as Markdown."""
        report = self.get_object()
        audit.record(
            request.user, audit.Action.EXPORT, report, changes={"format": "md"}, tlp=report.tlp
        )
        return HttpResponse(
            export.report_markdown(report), content_type="text/markdown; charset=utf-8"
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, reference: str | None = None) -> HttpResponse:
        """The report as PDF, labelled with its TLP on every page."""
        report = self.get_object()
        audit.record(
            request.user, audit.Action.EXPORT, report, changes={"format": "pdf"}, tlp=report.tlp
        )
        return pdf_response(export.report_pdf(report), export.report_filename(report, "pdf"))


class FeedbackViewSet(viewsets.ReadOnlyModelViewSet):
    """Feedback answers of participants after closed incidents (core staff only)."""

    permission_classes = [IsCoreStaff]
    serializer_class = FeedbackAnswerSerializer
    filterset_class = FeedbackFilter
    ordering_fields = ["updated_at", "useful", "timely"]

    def get_queryset(self) -> QuerySet[FeedbackAnswer]:
        return queries.feedback_answers(self.request.user).order_by("-updated_at", "-id")


class KpiViewSet(viewsets.ViewSet):
    """KPI figures of a period, counting only the incidents the caller may see."""

    permission_classes = [SignedInReadOrCoreStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="first day (default: 12 months ago)"
            ),
            OpenApiParameter("end", OpenApiTypes.DATE, description="last day (default: today)"),
        ],
        responses=KpiFiguresSerializer,
    )
    def list(self, request: Request) -> Response:
        """Incidents by severity and category per month, response times, feedback scores."""
        try:
            period = kpis.parse_period(
                request.query_params.get("start"), request.query_params.get("end")
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(kpis.compute(request.user, period))


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("insight/after-action-reports", ReportViewSet, basename="insight-report")
    router.register("insight/feedback", FeedbackViewSet, basename="insight-feedback")
    router.register("insight/kpis", KpiViewSet, basename="insight-kpis")
