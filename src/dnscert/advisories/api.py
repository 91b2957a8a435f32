"""REST API of advisories; ``register`` adds its endpoints to the platform's router.

Everyone reads the advisories they may see (:mod:`dnscert.advisories.queries`; a hidden one is
a 404); core staff create, change and move them through the workflow. Every change goes
through :mod:`dnscert.advisories.services`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from dnscert.advisories import queries, services
from dnscert.advisories.csaf import filename_for
from dnscert.advisories.filters import AdvisoryFilter
from dnscert.advisories.models import Advisory
from dnscert.advisories.serializers import (
    ActionSerializer,
    AdvisorySerializer,
    AdvisoryWriteSerializer,
    TranslationSerializer,
)
from dnscert.advisories.views import csaf_body
from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import ReadOnlyOrCoreStaff
from dnscert.directory.models import Organisation

LANG_PARAMETER = OpenApiParameter(
    "lang", OpenApiTypes.STR, description="Language of the texts (falls back to the original)"
)


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


def _input(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _service_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    for key in ("references", "credits", "affected"):
        if key in values:
            values[key] = [dict(item) for item in values[key]]
    if "named_organisations" in values:
        wanted = list(values["named_organisations"])
        found = list(Organisation.objects.filter(pk__in=wanted))
        missing = sorted(set(wanted) - {org.pk for org in found})
        if missing:
            raise ValidationError(
                {"named_organisations": [f"no organisation with id {missing[0]}"]}
            )
        values["named_organisations"] = found
    return values


class AdvisoryViewSet(viewsets.ModelViewSet):
    """Advisories the caller may read; core staff create, change and publish them."""

    permission_classes = [ReadOnlyOrCoreStaff]
    serializer_class = AdvisorySerializer
    filterset_class = AdvisoryFilter
    lookup_field = "reference"
    lookup_value_regex = "DNSCERT-SA-[0-9]{4}-[0-9]{4,6}"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Advisory]:
        return queries.readable(self.request.user).order_by("-created_at", "-id")

    def get_object(self) -> Advisory:
        reference = str(self.kwargs["reference"]).upper()
        found = self.get_queryset().filter(reference=reference).first()
        if found is None:
            raise NotFound(f"no advisory {reference} that you may see")
        audit.record_read(self.request.user, found)
        return found

    def _body(self, advisory: Advisory) -> Any:
        return AdvisorySerializer(advisory, context={"request": self.request}).data

    @extend_schema(parameters=[LANG_PARAMETER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[LANG_PARAMETER])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=AdvisoryWriteSerializer, responses={201: AdvisorySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Draft an advisory (core staff)."""
        values = _service_values(_input(AdvisoryWriteSerializer, request))
        for required in ("title", "summary", "severity", "tlp", "csaf_category"):
            if required not in values:
                raise ValidationError({required: ["This field is required."]})
        try:
            advisory = services.create_draft(by=request.user, **values)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(self._body(advisory), status=status.HTTP_201_CREATED)

    @extend_schema(request=AdvisoryWriteSerializer, responses=AdvisorySerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a draft or an advisory in review."""
        advisory = self.get_object()
        values = _service_values(_input(AdvisoryWriteSerializer, request))
        try:
            services.update_advisory(advisory, by=request.user, **values)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(self._body(advisory))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a draft that was never released (released ones are withdrawn instead)."""
        advisory = self.get_object()
        try:
            services.delete_draft(advisory, by=request.user)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _act(self, request: Request, run: Any) -> Response:
        if not getattr(request.user, "is_core_staff", False):
            raise PermissionDenied("Only core staff may move advisories through the workflow.")
        advisory = self.get_object()
        data = _input(ActionSerializer, request)
        try:
            run(advisory, data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(self._body(advisory))

    @extend_schema(request=ActionSerializer, responses=AdvisorySerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, reference: str | None = None) -> Response:
        """Send a draft to review."""
        return self._act(request, lambda a, d: services.submit_for_review(a, by=request.user))

    @extend_schema(request=ActionSerializer, responses=AdvisorySerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_draft(self, request: Request, reference: str | None = None) -> Response:
        """Send an advisory in review back to draft, with a note."""
        return self._act(
            request, lambda a, d: services.return_to_draft(a, by=request.user, note=d["reason"])
        )

    @extend_schema(request=ActionSerializer, responses=AdvisorySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, reference: str | None = None) -> Response:
        """Approve and publish (not by the author); refused naming the failing CSAF rule."""
        return self._act(
            request,
            lambda a, d: services.publish(
                a, by=request.user, revision_summary=d["revision_summary"]
            ),
        )

    @extend_schema(request=ActionSerializer, responses=AdvisorySerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, reference: str | None = None) -> Response:
        """Open a published advisory for a new revision."""
        return self._act(request, lambda a, d: services.start_revision(a, by=request.user))

    @extend_schema(request=ActionSerializer, responses=AdvisorySerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, reference: str | None = None) -> Response:
        """Withdraw a published advisory, giving the reason."""
        return self._act(
            request, lambda a, d: services.withdraw(a, by=request.user, reason=d["reason"])
        )

    @extend_schema(request=TranslationSerializer, responses=TranslationSerializer)
    @action(detail=True, methods=["post"])
    def translation(self, request: Request, reference: str | None = None) -> Response:
        """Add or replace the texts in another language."""
        if not getattr(request.user, "is_core_staff", False):
            raise PermissionDenied("Only core staff may translate advisories.")
        advisory = self.get_object()
        data = _input(TranslationSerializer, request)
        try:
            saved = services.set_translation(advisory, by=request.user, **data)
        except InvalidInput as error:
            raise _invalid(error) from None
        return Response(TranslationSerializer(saved).data)

    @extend_schema(
        parameters=[LANG_PARAMETER],
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def csaf(self, request: Request, reference: str | None = None) -> HttpResponse:
        """The CSAF 2.0 document of the current release (staff: also of drafts)."""
        advisory = self.get_object()
        try:
            body = csaf_body(advisory, request.user, str(request.query_params.get("lang", "")))
        except Http404:
            raise NotFound("no released CSAF document") from None
        response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = f'inline; filename="{filename_for(advisory.reference)}"'
        return response


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("advisories/advisories", AdvisoryViewSet, basename="advisory")
