"""Web pages of the pattern detectors: DGA coordination, registry lists, concentration, alerts.

Views are thin: every object comes through :mod:`dnscert.intel.patterns.queries` (the
scoping rule) and every change through a service. The team (staff and responders) sees
everything; staff act; a member sees and answers their own organisation's lists and alerts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dnscert.core import audit
from dnscert.core.audit import Action
from dnscert.core.choices import Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import role_required, signin_required, staff_required
from dnscert.intel.patterns import alerts, blobs, campaigns, concentration, queries, sending
from dnscert.intel.patterns.choices import AcknowledgedVia, CampaignStatus
from dnscert.intel.patterns.filters import AlertFilter, CampaignFilter
from dnscert.intel.patterns.forms import (
    CampaignForm,
    ConcentrationForm,
    CoverageForm,
    DismissForm,
)
from dnscert.intel.patterns.models import ConcentrationAlert, RegistryList

PAGE_SIZE = 50
team_required = role_required(Role.STAFF, Role.RESPONDER)


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _csv_response(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse((line.encode() for line in lines), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _form_error(form: Any, error: InvalidInput) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.problem)


# --- DGA campaigns -------------------------------------------------------------------------


@team_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Every DGA campaign, newest first, filterable by family and status."""
    campaign_filter = CampaignFilter(request.GET, queryset=queries.campaigns(request.user))
    return render(
        request,
        "intel_patterns/campaign_list.html",
        {
            "filter": campaign_filter,
            "page": _page(request, campaign_filter.qs),
            "query": _query_without_page(request),
            "can_manage": queries.can_manage(request.user),
        },
    )


@staff_required
def campaign_new(request: HttpRequest) -> HttpResponseBase:
    """Staff start a campaign: family and dates; generation runs as a job."""
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
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
            _form_error(form, error)
        else:
            messages.success(request, _("Campaign created; its lists are being generated."))
            return redirect("intel_patterns:campaign", pk=campaign.pk)
    return render(request, "intel_patterns/campaign_new.html", {"form": form})


@team_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One campaign: progress, coverage, the per-registry table and the uncovered TLDs."""
    campaign = get_object_or_404(queries.campaigns(request.user), pk=pk)
    return render(
        request,
        "intel_patterns/campaign_detail.html",
        {
            "campaign": campaign,
            "lists": campaigns.lists_of(campaign),
            "coverage": campaigns.coverage_summary(campaign),
            "chart": campaigns.coverage_chart(campaign),
            "can_manage": queries.can_manage(request.user),
            "generating": campaign.status in (CampaignStatus.PENDING, CampaignStatus.GENERATING),
        },
    )


@team_required
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the detail page polls while the lists are generated."""
    campaign = get_object_or_404(queries.campaigns(request.user), pk=pk)
    response = render(request, "intel_patterns/_progress.html", {"campaign": campaign})
    if campaign.status not in (CampaignStatus.PENDING, CampaignStatus.GENERATING):
        response["HX-Refresh"] = "true"
    return response


@team_required
def campaign_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every list of the campaign in one CSV."""
    campaign = get_object_or_404(queries.campaigns(request.user), pk=pk)
    audit.record(request.user, Action.EXPORT, campaign)
    name = f"{campaign.family}_{campaign.start_date}_{campaign.end_date}_all.csv"
    return _csv_response(campaigns.campaign_csv(campaign), name)


@require_POST
@staff_required
def campaign_send(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Staff send every unsent list to its registry's 24x7 contacts."""
    campaign = get_object_or_404(queries.campaigns(request.user), pk=pk)
    try:
        result = sending.send_campaign(campaign, by=request.user)
    except InvalidInput as error:
        messages.error(request, error.problem)
    else:
        messages.success(request, _("%(count)d e-mails queued.") % {"count": result["emails"]})
        for problem in result["skipped"]:
            messages.warning(request, problem)
    return redirect("intel_patterns:campaign", pk=campaign.pk)


# --- registry lists ------------------------------------------------------------------------


def _list(request: HttpRequest, pk: int) -> RegistryList:
    return get_object_or_404(queries.registry_lists(request.user), pk=pk)


@signin_required
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One registry's list: size, status, acknowledgement, coverage, a preview of the rows."""
    registry_list = _list(request, pk)
    audit.record_read(request.user, registry_list)
    return render(
        request,
        "intel_patterns/list_detail.html",
        {
            "list": registry_list,
            "campaign": registry_list.campaign,
            "preview": _preview(registry_list),
            "can_answer": queries.can_answer(request.user, registry_list),
            "can_manage": queries.can_manage(request.user),
            "coverage_form": CoverageForm(initial={"covered_count": registry_list.covered_count}),
        },
    )


def _preview(registry_list: RegistryList, limit: int = 20) -> list[tuple[str, str]]:
    rows = blobs.iter_rows(registry_list.rows)
    return [row for _index, row in zip(range(limit), rows, strict=False)]


@signin_required
def list_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """One registry's list as CSV (date, domain, tld, family)."""
    registry_list = _list(request, pk)
    audit.record(request.user, Action.EXPORT, registry_list)
    return _csv_response(campaigns.list_csv(registry_list), campaigns.csv_filename(registry_list))


@require_POST
@staff_required
def list_send(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Staff send (or send again) one list."""
    registry_list = _list(request, pk)
    try:
        count = sending.send_list(registry_list, by=request.user)
    except InvalidInput as error:
        messages.error(request, error.problem)
    else:
        messages.success(request, _("%(count)d e-mails queued.") % {"count": count})
    return redirect("intel_patterns:campaign", pk=registry_list.campaign_id)


def _via(request: HttpRequest) -> str:
    return AcknowledgedVia.STAFF if queries.can_manage(request.user) else AcknowledgedVia.PORTAL


@require_POST
@signin_required
def list_acknowledge(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Staff mark a list acknowledged, or a member acknowledges their own list."""
    registry_list = _list(request, pk)
    if not queries.can_answer(request.user, registry_list):
        raise PermissionDenied(_("You may not acknowledge this list."))
    try:
        campaigns.acknowledge(registry_list, by=request.user, via=_via(request))
    except InvalidInput as error:
        messages.error(request, error.problem)
    else:
        messages.success(request, _("List acknowledged."))
    return redirect("intel_patterns:list", pk=registry_list.pk)


@require_POST
@signin_required
def list_coverage(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Staff or the registry's member record how many of the list's domains are covered."""
    registry_list = _list(request, pk)
    if not queries.can_answer(request.user, registry_list):
        raise PermissionDenied(_("You may not report coverage for this list."))
    form = CoverageForm(request.POST)
    if form.is_valid():
        try:
            campaigns.report_coverage(
                registry_list,
                covered=form.cleaned_data["covered_count"],
                note=form.cleaned_data["note"],
                by=request.user,
                via=_via(request),
            )
        except InvalidInput as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Coverage recorded."))
            return redirect("intel_patterns:list", pk=registry_list.pk)
    return render(
        request,
        "intel_patterns/list_detail.html",
        {
            "list": registry_list,
            "campaign": registry_list.campaign,
            "preview": _preview(registry_list),
            "can_answer": True,
            "can_manage": queries.can_manage(request.user),
            "coverage_form": form,
        },
        status=400,
    )


def acknowledge_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the e-mail: no sign-in; the token is the registry's proof of receipt.

    GET shows the list and asks for confirmation (mail scanners that follow links do not
    acknowledge anything); POST acknowledges, and records coverage when a number is given.
    """
    registry_list = campaigns.list_for_token(token)
    if registry_list is None:
        raise Http404(_("This acknowledgement link is unknown."))
    form = CoverageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = _answer_by_token(request, registry_list, form)
    return render(
        request,
        "intel_patterns/acknowledge.html",
        {"list": registry_list, "campaign": registry_list.campaign, "form": form},
        status=status,
    )


def _answer_by_token(request: HttpRequest, registry_list: RegistryList, form: CoverageForm) -> int:
    if not request.POST.get("covered_count", "").strip():
        campaigns.acknowledge(registry_list, by=request.user, via=AcknowledgedVia.LINK)
        messages.success(request, _("Thank you: receipt acknowledged."))
        return 200
    if not form.is_valid():
        return 400
    try:
        campaigns.report_coverage(
            registry_list,
            covered=form.cleaned_data["covered_count"],
            note=form.cleaned_data["note"],
            by=request.user,
            via=AcknowledgedVia.LINK,
        )
    except InvalidInput as error:
        _form_error(form, error)
        return 400
    messages.success(request, _("Thank you: coverage recorded."))
    return 200


@signin_required
def mine(request: HttpRequest) -> HttpResponseBase:
    """A member's blocking lists and hand-overs; the team goes to the campaign list."""
    if queries.is_team(request.user):
        return redirect("intel_patterns:campaigns")
    return render(
        request,
        "intel_patterns/mine.html",
        {
            "lists": queries.registry_lists(request.user).order_by("-sent_at")[:200],
            "alerts": queries.alerts(request.user).order_by("-created_at")[:200],
        },
    )


# --- concentration -------------------------------------------------------------------------


@team_required
def concentration_view(request: HttpRequest) -> HttpResponse:
    """Per registrar and per TLD: counts, rates, shares, baseline and jump over a window."""
    form = ConcentrationForm(request.GET or None)
    window = _window(form)
    context: dict[str, Any] = {"form": form, "window": window}
    if window is not None:
        registrars = concentration.figures(window, "registrar")
        context.update(
            registrars=registrars,
            tlds=concentration.figures(window, "tld"),
            chart=registrars.chart(),
            categories=concentration.categories(window),
            query=urlencode([(k, v) for k, v in request.GET.items() if v]),
        )
    return render(request, "intel_patterns/concentration.html", context)


def _window(form: ConcentrationForm) -> concentration.Window | None:
    if form.is_bound and not form.is_valid():
        return None
    data = form.cleaned_data if form.is_bound else {}
    try:
        return concentration.make_window(
            last_day=data.get("last_day"),
            days=data.get("days"),
            baseline_days=data.get("baseline_days"),
            category=data.get("category") or "",
        )
    except InvalidInput as error:
        _form_error(form, error)
        return None


@team_required
def concentration_csv(request: HttpRequest, dimension: str) -> HttpResponseBase:
    """The concentration table of one dimension as CSV, for the window in the query."""
    if dimension not in ("registrar", "tld"):
        raise Http404(_("Unknown dimension."))
    form = ConcentrationForm(request.GET or None)
    window = _window(form)
    if window is None:
        return HttpResponse(str(form.errors.as_text()), status=400, content_type="text/plain")
    result = concentration.figures(window, dimension)
    lines = [campaigns.csv_line(concentration.Row.columns())]
    lines += [
        campaigns.csv_line(str(v if v is not None else "") for v in row.as_dict().values())
        for row in result.rows
    ]
    return _csv_response(lines, f"concentration_{dimension}_{window.start}_{window.last_day}.csv")


# --- alerts --------------------------------------------------------------------------------


@signin_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """Concentration alerts: all for the team, the hand-overs to their organisation for members."""
    alert_filter = AlertFilter(request.GET, queryset=queries.alerts(request.user))
    return render(
        request,
        "intel_patterns/alert_list.html",
        {
            "filter": alert_filter,
            "page": _page(request, alert_filter.qs),
            "query": _query_without_page(request),
        },
    )


def _alert(request: HttpRequest, pk: int) -> ConcentrationAlert:
    return get_object_or_404(queries.alerts(request.user), pk=pk)


@signin_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One alert: its figures, a preview of the domain list, export, hand-over and dismissal."""
    alert = _alert(request, pk)
    audit.record_read(request.user, alert)
    full = ConcentrationAlert.objects.only("domains_csv").get(pk=alert.pk)
    preview = [line.split(",") for line in full.domains_csv.splitlines()[:21]]
    return render(
        request,
        "intel_patterns/alert_detail.html",
        {
            "alert": alert,
            "figures": alert.details.get("figures", {}),
            "preview_header": preview[0] if preview else [],
            "preview": preview[1:],
            "can_manage": queries.can_manage(request.user),
            "dismiss_form": DismissForm(),
        },
    )


@signin_required
def alert_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The alert's domain list as CSV."""
    alert = _alert(request, pk)
    full = ConcentrationAlert.objects.only("domains_csv").get(pk=alert.pk)
    audit.record(request.user, Action.EXPORT, alert)
    response = HttpResponse(full.domains_csv, content_type="text/csv")
    name = f"concentration_{alert.dimension}_{alert.key}_{alert.window_start}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@staff_required
def alert_hand_over(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Staff approve the alert: the domain list goes to the organisation's 24x7 contacts."""
    alert = _alert(request, pk)
    try:
        count = sending.hand_over(alert, by=request.user)
    except InvalidInput as error:
        messages.error(request, error.problem)
    else:
        messages.success(request, _("%(count)d e-mails queued.") % {"count": count})
    return redirect("intel_patterns:alert", pk=alert.pk)


@require_POST
@staff_required
def alert_dismiss(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Staff dismiss the alert."""
    alert = _alert(request, pk)
    form = DismissForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        alerts.dismiss(alert, by=request.user, note=note)
    except InvalidInput as error:
        messages.error(request, error.problem)
    else:
        messages.success(request, _("Alert dismissed."))
    return redirect("intel_patterns:alert", pk=alert.pk)
