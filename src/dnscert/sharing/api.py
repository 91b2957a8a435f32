"""REST API of sharing; ``register`` adds its endpoints to the platform's router.

``sharing/shares``: what was shared (filtered by the visibility rule); core staff share
sources with the ``incident``, ``dga-list`` and ``intel`` actions and withdraw with DELETE.
``sharing/objects``: the STIX objects of the collections the caller may read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import SignedInReadOrCoreStaff
from dnscert.core.visibility import visible
from dnscert.incidents.models import Incident
from dnscert.intel.models import Feed
from dnscert.intel.patterns.models import RegistryList
from dnscert.sharing import audiences, services
from dnscert.sharing.filters import ShareFilter
from dnscert.sharing.models import Share, SharedObject
from dnscert.sharing.serializers import (
    ShareDgaListSerializer,
    SharedObjectSerializer,
    ShareIncidentSerializer,
    ShareIntelSerializer,
    ShareSerializer,
)


def _input(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _created(action: Any) -> Response:
    try:
        share = action()
    except InvalidInput as error:
        raise ValidationError({error.field: [error.problem]}) from None
    return Response(ShareSerializer(share).data, status=status.HTTP_201_CREATED)


class ShareViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Shares visible to the caller; staff share and withdraw."""

    serializer_class = ShareSerializer
    permission_classes = [SignedInReadOrCoreStaff]
    filterset_class = ShareFilter
    lookup_field = "uuid"

    def get_queryset(self) -> QuerySet[Share]:
        return visible(self.request.user, Share.objects.all()).order_by("-updated_at", "-id")

    def perform_destroy(self, instance: Share) -> None:
        services.unshare(instance, by=self.request.user)

    @extend_schema(request=ShareIncidentSerializer, responses={201: ShareSerializer})
    @action(detail=False, methods=["post"])
    def incident(self, request: Request) -> Response:
        """Share an incident's indicators (under its label unless ``tlp`` is given)."""
        data = _input(ShareIncidentSerializer, request)
        found = Incident.objects.filter(reference=data["reference"].strip().upper()).first()
        if found is None:
            raise ValidationError({"reference": [f"no incident {data['reference']}"]})
        return _created(
            lambda: services.share_incident(found, by=request.user, tlp=data.get("tlp") or None)
        )

    @extend_schema(request=ShareDgaListSerializer, responses={201: ShareSerializer})
    @action(detail=False, methods=["post"], url_path="dga-list")
    def dga_list(self, request: Request) -> Response:
        """Share a DGA registry list."""
        data = _input(ShareDgaListSerializer, request)
        found = RegistryList.objects.filter(pk=data["registry_list"]).first()
        if found is None:
            raise ValidationError({"registry_list": [f"no DGA list {data['registry_list']}"]})
        return _created(
            lambda: services.share_registry_list(
                found, by=request.user, tlp=data.get("tlp") or None
            )
        )

    @extend_schema(request=ShareIntelSerializer, responses={201: ShareSerializer})
    @action(detail=False, methods=["post"])
    def intel(self, request: Request) -> Response:
        """Share one day of one feed's events."""
        data = _input(ShareIntelSerializer, request)
        feed = Feed.objects.filter(name=data["feed"]).first()
        if feed is None:
            raise ValidationError({"feed": [f"no feed {data['feed']}"]})
        return _created(
            lambda: services.share_intel(
                feed=feed,
                day=data["day"],
                classification_type=data.get("classification_type", ""),
                tlp=data.get("tlp") or None,
                by=request.user,
            )
        )


class SharedObjectViewSet(viewsets.ReadOnlyModelViewSet):
    """STIX objects in the collections the caller may read."""

    serializer_class = SharedObjectSerializer
    permission_classes = [SignedInReadOrCoreStaff]
    filterset_fields = ["stix_type", "audience", "collection"]

    def get_queryset(self) -> QuerySet[SharedObject]:
        ids = [collection.id for collection in audiences.readable(self.request.user)]
        rows = SharedObject.objects.filter(collection__in=ids)
        return visible(self.request.user, rows).order_by("date_added", "id")


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
    router.register("sharing/shares", ShareViewSet, basename="sharing-share")
    router.register("sharing/objects", SharedObjectViewSet, basename="sharing-object")
