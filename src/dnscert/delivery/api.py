"""REST API of delivery (staff only): list and read outbound messages, retry one now."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from dnscert.core.permissions import IsCoreStaff
from dnscert.delivery import services
from dnscert.delivery.filters import MessageFilter
from dnscert.delivery.models import OutboundMessage
from dnscert.delivery.serializers import OutboundMessageSerializer


class OutboundMessageViewSet(viewsets.ReadOnlyModelViewSet):
    """Outbound e-mails and webhook calls with their delivery status (core staff only)."""

    queryset = OutboundMessage.objects.select_related("about_type").order_by("-created_at", "-id")
    serializer_class = OutboundMessageSerializer
    permission_classes = [IsCoreStaff]
    filterset_class = MessageFilter
    search_fields = ["recipient", "subject", "message_id"]
    ordering_fields = ["created_at", "sent_at", "status", "attempts"]

    @extend_schema(request=None, responses=OutboundMessageSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Send the message again now."""
        message = services.retry_now(self.get_object(), by=request.user)
        return Response(self.get_serializer(message).data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("delivery/messages", OutboundMessageViewSet, basename="delivery-message")
