"""Web pages of reachability drills.

Staff list, prepare, launch and close drills, follow the probes live, record phone answers
and export the results (CSV, JSON, PDF). Members see their own organisation's results of
closed drills (never a running drill: an unannounced drill would be spoilt). The response
page works with the token alone: GET shows a confirmation button (link-preview bots only
read), POST records the answer.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dnscert.core.choices import Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.pdf import pdf_response
from dnscert.core.permissions import role_required, staff_required
from dnscert.directory.drills import figures, reports, services, targets
from dnscert.directory.drills.choices import DrillStatus, ResponseVia
from dnscert.directory.drills.filters import DrillFilter, ProbeFilter
from dnscert.directory.drills.forms import DrillForm, PhoneAnswerForm
from dnscert.directory.drills.models import Drill, Probe

PAGE_SIZE = 50
member_required = role_required(Role.MEMBER)


# --- staff: list and create --------------------------------------------------------------------


@staff_required
def drill_list(request: HttpRequest) -> HttpResponse:
    """Drills with search and filters, and the trend over past drills."""
    drill_filter = DrillFilter(request.GET, queryset=Drill.objects.all())
    rows = Paginator(drill_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "drills/list.html",
        {
            "filter": drill_filter,
            "page": rows,
            "query": query.urlencode(),
            "trend": figures.trend(),
        },
    )


@staff_required
def drill_create(request: HttpRequest) -> HttpResponseBase:
    """Prepare a drill (a draft: nothing is sent until it is launched)."""
    form = DrillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            drill = services.create_drill(request.user, **form.cleaned_data)
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.problem)
        else:
            messages.success(request, _("Drill %(ref)s prepared.") % {"ref": drill.reference})
            return redirect("drills:detail", pk=drill.pk)
    return render(request, "drills/form.html", {"form": form}, status=400 if form.errors else 200)


# --- staff: one drill ------------------------------------------------------------------------


def _probe_context(request: HttpRequest, drill: Drill) -> dict[str, Any]:
    probe_filter = ProbeFilter(request.GET, queryset=reports.probes_of(drill))
    return {"drill": drill, "probe_filter": probe_filter, "probes": probe_filter.qs}


@staff_required
def drill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A drill: its targets, figures, answer-time chart and the live table of probes."""
    drill = get_object_or_404(Drill, pk=pk)
    context = _probe_context(request, drill)
    result = figures.figures_of(context["probes"])
    context.update(
        {
            "figures": result,
            "chart": {"labels": result.histogram_labels, "counts": result.histogram},
            "trend": figures.trend(),
            "targets": targets.target_contacts(drill)
            if drill.status == DrillStatus.DRAFT
            else None,
            "organisations": drill.organisations.order_by("name"),
            "query": request.GET.urlencode(),
        }
    )
    return render(request, "drills/detail.html", context)


@staff_required
def drill_probes(request: HttpRequest, pk: int) -> HttpResponse:
    """The probes table alone: the drill page refreshes it while the drill runs."""
    drill = get_object_or_404(Drill, pk=pk)
    context = _probe_context(request, drill)
    context.update(
        {"figures": figures.figures_of(context["probes"]), "query": request.GET.urlencode()}
    )
    return render(request, "drills/_live.html", context)


def _act(request: HttpRequest, action: Any, drill: Drill, done: str) -> HttpResponseBase:
    try:
        action(request.user, drill)
    except InvalidInput as error:
        messages.error(request, error.problem)
    else:
        messages.success(request, done % {"ref": drill.reference})
    return redirect("drills:detail", pk=drill.pk)


@require_POST
@staff_required
def drill_launch(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Send the drill messages now."""
    drill = get_object_or_404(Drill, pk=pk)
    return _act(request, services.launch_drill, drill, _("Drill %(ref)s launched."))


@require_POST
@staff_required
def drill_close(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Close the drill and fix the outcomes."""
    drill = get_object_or_404(Drill, pk=pk)
    return _act(request, services.close_drill, drill, _("Drill %(ref)s closed."))


@require_POST
@staff_required
def probe_phone(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Record that a contact answered by phone."""
    probe = get_object_or_404(Probe.objects.select_related("drill"), pk=pk)
    form = PhoneAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid date and time."))
    else:
        try:
            services.record_phone_answer(request.user, probe, at=form.cleaned_at())
        except InvalidInput as error:
            messages.error(request, error.problem)
        else:
            messages.success(
                request, _("Answer of %(name)s recorded.") % {"name": probe.contact_name}
            )
    return redirect("drills:detail", pk=probe.drill.pk)


# --- staff: exports --------------------------------------------------------------------------


def _download(content: str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_required
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The drill's probes as CSV."""
    drill = get_object_or_404(Drill, pk=pk)
    text = reports.results_csv(reports.probes_of(drill))
    return _download(text, "text/csv; charset=utf-8", reports.filename(drill, "csv"))


@staff_required
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The drill, its figures and its probes as JSON."""
    drill = get_object_or_404(Drill, pk=pk)
    text = json.dumps(reports.results_document(drill), indent=2, ensure_ascii=False)
    return _download(text, "application/json", reports.filename(drill, "json"))


@staff_required
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The drill report as PDF."""
    drill = get_object_or_404(Drill, pk=pk)
    return pdf_response(reports.report_pdf(drill), reports.filename(drill, "pdf"))


@staff_required
def trend_json(request: HttpRequest) -> JsonResponse:
    """The trend over past drills (the list page's chart reads the same figures)."""
    return JsonResponse({"trend": figures.trend()})


# --- members ---------------------------------------------------------------------------------


@member_required
def mine(request: HttpRequest) -> HttpResponse:
    """The member's own organisation's probes in closed drills, with their figures."""
    organisation_id = getattr(request.user, "organisation_id", None)
    if organisation_id is None:
        raise PermissionDenied(_("Your account belongs to no organisation."))
    probes = (
        Probe.objects.filter(organisation_id=organisation_id, drill__status=DrillStatus.CLOSED)
        .select_related("drill")
        .order_by("-drill__launched_at", "contact_name", "id")
    )
    return render(
        request, "drills/mine.html", {"probes": probes, "figures": figures.figures_of(probes)}
    )


# --- public: the response link ---------------------------------------------------------------


def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's link: GET asks for confirmation, POST records the answer (token alone).

    The page speaks the language the message was written in.
    """
    probe = services.probe_by_token(token)
    if probe is None:
        raise Http404("no drill message with this token")
    error = ""
    if request.method == "POST" and probe.responded_at is None:
        try:
            probe = services.respond(probe, via=ResponseVia.LINK)
        except InvalidInput as problem:
            error = problem.problem
    with translation.override(probe.language):
        return render(
            request,
            "drills/respond.html",
            {"probe": probe, "drill": probe.drill, "error": error},
            status=409 if error else 200,
        )
