"""REST API of vulnerability coordination; ``register`` adds its endpoints to the router.

Every case is looked up through :mod:`dnscert.vulns.scope` (404 when hidden); vendors see
their own row and the messages addressed to them only. Core staff take the whole life cycle
of a case through the same services as the web pages: open and edit it, move its status, add
products and vendors (and see those proposed from products), notify one vendor or all, remove
a vendor added by mistake, set or lift the embargo, publish, request a CVE id and record the
reserved one, add reporters. A participant who may read a case but not coordinate it is
refused with 403; refused input is a 400 naming the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import IsCoreStaff, IsSignedIn
from dnscert.directory.models import Organisation
from dnscert.vulns import embargo, messaging, metrics, scope, services
from dnscert.vulns.models import (
    Case,
    CaseMessage,
    CaseParticipant,
    CaseProduct,
    CaseVendor,
    CveReservation,
)
from dnscert.vulns.serializers import (
    CaseFieldsSerializer,
    CaseMessageSerializer,
    CaseProductItemSerializer,
    CaseReporterSerializer,
    CaseSerializer,
    CaseTransitionSerializer,
    CaseVendorSerializer,
    CaseVendorStatusSerializer,
    CveRequestSerializer,
    CveReservationSerializer,
    CveReservedSerializer,
    EarlyReleaseSerializer,
    EmbargoSerializer,
    MetricsSerializer,
    NewCaseMessageSerializer,
    NewCaseSerializer,
    NewCaseVendorSerializer,
    NewReporterSerializer,
    NoFieldsSerializer,
    NotifySerializer,
    ProductProposalSerializer,
)

CASE_REF = OpenApiParameter("reference", str, OpenApiParameter.PATH, description="case reference")


@contextmanager
def _refusals() -> Iterator[None]:
    """A service's refusal (:class:`InvalidInput`) as a 400 answer naming the field."""
    try:
        yield
    except InvalidInput as error:
        raise _invalid(error) from None


def _invalid(error: InvalidInput) -> ValidationError:
    return ValidationError({error.field: [error.problem]})


class CoordinatesCase(permissions.BasePermission):
    """Signed in, and a coordinator of the case once it is found (hidden cases stay 404)."""

    message = IsCoreStaff.message

    def has_permission(self, request: Request, view: APIView) -> bool:
        return IsSignedIn().has_permission(request, view)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return scope.is_coordinator(request.user)


def _validated(incoming: Serializer[Any]) -> dict[str, Any]:
    incoming.is_valid(raise_exception=True)
    return dict(incoming.validated_data)


def _case_response(case: Case, code: int = status.HTTP_200_OK) -> Response:
    return Response(CaseSerializer(case).data, status=code)


#: Case actions only a coordinator of the case may take.
COORDINATOR_CASE_ACTIONS = (
    "partial_update",
    "set_embargo",
    "early_release",
    "transition",
    "publish",
)
#: Vendor actions only a coordinator of the case may take.
COORDINATOR_VENDOR_ACTIONS = ("create", "proposed", "notify", "notify_all", "destroy")


class CaseViewSet(viewsets.ReadOnlyModelViewSet[Case]):
    """Cases the caller may open; core staff open, edit, embargo, move and publish them."""

    serializer_class = CaseSerializer
    lookup_field = "reference"
    queryset = Case.objects.none()

    def get_permissions(self) -> list[Any]:
        if self.action == "create":
            return [IsCoreStaff()]
        if self.action in COORDINATOR_CASE_ACTIONS:
            return [CoordinatesCase()]
        return [IsSignedIn()]

    def get_queryset(self) -> QuerySet[Case]:
        return scope.cases_for(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=NewCaseSerializer, responses={201: CaseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Open a case (status new), with its products and embargo if given."""
        fields = _validated(NewCaseSerializer(data=request.data))
        with _refusals():
            case = services.open_case(by=request.user, **fields)
        return _case_response(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseFieldsSerializer, responses=CaseSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the fields the web edit form changes (CVSS re-scored)."""
        case = self.get_object()
        fields = _validated(CaseFieldsSerializer(data=request.data, partial=True))
        with _refusals():
            services.update_case(case, by=request.user, **fields)
        return _case_response(case)

    @extend_schema(request=EmbargoSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="embargo")
    def set_embargo(self, request: Request, reference: str) -> Response:
        """Set or move the embargo; participants are told the new date."""
        case = self.get_object()
        fields = _validated(EmbargoSerializer(data=request.data))
        with _refusals():
            embargo.set_embargo(case, by=request.user, embargo_at=fields["embargo_at"])
        return _case_response(case)

    @extend_schema(request=EarlyReleaseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="early-release")
    def early_release(self, request: Request, reference: str) -> Response:
        """Lift the embargo now, with the reason: a draft advisory is created."""
        case = self.get_object()
        fields = _validated(EarlyReleaseSerializer(data=request.data))
        with _refusals():
            embargo.early_release(case, by=request.user, reason=fields["reason"])
        return _case_response(case)

    @extend_schema(request=CaseTransitionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def transition(self, request: Request, reference: str) -> Response:
        """Move the case to another status, as the transitions allow."""
        case = self.get_object()
        fields = _validated(CaseTransitionSerializer(data=request.data))
        with _refusals():
            services.transition(case, fields["status"], by=request.user)
        return _case_response(case)

    @extend_schema(request=None, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="publish")
    def publish(self, request: Request, reference: str) -> Response:
        """Publish once the embargo has ended (or without one): a draft advisory is created."""
        case = self.get_object()
        _validated(NoFieldsSerializer(data=request.data))
        with _refusals():
            embargo.publish_by_hand(case, by=request.user)
        return _case_response(case)


class _CaseChild:
    """Nested under a case: the case comes from the URL, through the scope rule."""

    def case(self) -> Case:
        view: Any = self
        return scope.get_case_or_404(view.request.user, view.kwargs["reference"])

    def coordinated_case(self) -> Case:
        """The case from the URL (404 when hidden), refused (403) unless the caller coordinates."""
        view: Any = self
        case = self.case()
        view.check_object_permissions(view.request, case)
        return case


def _vendor_of(case: Case, pk: str) -> CaseVendor:
    vendor = case.vendors.select_related("organisation", "case").filter(pk=pk).first()
    if vendor is None:
        raise NotFound(f"no vendor {pk} on case {case.reference}")
    return vendor


def _proposal(item: CaseProduct, vendors: list[Organisation]) -> dict[str, Any]:
    return {"id": item.pk, "name": item.name, "versions": item.versions, "vendors": vendors}


@extend_schema(parameters=[CASE_REF])
class VendorViewSet(_CaseChild, mixins.ListModelMixin, viewsets.GenericViewSet[CaseVendor]):
    """Vendors on a case (a vendor sees its own row) and their status updates.

    Core staff add vendors, see those proposed from the case's products, notify them, and
    remove one added by mistake (never once it was told or has messages).
    """

    serializer_class = CaseVendorSerializer
    queryset = CaseVendor.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_permissions(self) -> list[Any]:
        if self.action in COORDINATOR_VENDOR_ACTIONS:
            return [CoordinatesCase()]
        return [IsSignedIn()]

    def get_queryset(self) -> QuerySet[CaseVendor]:
        rows = scope.vendors_for(self.request.user, self.case())
        return rows.select_related("organisation").order_by("organisation__name", "pk")

    @extend_schema(request=NewCaseVendorSerializer, responses={201: CaseVendorSerializer})
    def create(self, request: Request, reference: str) -> Response:
        """Put a directory vendor on the case (not contacted yet)."""
        case = self.coordinated_case()
        incoming = NewCaseVendorSerializer(data=request.data, context={"case": case})
        fields = _validated(incoming)
        with _refusals():
            vendor = services.add_vendor(case, fields["organisation"], by=request.user)
        return Response(CaseVendorSerializer(vendor).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ProductProposalSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="proposed", pagination_class=None)
    def proposed(self, request: Request, reference: str) -> Response:
        """Each product of the case with the directory vendors shipping it not yet on it."""
        case = self.coordinated_case()
        products = case.products.all()
        rows = [_proposal(item, services.proposed_vendors(case, item)) for item in products]
        return Response(ProductProposalSerializer(rows, many=True).data)

    @extend_schema(request=CaseVendorStatusSerializer, responses=CaseVendorSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, reference: str, pk: str) -> Response:
        vendor = get_object_or_404(self.get_queryset(), pk=pk)
        data = CaseVendorStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with _refusals():
            services.set_vendor_status(vendor, by=request.user, **data.validated_data)
        return Response(CaseVendorSerializer(vendor).data)

    @extend_schema(request=NotifySerializer, responses=CaseVendorSerializer)
    @action(detail=True, methods=["post"], url_path="notify")
    def notify(self, request: Request, reference: str, pk: str) -> Response:
        """Tell the vendor by signed e-mail: it now sees the case and has an answer deadline."""
        vendor = _vendor_of(self.coordinated_case(), pk)
        fields = _validated(NotifySerializer(data=request.data))
        with _refusals():
            services.notify_vendor(vendor, by=request.user, answer_days=fields["answer_days"])
        return Response(CaseVendorSerializer(vendor).data)

    @extend_schema(request=None, responses=CaseVendorSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="notify-all", pagination_class=None)
    def notify_all(self, request: Request, reference: str) -> Response:
        """Notify every vendor not contacted yet; the answer lists those just notified."""
        case = self.coordinated_case()
        _validated(NoFieldsSerializer(data=request.data))
        notified = services.notify_all_vendors(case, by=request.user)
        return Response(CaseVendorSerializer(notified, many=True).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, reference: str, pk: str) -> Response:
        """Take a vendor added by mistake off the case: refused once notified or once it wrote."""
        vendor = _vendor_of(self.coordinated_case(), pk)
        with _refusals():
            services.remove_vendor(vendor, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[CASE_REF])
class CveViewSet(_CaseChild, mixins.ListModelMixin, viewsets.GenericViewSet[CveReservation]):
    """CVE ids asked for a case, and the id a CNA reserved (coordinators)."""

    serializer_class = CveReservationSerializer
    permission_classes = [CoordinatesCase]
    queryset = CveReservation.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[CveReservation]:
        return self.coordinated_case().cve_reservations.order_by("requested_at", "id")

    @extend_schema(request=CveRequestSerializer, responses={201: CveReservationSerializer})
    def create(self, request: Request, reference: str) -> Response:
        """Record that a CVE id is wanted for the case."""
        case = self.coordinated_case()
        fields = _validated(CveRequestSerializer(data=request.data))
        with _refusals():
            reservation = services.request_cve(case, by=request.user, note=fields["note"])
        data = CveReservationSerializer(reservation).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CveReservedSerializer, responses=CveReservationSerializer)
    @action(detail=True, methods=["post"], url_path="reserved")
    def reserved(self, request: Request, reference: str, pk: str) -> Response:
        """The CNA reserved this id: stored on the reservation and in the case's CVE ids."""
        case = self.coordinated_case()
        reservation = case.cve_reservations.filter(pk=pk).first()
        if reservation is None:
            raise NotFound(f"no CVE request {pk} on case {case.reference}")
        fields = _validated(CveReservedSerializer(data=request.data))
        with _refusals():
            services.record_cve_reserved(reservation, by=request.user, cve_id=fields["cve_id"])
        return Response(CveReservationSerializer(reservation).data)


@extend_schema(parameters=[CASE_REF])
class ReporterViewSet(_CaseChild, mixins.ListModelMixin, viewsets.GenericViewSet[CaseParticipant]):
    """The reporters of a case and how each wishes to be credited (coordinators)."""

    serializer_class = CaseReporterSerializer
    permission_classes = [CoordinatesCase]
    queryset = CaseParticipant.objects.none()

    def get_queryset(self) -> QuerySet[CaseParticipant]:
        return (
            self.coordinated_case().participants.select_related("user").order_by("added_at", "id")
        )

    @extend_schema(request=NewReporterSerializer, responses={201: CaseReporterSerializer})
    def create(self, request: Request, reference: str) -> Response:
        """Add a reporter by e-mail with their credit wish, as the web form does."""
        case = self.coordinated_case()
        fields = _validated(NewReporterSerializer(data=request.data))
        with _refusals():
            participant = services.add_reporter(case, by=request.user, **fields)
        return Response(CaseReporterSerializer(participant).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[CASE_REF])
class ProductViewSet(_CaseChild, viewsets.GenericViewSet[CaseProduct]):
    """Core staff add an affected product, then add every vendor proposed for it."""

    serializer_class = ProductProposalSerializer
    permission_classes = [CoordinatesCase]
    queryset = CaseProduct.objects.none()
    lookup_value_regex = r"[0-9]+"

    @extend_schema(request=CaseProductItemSerializer, responses={201: ProductProposalSerializer})
    def create(self, request: Request, reference: str) -> Response:
        """Add a product; the answer lists the directory vendors shipping it not yet on it."""
        case = self.coordinated_case()
        incoming = CaseProductItemSerializer(data=request.data, context={"case": case})
        fields = _validated(incoming)
        with _refusals():
            item, proposed = services.add_product(case, by=request.user, **fields)
        data = ProductProposalSerializer(_proposal(item, proposed)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CaseVendorSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="add-vendors")
    def add_vendors(self, request: Request, reference: str, pk: str) -> Response:
        """Add every vendor proposed for the product (the web's one-click action)."""
        case = self.coordinated_case()
        item = get_object_or_404(case.products.all(), pk=pk)
        added = services.add_vendors_for_product(case, item, by=request.user)
        return Response(CaseVendorSerializer(added, many=True).data)


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
        with _refusals():
            message = messaging.post_message(
                case,
                by=request.user,
                body=fields["body"],
                audience=fields["audience"],
                vendor=vendor,
                via="api",
            )
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
    router.register(
        r"vulns/cases/(?P<reference>[A-Z0-9-]+)/products", ProductViewSet, basename="vulns-product"
    )
    router.register(r"vulns/cases/(?P<reference>[A-Z0-9-]+)/cve", CveViewSet, basename="vulns-cve")
    router.register(
        r"vulns/cases/(?P<reference>[A-Z0-9-]+)/reporters",
        ReporterViewSet,
        basename="vulns-reporter",
    )
    router.register("vulns/metrics", MetricsViewSet, basename="vulns-metrics")
