"""Read-side helpers of the sharing pages: counts per collection, subscription URLs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse

from dnscert.sharing import audiences
from dnscert.sharing.audiences import Collection


@dataclass(frozen=True)
class CollectionRow:
    """One collection with its object counts and the URLs to subscribe to it."""

    collection: Collection
    total: int
    by_type: dict[str, int]
    taxii_url: str
    misp_url: str


def misp_feed_url(request: HttpRequest, collection: Collection) -> str:
    """The MISP feed URL of a collection's audience."""
    if collection.organisation is not None:
        path = reverse("sharing:misp-org-manifest", args=[collection.organisation.pk])
    else:
        path = reverse("sharing:misp-manifest")
    return request.build_absolute_uri(path.rsplit("manifest.json", 1)[0])


def collection_rows(request: HttpRequest, user: Any) -> list[CollectionRow]:
    """The collections ``user`` may read, with counts of what ``user`` sees in them."""
    rows = []
    for collection in audiences.readable(user):
        counts = (
            audiences.objects_in(user, collection)
            .values("stix_type")
            .annotate(n=Count("id"))
            .order_by("stix_type")
        )
        by_type = {entry["stix_type"]: entry["n"] for entry in counts}
        objects = reverse("sharing:taxii-objects", args=[collection.id])
        rows.append(
            CollectionRow(
                collection,
                sum(by_type.values()),
                by_type,
                request.build_absolute_uri(objects),
                misp_feed_url(request, collection),
            )
        )
    return rows


def endpoints(request: HttpRequest) -> dict[str, str]:
    """The absolute URLs subscribers need."""
    return {
        "discovery": request.build_absolute_uri(reverse("sharing:taxii-discovery")),
        "api_root": request.build_absolute_uri(reverse("sharing:taxii-root")),
        "misp_public": request.build_absolute_uri(reverse("sharing:misp-manifest")).rsplit(
            "manifest.json", 1
        )[0],
        "tokens": request.build_absolute_uri(reverse("api-tokens")),
        "security_txt": request.build_absolute_uri(reverse("sharing:security-txt")),
    }
