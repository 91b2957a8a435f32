"""REST API of intake; ``register`` adds its endpoints to the platform's router.

``POST /api/intake/reports/`` takes reports from constituents (members of an organisation)
and the team, token or session authenticated. Listing, reading and triage are for core
staff and responders; opening an incident from a report is for core staff.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from dnscert.core.choices import Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import IsCoreStaff, has_role
from dnscert.incidents.intake import queries, triage
from dnscert.incidents.intake.choices import Channel
from dnscert.incidents.intake.filters import ReportFilter
from dnscert.incidents.intake.models import Report
from dnscert.incidents.intake.serializers import (
    AttachSerializer,
    CreateIncidentSerializer,
    DuplicateSerializer,
    NewReportSerializer,
    RejectSerializer,
    ReportSerializer,
)
from dnscert.incidents.intake.services import submit_report
from dnscert.incidents.models import Incident


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


class MayReport(permissions.BasePermission):
    """Members of a constituent organisation, and the team, may send reports."""

    message = "Only constituent members and the team may send reports through the API."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user: Any = request.user
        if queries.may_triage(user):
            return True
        return has_role(user, Role.MEMBER) and user.organisation_id is not None


class MayTriage(permissions.BasePermission):
    """Core staff and responders."""

    message = "Only core staff and responders may read and triage reports."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return queries.may_triage(request.user)


class ReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reports to the point of contact (filters: q, channel, status, pgp_status, mail_kind)."""

    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    lookup_field = "reference"
    ordering_fields = ["received_at"]

    def get_permissions(self) -> list[Any]:
        if self.action == "create":
            return [MayReport()]
        if self.action == "create_incident":
            return [IsCoreStaff()]
        return [MayTriage()]

    def get_queryset(self) -> QuerySet[Report]:
        rows = queries.queue(self.request.user).prefetch_related("attachments")
        return rows.order_by("-received_at", "-id")

    @extend_schema(request=NewReportSerializer, responses={201: ReportSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Send a report; it is acknowledged by e-mail to the reporter."""
        incoming = NewReportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        user: Any = request.user
        own = not queries.may_triage(user)
        try:
            report = submit_report(
                channel=Channel.API,
                subject=data["subject"],
                body=data["body"],
                reporter_name=(user.get_full_name() or user.get_username())
                if own
                else data["reporter_name"],
                reporter_email=user.email if own else data["reporter_email"],
                organisation=user.organisation if own else None,
                user=user,
                uploads=incoming.uploads(),
                language=data["language"],
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CreateIncidentSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="create-incident")
    def create_incident(self, request: Request, reference: str | None = None) -> Response:
        """Open an incident from the report (core staff)."""
        report = self.get_object()
        incoming = CreateIncidentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            triage.create_incident_from_report(report, by=request.user, **incoming.validated_data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(ReportSerializer(report).data)

    @extend_schema(request=AttachSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def attach(self, request: Request, reference: str | None = None) -> Response:
        """Add the report to an existing incident."""
        report = self.get_object()
        incoming = AttachSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        wanted = incoming.validated_data["incident"].strip().upper()
        incident = Incident.objects.filter(reference=wanted).first()
        if incident is None:
            raise NotFound(f"no incident {wanted}")
        try:
            triage.attach_to_incident(report, incident, by=request.user)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(ReportSerializer(report).data)

    @extend_schema(request=RejectSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, reference: str | None = None) -> Response:
        """Reject the report with a reason."""
        report = self.get_object()
        incoming = RejectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            triage.reject_report(report, by=request.user, **incoming.validated_data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(ReportSerializer(report).data)

    @extend_schema(request=DuplicateSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, reference: str | None = None) -> Response:
        """Mark the report as a duplicate of another report."""
        report = self.get_object()
        incoming = DuplicateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        wanted = incoming.validated_data["original"].strip().upper()
        original = self.get_queryset().filter(reference=wanted).first()
        if original is None:
            raise NotFound(f"no report {wanted}")
        try:
            triage.mark_duplicate(report, original, by=request.user)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(ReportSerializer(report).data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("intake/reports", ReportViewSet, basename="intake-report")
