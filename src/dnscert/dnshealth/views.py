"""Web pages of DNS health: the status grid, a zone's page, problems, delegation changes,
planned change windows, monitoring targets, and the public status page.

Views are thin: every object comes through :mod:`dnscert.dnshealth.queries` (the scoping
rule), every change through a service function. Staff and responders see every zone;
constituent members their own organisation's zones; the public only ``/status/``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import signin_required, staff_required
from dnscert.dnshealth import charts, planned, queries, watch
from dnscert.dnshealth.choices import HealthStatus, TargetKind
from dnscert.dnshealth.filters import DelegationChangeFilter, SignalFilter, TargetFilter
from dnscert.dnshealth.forms import GridFilterForm, PlannedChangeForm, ScheduleForm
from dnscert.dnshealth.targets import update_schedule

GRID_PAGE_SIZE = 200
LIST_PAGE_SIZE = 50
#: Chart windows offered on the zone page, in hours.
CHART_HOURS = (6, 24, 48, 168, 720)
DEFAULT_CHART_HOURS = 48


def _page(request: HttpRequest, rows: QuerySet[Any], size: int = LIST_PAGE_SIZE) -> Page:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    return urlencode(
        [(key, value) for key, value in request.GET.items() if key != "page" and value]
    )


# --- the status grid -----------------------------------------------------------------------


@signin_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The at-a-glance grid of zone status, worst first, searchable and filterable."""
    organisations = _organisation_choices(request)
    form = GridFilterForm(request.GET or None, organisations=organisations)
    wanted = form.grid_filter()
    targets = queries.grid_targets(request.user, wanted)
    page = _page(request, targets, GRID_PAGE_SIZE)
    return render(
        request,
        "dnshealth/dashboard.html",
        {
            "form": form,
            "status_cards": _status_cards(_counts_any_status(request, wanted)),
            "page": page,
            "tiles": grid_tiles(page),
            "organisation_choices": [("", _("any")), *organisations] if organisations else [],
            "organisation": wanted.organisation,
            "query": _query_without_page(request),
        },
    )


@dataclass(frozen=True)
class Tile:
    """One zone of the status grid, ready to print (no per-tile lookups in the template)."""

    name: str
    status: str
    label: str
    worst_level: str
    organisation: str
    url: str


def grid_tiles(page: Page) -> list[Tile]:
    """The page's zones as tiles; the zone URL is built from one reversed prefix."""
    prefix = reverse("dnshealth:zone", args=["_"])[:-2]
    labels = {status.value: str(status.label) for status in HealthStatus}
    return [
        Tile(
            name=target.name,
            status=target.status,
            label=labels.get(target.status, target.status),
            worst_level=target.worst_level,
            organisation=target.organisation.name,
            url=f"{prefix}{queries.url_name(target.name)}/",
        )
        for target in page
    ]


def _counts_any_status(request: HttpRequest, wanted: queries.GridFilter) -> dict[str, int]:
    """Status counts under the other filters, so every card stays clickable."""
    targets = queries.grid_targets(request.user, replace(wanted, status=""))
    return queries.status_counts(targets.order_by())


def _status_cards(counts: dict[str, int]) -> list[dict[str, Any]]:
    order = [HealthStatus.RED, HealthStatus.AMBER, HealthStatus.GREEN, HealthStatus.GREY]
    return [{"status": s.value, "label": s.label, "count": counts[s.value]} for s in order]


def _organisation_choices(request: HttpRequest) -> list[tuple[str, str]]:
    if not queries.sees_all_zones(request.user):
        return []
    organisations = queries.visible_organisations(request.user).order_by("name")
    return [(org.short_name, org.name) for org in organisations]


# --- one zone ------------------------------------------------------------------------------


@signin_required
def zone_detail(request: HttpRequest, name: str) -> HttpResponse:
    """One zone: latest messages by test case, charts, serials, delegation changes, signals."""
    target = queries.target_by_name(request.user, name)
    result = target.latest_result
    return render(
        request,
        "dnshealth/zone_detail.html",
        {
            "target": target,
            "result": result,
            "groups": queries.messages_by_test_case(result),
            "servers": charts.serial_propagation(result),
            "changes": queries.zone_changes(target),
            "signals": queries.open_signals(target),
            "history": queries.daily_history(target),
            "hours": _chart_hours(request),
            "hour_choices": CHART_HOURS,
            "can_check": target.is_zone,
            "can_plan": planned.can_plan_for(request.user, target),
        },
    )


def _chart_hours(request: HttpRequest) -> int:
    try:
        hours = int(request.GET.get("hours", DEFAULT_CHART_HOURS))
    except ValueError:
        return DEFAULT_CHART_HOURS
    return hours if hours in CHART_HOURS else DEFAULT_CHART_HOURS


CHARTS = {
    "status": charts.status_timeline,
    "latency-udp": lambda results: charts.latency(results, "udp"),
    "latency-tcp": lambda results: charts.latency(results, "tcp"),
    "serials": charts.serials,
}


@signin_required
def zone_chart(request: HttpRequest, name: str, chart: str) -> JsonResponse:
    """The JSON one chart of the zone page draws (status, latency-udp/-tcp, serials)."""
    if chart not in CHARTS:
        raise Http404(f"no chart called {chart}")
    target = queries.target_by_name(request.user, name)
    results = queries.recent_results(target, _chart_hours(request))
    return JsonResponse(CHARTS[chart](results))


# --- problems and delegation changes -------------------------------------------------------


@signin_required
def problems(request: HttpRequest) -> HttpResponse:
    """Open problems: open signals by severity then age, and the zones not green."""
    signal_filter = SignalFilter(request.GET, queryset=queries.open_problems(request.user))
    return render(
        request,
        "dnshealth/problems.html",
        {
            "filter": signal_filter,
            "page": _page(request, signal_filter.qs),
            "unhealthy": queries.unhealthy_targets(request.user)[:LIST_PAGE_SIZE],
            "query": _query_without_page(request),
            "now": timezone.now(),
        },
    )


@signin_required
def changes(request: HttpRequest) -> HttpResponse:
    """The delegation-change log with diffs, filterable; staff acknowledge changes here."""
    change_filter = DelegationChangeFilter(
        request.GET, queryset=queries.delegation_changes(request.user)
    )
    return render(
        request,
        "dnshealth/changes.html",
        {
            "filter": change_filter,
            "page": _page(request, change_filter.qs),
            "query": _query_without_page(request),
            "can_acknowledge": queries.can_edit_schedules(request.user),
        },
    )


@require_POST
@staff_required
def change_acknowledge(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Staff acknowledge a delegation change (it stays in the log, marked as seen)."""
    change = get_object_or_404(queries.delegation_changes(request.user), pk=pk)
    watch.acknowledge_change(change, request.user)
    messages.success(
        request, _("Delegation change of %(zone)s acknowledged.") % {"zone": change.target.name}
    )
    return redirect(_safe_next(request) or "dnshealth:changes")


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None


# --- planned change windows ----------------------------------------------------------------


@signin_required
def planned_changes(request: HttpRequest) -> HttpResponseBase:
    """Planned change windows; a member announces one for their own zone here."""
    zones = planned.plannable_targets(request.user)
    form = PlannedChangeForm(request.POST or None, zones=zones, initial=_initial_zone(request))
    if request.method == "POST" and form.is_valid():
        try:
            arguments = form.service_arguments()
            plan = watch.plan_change(arguments.pop("target"), request.user, **arguments)
        except InvalidInput as error:
            form.add_error(_form_field(form, error.field), error.problem)
        else:
            messages.success(
                request, _("Planned change for %(zone)s saved.") % {"zone": plan.target.name}
            )
            return redirect("dnshealth:planned")
    plans = queries.planned_changes(request.user)
    return render(
        request,
        "dnshealth/planned.html",
        {"form": form, "page": _page(request, plans), "can_plan": zones.exists()},
    )


def _initial_zone(request: HttpRequest) -> dict[str, str]:
    zone = request.GET.get("zone")
    return {"zone": queries.normalise_name(zone)} if zone else {}


def _form_field(form: Any, field: str) -> str | None:
    return field if field in form.fields else None


# --- monitoring targets --------------------------------------------------------------------


@signin_required
def targets(request: HttpRequest) -> HttpResponse:
    """Monitoring targets with their schedules; staff edit the schedules."""
    target_filter = TargetFilter(
        request.GET,
        queryset=queries.visible_targets(request.user)
        .select_related("organisation")
        .order_by("kind", "name"),
    )
    return render(
        request,
        "dnshealth/targets.html",
        {
            "filter": target_filter,
            "page": _page(request, target_filter.qs),
            "query": _query_without_page(request),
            "can_edit": queries.can_edit_schedules(request.user),
        },
    )


@signin_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A target by id (links in e-mails): the zone's page, or the targets list for a host."""
    target = get_object_or_404(queries.visible_targets(request.user), pk=pk)
    if target.is_zone:
        return redirect("dnshealth:zone", name=queries.url_name(target.name))
    return redirect(f"{reverse('dnshealth:targets')}?{urlencode({'q': target.name})}")


@staff_required
def target_schedule(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Staff change one target's schedule."""
    target = get_object_or_404(queries.visible_targets(request.user), pk=pk)
    form = ScheduleForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        try:
            update_schedule(target, request.user, **form.cleaned_data)
        except InvalidInput as error:
            form.add_error(_form_field(form, error.field), error.problem)
        else:
            messages.success(request, _("Schedule of %(name)s saved.") % {"name": target.name})
            return redirect("dnshealth:targets")
    return render(request, "dnshealth/target_schedule.html", {"form": form, "target": target})


# --- the public status page ----------------------------------------------------------------


@never_cache
def public_status(request: HttpRequest) -> HttpResponse:
    """Root and TLD health for everyone (TLP:CLEAR): status and server reachability only."""
    zones = queries.public_status()
    return render(
        request,
        "dnshealth/public_status.html",
        {
            "groups": [
                {"title": _("Root zone"), "zones": [z for z in zones if z.kind == TargetKind.ROOT]},
                {
                    "title": _("Top-level domains"),
                    "zones": [z for z in zones if z.kind == TargetKind.TLD],
                },
            ],
            "tlp": TLP.CLEAR,
        },
    )


@never_cache
def public_status_json(request: HttpRequest) -> JsonResponse:
    """``/status.json``: the public status page as JSON (TLP:CLEAR)."""
    zones = queries.public_status()
    return JsonResponse(
        {
            "tlp": TLP.CLEAR.label_text,
            "generated": timezone.now().isoformat(),
            "zones": [zone.to_dict() for zone in zones],
        }
    )
