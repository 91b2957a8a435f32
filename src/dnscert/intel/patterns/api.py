"""REST API of the pattern detectors; ``register`` adds its endpoints to the platform's router.

Every endpoint reads through :mod:`dnscert.intel.patterns.queries`: the team sees
everything, a member only their organisation's sent lists and handed-over alerts (others are
a 404), anonymous callers are refused. Staff create and send campaigns and review alerts;
a member acknowledges and reports coverage on their own lists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from dnscert.core import audit
from dnscert.core.audit import Action
from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import IsCoreStaff, IsSignedIn, IsStaffOrResponder
from dnscert.intel.patterns import alerts, campaigns, concentration, queries, sending
from dnscert.intel.patterns.choices import AcknowledgedVia
from dnscert.intel.patterns.filters import AlertFilter, CampaignFilter, RegistryListFilter
from dnscert.intel.patterns.models import ConcentrationAlert, DgaCampaign, RegistryList
from dnscert.intel.patterns.serializers import (
    AlertSerializer,
    CampaignCreateSerializer,
    CampaignSerializer,
    ConcentrationQuerySerializer,
    ConcentrationSerializer,
    CoverageSerializer,
    DismissSerializer,
    RegistryListSerializer,
    SendResultSerializer,
)


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


class CsvRenderer(BaseRenderer):
    """Lets ``Accept: text/csv`` reach the CSV actions (they answer with the CSV themselves)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        return data if isinstance(data, bytes) else str(data).encode()


CSV_RESPONSE = {
    (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, description="CSV with a header")
}


def _streamed_csv(lines: Any, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse((line.encode() for line in lines), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CampaignViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """DGA campaigns: the team reads them; staff create them (generation runs as a job)."""

    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    ordering_fields = ["created_at", "start_date"]

    def get_permissions(self) -> list[Any]:
        if self.action in ("create", "send"):
            return [IsCoreStaff()]
        return [IsStaffOrResponder()]

    def get_queryset(self) -> QuerySet[DgaCampaign]:
        return queries.campaigns(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        wanted = CampaignCreateSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        data = wanted.validated_data
        try:
            campaign = campaigns.create_campaign(
                family=data["family"],
                start=data["start_date"],
                end=data["end_date"],
                tlp=data["tlp"],
                note=data["note"],
                by=request.user,
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SendResultSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str | None = None) -> Response:
        """E-mail every unsent list of the campaign to its registry's 24x7 contacts."""
        campaign = self.get_object()
        try:
            result = sending.send_campaign(campaign, by=request.user)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(SendResultSerializer(result).data)

    @extend_schema(responses=CSV_RESPONSE)
    @action(detail=True, methods=["get"], renderer_classes=[CsvRenderer])
    def csv(self, request: Request, pk: str | None = None) -> StreamingHttpResponse:
        """Every list of the campaign as one CSV (date, domain, tld, family, registry)."""
        campaign = self.get_object()
        audit.record(request.user, Action.EXPORT, campaign)
        name = f"{campaign.family}_{campaign.start_date}_{campaign.end_date}_all.csv"
        return _streamed_csv(campaigns.campaign_csv(campaign), name)


class RegistryListViewSet(viewsets.ReadOnlyModelViewSet):
    """Registry lists: all for the team, their organisation's sent lists for members."""

    permission_classes = [IsSignedIn]
    serializer_class = RegistryListSerializer
    filterset_class = RegistryListFilter
    ordering_fields = ["tld", "sent_at", "domain_count"]

    def get_queryset(self) -> QuerySet[RegistryList]:
        return queries.registry_lists(self.request.user).order_by("campaign_id", "tld")

    @extend_schema(responses=CSV_RESPONSE)
    @action(detail=True, methods=["get"], renderer_classes=[CsvRenderer])
    def csv(self, request: Request, pk: str | None = None) -> StreamingHttpResponse:
        """The list as CSV (date, domain, tld, family)."""
        registry_list = self.get_object()
        audit.record(request.user, Action.EXPORT, registry_list)
        name = campaigns.csv_filename(registry_list)
        return _streamed_csv(campaigns.list_csv(registry_list), name)

    def _answerable(self, request: Request) -> RegistryList:
        registry_list = self.get_object()
        if not queries.can_answer(request.user, registry_list):
            raise PermissionDenied("Only the registry and core staff may answer for this list.")
        return registry_list

    @extend_schema(request=None, responses=RegistryListSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """Acknowledge receipt of the list."""
        registry_list = self._answerable(request)
        try:
            campaigns.acknowledge(registry_list, by=request.user, via=AcknowledgedVia.API)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(RegistryListSerializer(registry_list).data)

    @extend_schema(request=CoverageSerializer, responses=RegistryListSerializer)
    @action(detail=True, methods=["post"])
    def coverage(self, request: Request, pk: str | None = None) -> Response:
        """Report how many of the list's domains are blocked or pre-registered."""
        registry_list = self._answerable(request)
        wanted = CoverageSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        try:
            campaigns.report_coverage(
                registry_list,
                covered=wanted.validated_data["covered_count"],
                note=wanted.validated_data["note"],
                by=request.user,
                via=AcknowledgedVia.API,
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(RegistryListSerializer(registry_list).data)


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Concentration alerts: all for the team, the hand-overs to their organisation for members."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["created_at", "share"]

    def get_permissions(self) -> list[Any]:
        if self.action in ("hand_over", "dismiss"):
            return [IsCoreStaff()]
        return [IsSignedIn()]

    def get_queryset(self) -> QuerySet[ConcentrationAlert]:
        return queries.alerts(self.request.user).order_by("-created_at", "-id")

    @extend_schema(responses=CSV_RESPONSE)
    @action(detail=True, methods=["get"], renderer_classes=[CsvRenderer])
    def domains(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The domain list to hand over, as CSV."""
        alert = self.get_object()
        audit.record(request.user, Action.EXPORT, alert)
        response = HttpResponse(alert.domains_csv, content_type="text/csv")
        name = f"concentration_{alert.dimension}_{alert.key}_{alert.window_start}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request: Request, pk: str | None = None) -> Response:
        """Approve the alert: e-mail the domain list to the organisation's 24x7 contacts."""
        alert = self.get_object()
        try:
            sending.hand_over(alert, by=request.user)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=DismissSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str | None = None) -> Response:
        """Dismiss the alert."""
        alert = self.get_object()
        wanted = DismissSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        try:
            alerts.dismiss(alert, by=request.user, note=wanted.validated_data["note"])
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(AlertSerializer(alert).data)


class ConcentrationViewSet(viewsets.ViewSet):
    """Concentration figures per registrar or TLD over a window (staff and responders)."""

    permission_classes = [IsStaffOrResponder]

    @extend_schema(parameters=[ConcentrationQuerySerializer], responses=ConcentrationSerializer)
    def list(self, request: Request) -> Response:
        wanted = ConcentrationQuerySerializer(data=request.query_params)
        wanted.is_valid(raise_exception=True)
        data = wanted.validated_data
        try:
            window = concentration.make_window(
                last_day=data.get("last_day"),
                days=data.get("days"),
                baseline_days=data.get("baseline_days"),
                category=data["category"],
            )
        except InvalidInput as error:
            raise _invalid(error) from None
        result = concentration.figures(window, data["dimension"])
        body = {
            "dimension": result.dimension,
            "window_start": window.start,
            "window_last_day": window.last_day,
            "baseline_start": window.baseline_start,
            "category": window.category,
            "new_days": window.new_days,
            "total_events": result.total_events,
            "total_new_domains": result.total_new,
            "baseline_total_new_domains": result.baseline_total_new,
            "unattributed_new_domains": result.unattributed_new,
            "rows": [row.as_dict() for row in result.rows],
        }
        return Response(ConcentrationSerializer(body).data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("intel/dga-campaigns", CampaignViewSet, basename="dga-campaign")
    router.register("intel/registry-lists", RegistryListViewSet, basename="dga-registry-list")
    router.register("intel/concentration-alerts", AlertViewSet, basename="concentration-alert")
    router.register("intel/concentration", ConcentrationViewSet, basename="concentration")
