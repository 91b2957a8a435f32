"""Web pages of sharing: the staff console and its share actions, the constituent page, the
public "how to subscribe" page, the MISP feeds and security.txt."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import signin_required, staff_required
from dnscert.core.visibility import get_visible_or_404
from dnscert.directory.models import Organisation
from dnscert.sharing import feeds, misp, queries, securitytxt, services, stix
from dnscert.sharing.filters import ShareFilter
from dnscert.sharing.forms import DgaShareForm, IncidentShareForm, IntelShareForm
from dnscert.sharing.models import Share
from dnscert.sharing.taxii import TaxiiError, authenticate

PAGE_SIZE = 50


@staff_required
def console(request: HttpRequest) -> HttpResponse:
    """The staff console: collections, shares, share actions and endpoints."""
    found = ShareFilter(request.GET, queryset=Share.objects.select_related("shared_by"))
    if request.GET.get("format") == "json":
        return JsonResponse({"shares": [_share_json(s) for s in found.qs]})
    context = {
        "filter": found,
        "page": Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "collections": queries.collection_rows(request, request.user),
        "endpoints": queries.endpoints(request),
        "incident_form": IncidentShareForm(),
        "dga_form": DgaShareForm(),
        "intel_form": IntelShareForm(),
    }
    return render(request, "sharing/console.html", context)


def _share_json(share: Share) -> dict[str, Any]:
    return {
        "uuid": str(share.uuid),
        "title": share.title,
        "source": share.source_key,
        "tlp": share.tlp,
        "indicators": share.item_count,
        "updated_at": share.updated_at.isoformat(),
    }


def _run_share(request: HttpRequest, form: Any, action: Any) -> HttpResponse:
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return redirect("sharing:console")
    try:
        share = action(form.cleaned_data)
    except InvalidInput as error:
        messages.error(request, str(error))
        return redirect("sharing:console")
    messages.success(request, _("Shared: %(title)s") % {"title": share.title})
    return redirect("sharing:share", share.uuid)


@staff_required
@require_POST
def share_incident(request: HttpRequest) -> HttpResponse:
    """Share an incident's indicators."""
    return _run_share(
        request,
        IncidentShareForm(request.POST),
        lambda data: services.share_incident(
            data["reference"], by=request.user, tlp=data["tlp"] or None
        ),
    )


@staff_required
@require_POST
def share_dga(request: HttpRequest) -> HttpResponse:
    """Share a DGA registry list."""
    return _run_share(
        request,
        DgaShareForm(request.POST),
        lambda data: services.share_registry_list(
            data["registry_list"], by=request.user, tlp=data["tlp"] or None
        ),
    )


@staff_required
@require_POST
def share_intel(request: HttpRequest) -> HttpResponse:
    """Share one day of intel events."""
    return _run_share(
        request,
        IntelShareForm(request.POST),
        lambda data: services.share_intel(
            feed=data["feed"],
            day=data["day"],
            classification_type=data["classification_type"],
            tlp=data["tlp"] or None,
            by=request.user,
        ),
    )


@staff_required
@require_POST
def unshare(request: HttpRequest, uuid: str) -> HttpResponse:
    """Withdraw a share."""
    share = get_object_or_404(Share, uuid=uuid)
    services.unshare(share, by=request.user)
    messages.success(request, _("Withdrawn: %(title)s") % {"title": share.title})
    return redirect("sharing:console")


@signin_required
def share_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    """One share: its indicators and where its objects are."""
    share = get_visible_or_404(request.user, Share.objects.all(), uuid=uuid)
    placements = share.stix_objects.values("audience", "organisation__name").distinct()
    context = {"share": share, "placements": placements}
    return render(request, "sharing/share_detail.html", context)


@signin_required
def share_bundle(request: HttpRequest, uuid: str) -> HttpResponse:
    """The STIX 2.1 bundle of one share (identity, TLP marking, indicators)."""
    share = get_visible_or_404(request.user, Share.objects.all(), uuid=uuid)
    indicators = {row.stix_id: row.payload for row in share.stix_objects.all()}
    objects = [stix.platform_identity(), stix.tlp_markings()[stix.TLP.parse(share.tlp)]]
    body = json.dumps(stix.bundle([*objects, *indicators.values()]), indent=2)
    response = HttpResponse(body, content_type="application/stix+json;version=2.1")
    response["Content-Disposition"] = f'attachment; filename="{share.uuid}.stix.json"'
    return response


@signin_required
def mine(request: HttpRequest) -> HttpResponse:
    """A constituent's collections, feed URLs and how to get a token."""
    context = {
        "collections": queries.collection_rows(request, request.user),
        "endpoints": queries.endpoints(request),
        "shares": feeds.public_shares(request.user)[:20],
    }
    return render(request, "sharing/mine.html", context)


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    """Public page: what the platform shares, under which rules, and how to subscribe."""
    return render(request, "sharing/about.html", {"endpoints": queries.endpoints(request)})


# --- MISP feeds --------------------------------------------------------------------------------


def _feed_user(request: HttpRequest) -> Any:
    try:
        return authenticate(request)
    except TaxiiError as error:
        response = JsonResponse({"error": error.title, "detail": error.description}, status=401)
        response["WWW-Authenticate"] = 'Basic realm="dnscert MISP feed"'
        raise _Refused(response) from None


class _Refused(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__("refused")
        self.response = response


def _org_shares(request: HttpRequest, org_pk: int) -> Any:
    user = _feed_user(request)
    org = get_object_or_404(Organisation, pk=org_pk)
    if not feeds.may_read_org_feed(user, org):
        if not getattr(user, "is_authenticated", False):
            response = JsonResponse({"error": "Authentication required"}, status=401)
            response["WWW-Authenticate"] = 'Basic realm="dnscert MISP feed"'
            raise _Refused(response)
        raise Http404("no such feed")
    return feeds.organisation_shares(user, org)


def _feed_view(kind: str, organisation: bool) -> Any:
    @require_GET
    @cache_control(private=True, max_age=60)
    def view(request: HttpRequest, org_pk: int = 0, uuid: str = "") -> HttpResponse:
        try:
            shares = (
                _org_shares(request, org_pk)
                if organisation
                else feeds.public_shares(_feed_user(request))
            )
        except _Refused as refused:
            return refused.response
        return _feed_document(kind, shares, uuid)

    view.__name__ = f"misp_{kind}{'_org' if organisation else ''}"
    view.__doc__ = f"The MISP feed's {kind} ({'one organisation' if organisation else 'public'})."
    return view


def _feed_document(kind: str, shares: Any, uuid: str) -> HttpResponse:
    if kind == "manifest":
        return JsonResponse(misp.manifest(shares))
    if kind == "hashes":
        return HttpResponse(misp.hashes_csv(shares), content_type="text/csv; charset=utf-8")
    share = shares.filter(uuid=uuid).first()
    if share is None:
        raise Http404("no such event in this feed")
    return JsonResponse(misp.feed_entry(share)[0])


misp_manifest = _feed_view("manifest", False)
misp_hashes = _feed_view("hashes", False)
misp_event = _feed_view("event", False)
misp_org_manifest = _feed_view("manifest", True)
misp_org_hashes = _feed_view("hashes", True)
misp_org_event = _feed_view("event", True)


@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    """``/.well-known/security.txt`` (RFC 9116)."""
    return HttpResponse(securitytxt.document(), content_type="text/plain; charset=utf-8")
