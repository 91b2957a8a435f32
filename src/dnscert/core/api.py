"""REST API endpoints of the core: audit events, shared documents and the caller's identity."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from dnscert.core import audit
from dnscert.core.filters import AuditEventFilter
from dnscert.core.models import AuditEvent, SharedDocument
from dnscert.core.permissions import IsCoreStaff, IsSignedIn, ReadOnlyOrCoreStaff
from dnscert.core.serializers import AuditEventSerializer, MeSerializer, SharedDocumentSerializer
from dnscert.core.visibility import visible


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log (core staff only), with the same filters as the staff page."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    permission_classes = [IsCoreStaff]
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEventFilter


class SharedDocumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Documents shared under TLP: everyone reads what the visibility rule allows them,
    core staff create and change them. Reading an AMBER or stricter one is audited."""

    serializer_class = SharedDocumentSerializer
    permission_classes = [ReadOnlyOrCoreStaff]
    search_fields = ["title", "body"]
    ordering_fields = ["created", "title"]
    filterset_fields = ["tlp"]

    def get_queryset(self) -> QuerySet[SharedDocument]:
        documents = SharedDocument.objects.prefetch_related(
            "recipient_organisations", "named_recipients", "assignees"
        )
        return visible(self.request.user, documents)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document = self.get_object()
        audit.record_read(request.user, document)
        return Response(self.get_serializer(document).data)


class MeViewSet(viewsets.ViewSet):
    """Who the caller is: user, role, organisation, and how they authenticated."""

    permission_classes = [IsSignedIn]

    @extend_schema(responses=MeSerializer, operation_id="me_retrieve")
    def list(self, request: Request) -> Response:
        return Response(MeSerializer(request.user, context={"request": request}).data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("audit-events", AuditEventViewSet, basename="audit-event")
    router.register("shared-documents", SharedDocumentViewSet, basename="shared-document")
    router.register("me", MeViewSet, basename="me")
