"""Web pages of on-call: overview (who is on call now), rotas with their week calendar and
shift editor, escalation policies, the coverage heat map, pages and acknowledgement.

Staff and responders see these pages; staff edit rotas and policies, responders their own
shifts. The acknowledgement link works with its token alone.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dnscert.core.choices import Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import role_required, staff_required
from dnscert.core.visibility import is_core_staff
from dnscert.delivery.services import messages_about
from dnscert.directory.oncall import coverage, rotas, services, weekview
from dnscert.directory.oncall.choices import AckVia
from dnscert.directory.oncall.filters import PageFilter
from dnscert.directory.oncall.forms import (
    CoverageForm,
    PatternForm,
    PolicyForm,
    RotaForm,
    ShiftForm,
    team_members,
)
from dnscert.directory.oncall.models import EscalationPolicy, Page, Rota, Shift, ShiftPattern

team_required = role_required(Role.STAFF, Role.RESPONDER)
PAGE_SIZE = 50


def _form_error(form: Any, error: InvalidInput) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.problem)


def _responder_choices(user: Any) -> Any:
    members = team_members()
    return members if is_core_staff(user) else members.filter(pk=user.pk)


# --- overview ---------------------------------------------------------------------------------


@team_required
def overview(request: HttpRequest) -> HttpResponse:
    """Who is on call now, in each rota, with their local time; open pages; the rotas."""
    now = timezone.now()
    all_rotas = Rota.objects.select_related("policy").order_by("kind", "name")
    per_rota = [
        {"rota": rota, "people": _with_local_time(services.on_call_in(rota, now), now)}
        for rota in all_rotas
    ]
    waiting = services.visible_pages(request.user).filter(status__in=services.WAITING_STATES)
    return render(
        request,
        "oncall/overview.html",
        {
            "now": now,
            "on_call": _with_local_time(services.on_call_now(now), now),
            "per_rota": per_rota,
            "waiting": waiting[:20],
            "is_staff": is_core_staff(request.user),
            "viewer_zone": weekview.user_zone(request.user),
        },
    )


def _with_local_time(users: list[Any], now: Any) -> list[dict[str, Any]]:
    return [{"user": u, "local": now, "zone": str(weekview.user_zone(u))} for u in users]


# --- rotas ------------------------------------------------------------------------------------


def _week(request: HttpRequest) -> date:
    wanted = parse_date(request.GET.get("week") or "")
    today = timezone.now().astimezone(weekview.user_zone(request.user)).date()
    return rotas.week_start(wanted or today)


@team_required
def rota_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A rota: the week calendar in the viewer's time zone, shifts, patterns, the editors."""
    rota = get_object_or_404(Rota.objects.select_related("policy"), pk=pk)
    return _render_rota(request, rota)


def _render_rota(
    request: HttpRequest,
    rota: Rota,
    shift_form: ShiftForm | None = None,
    pattern_form: PatternForm | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = weekview.user_zone(request.user)
    monday = _week(request)
    responders = _responder_choices(request.user)
    initial = {"time_zone": str(viewer), "responder": request.user.pk}
    patterns = rota.patterns.select_related("responder").order_by("responder__username")
    days = weekview.week(rota, monday, viewer)
    context = {
        "rota": rota,
        "days": days,
        "monday": monday,
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "viewer_zone": viewer,
        "shifts": sorted(
            {v.shift.pk: v for d in days for v in d.shifts}.values(), key=lambda v: v.start
        ),
        "patterns": patterns,
        "shift_form": shift_form or ShiftForm(responders=responders, initial=initial),
        "pattern_form": pattern_form
        or PatternForm(responders=responders, initial={"responder": request.user.pk}),
        "can_edit": responders.exists(),
        "is_staff": is_core_staff(request.user),
        "on_call": services.on_call_in(rota),
    }
    return render(request, "oncall/rota_detail.html", context, status=status)


def _unique_shifts(days: list[weekview.Day]) -> list[weekview.ShiftView]:
    unique = {view.shift.pk: view for day in days for view in day.shifts}
    return sorted(unique.values(), key=lambda view: view.start)


@staff_required
def rota_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    """Staff create or change a rota."""
    rota = get_object_or_404(Rota, pk=pk) if pk else None
    initial = _rota_initial(rota) if rota else {}
    form = RotaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rota = rotas.save_rota(rota, by=request.user, **_rota_values(form, rota))
        except InvalidInput as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Rota %(name)s saved.") % {"name": rota.name})
            return redirect("oncall:rota-detail", pk=rota.pk)
    return render(request, "oncall/form.html", {"form": form, "title": _rota_title(rota)})


def _rota_initial(rota: Rota) -> dict[str, Any]:
    return {name: getattr(rota, name) for name in rotas.ROTA_FIELDS if name != "webhook_secret"}


def _rota_values(form: RotaForm, rota: Rota | None) -> dict[str, Any]:
    """The form's values; an empty secret on an existing rota keeps the stored one."""
    values = dict(form.cleaned_data)
    if rota is not None and not values.get("webhook_secret"):
        values.pop("webhook_secret", None)
    return values


def _rota_title(rota: Rota | None) -> str:
    return _("Edit rota %(name)s") % {"name": rota.name} if rota else _("New rota")


@require_POST
@team_required
def shift_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Add one shift (staff for anyone, a responder for themselves)."""
    rota = get_object_or_404(Rota.objects.select_related("policy"), pk=pk)
    form = ShiftForm(request.POST, responders=_responder_choices(request.user))
    if form.is_valid():
        try:
            rotas.add_shift(
                rota,
                responder=form.cleaned_data["responder"],
                start=form.aware("start"),
                end=form.aware("end"),
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except InvalidInput as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Shift added."))
            return redirect("oncall:rota-detail", pk=rota.pk)
    return _render_rota(request, rota, shift_form=form, status=400)


@require_POST
@team_required
def pattern_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Add a weekly pattern and plan its shifts."""
    rota = get_object_or_404(Rota.objects.select_related("policy"), pk=pk)
    form = PatternForm(request.POST, responders=_responder_choices(request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            pattern = rotas.add_pattern(rota, by=request.user, **data)
        except InvalidInput as error:
            _form_error(form, error)
        else:
            count = pattern.shifts.count()
            messages.success(
                request, _("Weekly pattern added: %(count)d shifts planned.") % {"count": count}
            )
            return redirect("oncall:rota-detail", pk=rota.pk)
    return _render_rota(request, rota, pattern_form=form, status=400)


@require_POST
@team_required
def shift_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Remove one shift (staff, or its own responder)."""
    shift = get_object_or_404(Shift.objects.select_related("rota", "responder"), pk=pk)
    rotas.remove_shift(shift, by=request.user)
    messages.success(request, _("Shift removed."))
    return redirect("oncall:rota-detail", pk=shift.rota.pk)


@require_POST
@team_required
def pattern_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Remove a weekly pattern and its future shifts."""
    pattern = get_object_or_404(ShiftPattern.objects.select_related("rota", "responder"), pk=pk)
    removed = rotas.remove_pattern(pattern, by=request.user)
    messages.success(
        request, _("Weekly pattern removed with %(count)d future shifts.") % {"count": removed}
    )
    return redirect("oncall:rota-detail", pk=pattern.rota.pk)


# --- policies ---------------------------------------------------------------------------------


@team_required
def policy_list(request: HttpRequest) -> HttpResponse:
    """Escalation policies and the rotas using them."""
    policies = EscalationPolicy.objects.select_related("backup_rota").prefetch_related(
        "backup_responders", Prefetch("rotas", queryset=Rota.objects.order_by("name"))
    )
    return render(
        request,
        "oncall/policies.html",
        {"policies": policies, "is_staff": is_core_staff(request.user)},
    )


@staff_required
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    """Staff create or change an escalation policy."""
    policy = get_object_or_404(EscalationPolicy, pk=pk) if pk else None
    form = PolicyForm(request.POST or None, initial=_policy_initial(policy))
    if request.method == "POST" and form.is_valid():
        try:
            policy = rotas.save_policy(policy, by=request.user, **form.cleaned_data)
        except InvalidInput as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Policy %(name)s saved.") % {"name": policy.name})
            return redirect("oncall:policy-list")
    title = _("Edit policy %(name)s") % {"name": policy.name} if policy else _("New policy")
    return render(request, "oncall/form.html", {"form": form, "title": title})


def _policy_initial(policy: EscalationPolicy | None) -> dict[str, Any]:
    if policy is None:
        return {}
    initial: dict[str, Any] = {name: getattr(policy, name) for name in rotas.POLICY_FIELDS}
    initial["backup_rota"] = policy.backup_rota_id
    initial["backup_responders"] = list(policy.backup_responders.values_list("pk", flat=True))
    return initial


# --- coverage ---------------------------------------------------------------------------------


@team_required
def coverage_view(request: HttpRequest) -> HttpResponse:
    """Every hour of the coming weeks nobody covers: a heat map (days x 24 hours) and a list."""
    form = CoverageForm(request.GET or None)
    weeks, rota = coverage.DEFAULT_WEEKS, None
    if form.is_valid():
        weeks = form.cleaned_data["weeks"] or coverage.DEFAULT_WEEKS
        rota = form.cleaned_data["rota"]
    viewer = weekview.user_zone(request.user)
    result = coverage.coverage(rota=rota, weeks=weeks)
    return render(
        request,
        "oncall/coverage.html",
        {
            "form": form,
            "result": result,
            "rows": coverage.heat_map(result, viewer),
            "hours": range(24),
            "viewer_zone": viewer,
            "rota": rota,
            "weeks": weeks,
        },
    )


# --- pages ------------------------------------------------------------------------------------


def _filtered_pages(request: HttpRequest) -> PageFilter:
    return PageFilter(request.GET, queryset=services.visible_pages(request.user))


@team_required
def page_list(request: HttpRequest) -> HttpResponse:
    """Pages: open, acknowledged, escalated, with the time each took to acknowledge."""
    page_filter = _filtered_pages(request)
    rows = Paginator(page_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "oncall/page_list.html",
        {"filter": page_filter, "page": rows, "query": query.urlencode()},
    )


@team_required
def page_export(request: HttpRequest) -> HttpResponse:
    """The filtered pages as CSV."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="oncall-pages.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "created_at",
            "subject",
            "severity",
            "reference",
            "level",
            "status",
            "nobody_on_call",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledged_via",
            "seconds_to_acknowledge",
        ]
    )
    for row in _filtered_pages(request).qs:
        waited = row.time_to_acknowledge
        writer.writerow(
            [
                row.pk,
                row.created_at.isoformat(),
                row.subject,
                row.severity,
                row.reference,
                row.level,
                row.status,
                row.nobody_on_call,
                row.acknowledged_at.isoformat() if row.acknowledged_at else "",
                row.acknowledged_by.get_username() if row.acknowledged_by else "",
                row.acknowledged_via,
                int(waited.total_seconds()) if waited else "",
            ]
        )
    return response


def _visible_page(request: HttpRequest, pk: int) -> Page:
    return get_object_or_404(services.visible_pages(request.user), pk=pk)


@team_required
def page_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One page: who was paged at which level, delivery status, acknowledgement."""
    page = _visible_page(request, pk)
    return render(
        request,
        "oncall/page_detail.html",
        {
            "page": page,
            "notifications": page.notifications.select_related("user"),
            "deliveries": messages_about(page).order_by("created_at"),
            "escalates_at": page.escalates_at(),
        },
    )


@require_POST
@team_required
def page_acknowledge(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Acknowledge a page from its page in the web UI."""
    page = services.acknowledge_page(_visible_page(request, pk), by=request.user, via=AckVia.WEB)
    messages.success(request, _("Page acknowledged."))
    return redirect("oncall:page-detail", pk=page.pk)


def ack_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the e-mail: GET asks for confirmation (link scanners only read), POST
    acknowledges. The token alone is enough; a signed-in user is recorded as who acknowledged.
    """
    page = services.page_by_token(token)
    if page is None:
        raise Http404("no page with this token")
    if request.method == "POST":
        page = services.acknowledge_page(page, by=request.user, via=AckVia.LINK)
    return render(request, "oncall/ack.html", {"page": page, "done": request.method == "POST"})
