"""The TAXII 2.1 server: discovery, API root, collections, objects, manifest, versions and
the status of uploads. Reading follows the collection audience and the visibility rule;
writing (``POST .../objects/``) is for core staff.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from dnscert.core.visibility import is_core_staff, is_signed_in
from dnscert.sharing import audiences, conf, services
from dnscert.sharing.audiences import Collection
from dnscert.sharing.models import UploadStatus
from dnscert.sharing.taxii import (
    TAXII_MEDIA_TYPE,
    TaxiiError,
    apply_filters,
    authenticate,
    check_accept,
    error_response,
    paginate,
    parse_query,
    taxii_response,
    taxii_time,
)

View = Callable[..., HttpResponse]


def taxii_view(*methods: str) -> Callable[[View], View]:
    """Wrap a TAXII view: method check, content negotiation, authentication, TAXII errors."""

    def decorator(view: View) -> View:
        @csrf_exempt
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise TaxiiError(405, "Method not allowed", f"allowed: {', '.join(methods)}")
                check_accept(request)
                user = authenticate(request)
                return view(request, user, *args, **kwargs)
            except TaxiiError as error:
                return error_response(error)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorator


def _collection(user: Any, collection_id: str) -> Collection:
    collection = audiences.find(user, collection_id)
    if collection is not None:
        return collection
    if not is_signed_in(user):
        raise TaxiiError(401, "Authentication required", "sign in with an API token")
    raise TaxiiError(404, "Collection not found", f"no collection {collection_id} for you")


@taxii_view("GET")
def discovery(request: HttpRequest, user: Any) -> HttpResponse:
    """The server discovery resource."""
    root = request.build_absolute_uri(reverse("sharing:taxii-root"))
    return taxii_response(
        {
            "title": f"{settings.SITE_NAME} TAXII 2.1",
            "description": "STIX 2.1 indicators shared under TLP 2.0.",
            "contact": settings.SITE_URL,
            "default": root,
            "api_roots": [root],
        }
    )


@taxii_view("GET")
def api_root(request: HttpRequest, user: Any) -> HttpResponse:
    """The only API root."""
    return taxii_response(
        {
            "title": f"{settings.SITE_NAME} sharing",
            "description": "Collections by audience: public, community and per organisation.",
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": conf.taxii_max_content_length(),
        }
    )


@taxii_view("GET")
def collection_list(request: HttpRequest, user: Any) -> HttpResponse:
    """The collections ``user`` may read."""
    found = [collection.as_taxii(user) for collection in audiences.readable(user)]
    return taxii_response({"collections": found})


@taxii_view("GET")
def collection_detail(request: HttpRequest, user: Any, collection_id: str) -> HttpResponse:
    """One collection."""
    return taxii_response(_collection(user, collection_id).as_taxii(user))


@taxii_view("GET", "POST")
def objects(request: HttpRequest, user: Any, collection_id: str) -> HttpResponse:
    """GET: a page of objects (envelope); POST: add objects (staff), answer a status."""
    collection = _collection(user, collection_id)
    if request.method == "POST":
        return _add_objects(request, user, collection)
    query = parse_query(request)
    page = paginate(apply_filters(audiences.objects_in(user, collection), query), query)
    body: dict[str, Any] = {"more": page.more, "objects": [row.payload for row in page.rows]}
    if page.more:
        body["next"] = page.next
    return taxii_response(body, headers=page.headers())


def _envelope_objects(request: HttpRequest) -> list[Any]:
    if len(request.body) > conf.taxii_max_content_length():
        raise TaxiiError(413, "Request too large", "the body exceeds max_content_length")
    kind = (request.content_type or "").lower()
    if kind not in ("application/taxii+json", "application/stix+json"):
        raise TaxiiError(415, "Unsupported media type", f"send {TAXII_MEDIA_TYPE}")
    try:
        envelope = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise TaxiiError(400, "Invalid JSON", "the body is not a JSON document") from None
    found = envelope.get("objects") if isinstance(envelope, dict) else None
    if not isinstance(found, list):
        raise TaxiiError(400, "Invalid envelope", "objects must be a list")
    return found


def _add_objects(request: HttpRequest, user: Any, collection: Collection) -> HttpResponse:
    if not is_signed_in(user):
        raise TaxiiError(401, "Authentication required", "send an API token to add objects")
    if not is_core_staff(user):
        raise TaxiiError(403, "Forbidden", "only core staff may add objects")
    status = services.add_uploaded_objects(collection, _envelope_objects(request), by=user)
    return taxii_response(status.as_taxii(), 202)


@taxii_view("GET")
def object_detail(
    request: HttpRequest, user: Any, collection_id: str, object_id: str
) -> HttpResponse:
    """The versions of one object (an envelope), filtered by ``match[version]``."""
    collection = _collection(user, collection_id)
    query = parse_query(request)
    query.ids = [object_id]
    rows = apply_filters(audiences.objects_in(user, collection), query)
    page = paginate(rows, query)
    if not page.rows and query.after is None:
        raise TaxiiError(404, "Object not found", f"no object {object_id} in this collection")
    body: dict[str, Any] = {"more": page.more, "objects": [row.payload for row in page.rows]}
    if page.more:
        body["next"] = page.next
    return taxii_response(body, headers=page.headers())


@taxii_view("GET")
def manifest(request: HttpRequest, user: Any, collection_id: str) -> HttpResponse:
    """The manifest: id, date added, version and media type of each object."""
    collection = _collection(user, collection_id)
    query = parse_query(request)
    page = paginate(apply_filters(audiences.objects_in(user, collection), query), query)
    entries = [
        {
            "id": row.stix_id,
            "date_added": taxii_time(row.date_added),
            "version": row.version,
            "media_type": "application/stix+json;version=2.1",
        }
        for row in page.rows
    ]
    body: dict[str, Any] = {"more": page.more, "objects": entries}
    if page.more:
        body["next"] = page.next
    return taxii_response(body, headers=page.headers())


@taxii_view("GET")
def versions(request: HttpRequest, user: Any, collection_id: str, object_id: str) -> HttpResponse:
    """Every version of one object."""
    collection = _collection(user, collection_id)
    query = parse_query(request)
    query.ids = [object_id]
    query.versions = ["all"]
    page = paginate(apply_filters(audiences.objects_in(user, collection), query), query)
    if not page.rows and query.after is None:
        raise TaxiiError(404, "Object not found", f"no object {object_id} in this collection")
    body: dict[str, Any] = {"more": page.more, "versions": [row.version for row in page.rows]}
    if page.more:
        body["next"] = page.next
    return taxii_response(body, headers=page.headers())


@taxii_view("GET")
def status(request: HttpRequest, user: Any, status_id: str) -> HttpResponse:
    """The status resource of an upload, for core staff."""
    if not is_core_staff(user):
        raise TaxiiError(401 if not is_signed_in(user) else 403, "Forbidden", "staff only")
    key = _uuid(status_id)
    found = UploadStatus.objects.filter(pk=key).first() if key else None
    if found is None:
        raise TaxiiError(404, "Status not found", f"no status {status_id}")
    return taxii_response(found.as_taxii())


def _uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None
