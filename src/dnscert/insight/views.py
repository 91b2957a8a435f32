"""Web pages of insight: KPIs, the stakeholders' summary, after-action reports, feedback.

Views are thin: reports come through :mod:`dnscert.insight.queries` (the visibility rule),
figures from :mod:`dnscert.insight.kpis`, every change through a service function.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.core.pdf import pdf_response
from dnscert.core.permissions import signin_required, staff_required
from dnscert.core.visibility import is_core_staff
from dnscert.insight import export, feedback, kpis, queries, services
from dnscert.insight.display import report_context
from dnscert.insight.filters import FeedbackFilter, ReportFilter
from dnscert.insight.forms import LessonsForm, PeriodForm, SurveyForm

PAGE_SIZE = 50


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def csv_response(rows: Iterable[list[Any]], filename: str) -> HttpResponse:
    """A CSV download of ``rows``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow(row)
    return response


# --- KPIs ------------------------------------------------------------------------------------


def _figures(request: HttpRequest) -> tuple[PeriodForm, dict[str, Any] | None, str]:
    """The period form, the figures (None when the period is wrong) and the error text."""
    form = PeriodForm(request.GET or None)
    try:
        period = kpis.parse_period(**form.period_args())
    except InvalidInput as error:
        return form, None, str(error)
    if form.is_bound and not form.is_valid():
        return form, None, _("Check the dates of the period.")
    return form, kpis.compute(request.user, period), ""


def _kpi_page(request: HttpRequest, template: str) -> HttpResponse:
    form, figures, error = _figures(request)
    year, number = kpis.current_quarter()
    return render(
        request,
        template,
        {
            "form": form,
            "figures": figures,
            "error": error,
            "query": _query_without_page(request),
            "year": year,
            "quarter": number,
        },
        status=400 if error else 200,
    )


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The staff KPI page: every figure, per-organisation times, feedback, exports."""
    return _kpi_page(request, "insight/dashboard.html")


def summary(request: HttpRequest) -> HttpResponse:
    """Aggregate figures for stakeholders, counting only the incidents the visitor may see."""
    return _kpi_page(request, "insight/summary.html")


def kpi_csv(request: HttpRequest) -> HttpResponse:
    """The KPI figures of the period as CSV (what the visitor may see)."""
    _form, figures, error = _figures(request)
    if figures is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return csv_response(kpis.csv_rows(figures), f"dnscert-kpis-{timezone.now():%Y%m%d}.csv")


def quarterly_report(request: HttpRequest) -> HttpResponse:
    """The quarterly board report (TLP:CLEAR) as PDF: ``?year=2026&quarter=1``."""
    default_year, default_quarter = kpis.current_quarter()
    year = request.GET.get("year") or default_year
    number = request.GET.get("quarter") or default_quarter
    try:
        pdf = export.quarterly_pdf(request.user, year, number)
    except InvalidInput as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    return pdf_response(pdf, f"dnscert-quarterly-{year}-Q{number}.pdf")


# --- after-action reports --------------------------------------------------------------------


@signin_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The after-action reports the user may see, searchable and filterable."""
    rows = queries.visible_reports(request.user).order_by("-incident__created_at")
    report_filter = ReportFilter(request.GET, queryset=rows)
    return render(
        request,
        "insight/report_list.html",
        {
            "filter": report_filter,
            "page": _page(request, report_filter.qs),
            "query": _query_without_page(request),
        },
    )


@signin_required
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One incident's after-action report; staff edit the lessons, regenerate and export."""
    incident = queries.incident_for(request.user, reference)
    report = queries.visible_reports(request.user).filter(incident=incident).first()
    staff = is_core_staff(request.user)
    if report is None:
        if not staff:
            raise Http404("no after-action report for this incident")
        return render(request, "insight/report_missing.html", {"incident": incident})
    audit.record_read(request.user, report)
    context = report_context(report)
    if staff:
        context["form"] = LessonsForm(initial={n: getattr(report, n) for n in services.EDITABLE})
        context["answers"] = queries.feedback_answers(request.user).filter(
            participant__incident=incident
        )
        context["revisions"] = report.revisions.select_related("edited_by")[:20]
    context["staff"] = staff
    return render(request, "insight/report_detail.html", context)


@require_POST
@staff_required
def report_generate(request: HttpRequest, reference: str) -> HttpResponse:
    """Generate the report, or regenerate its facts keeping what staff wrote."""
    incident = queries.incident_for(request.user, reference)
    services.generate_report(incident, by=request.user)
    messages.success(request, _("The after-action report was generated from the timeline."))
    return redirect("insight:report", reference=reference)


@require_POST
@staff_required
def report_edit(request: HttpRequest, reference: str) -> HttpResponse:
    """Save the summary and the lessons learned."""
    report = queries.report_for(request.user, reference)
    form = LessonsForm(request.POST)
    if not form.is_valid():
        context = report_context(report)
        context.update({"form": form, "staff": True, "answers": [], "revisions": []})
        return render(request, "insight/report_detail.html", context, status=400)
    services.update_lessons(report, by=request.user, **form.cleaned_data)
    messages.success(request, _("The lessons learned were saved."))
    return redirect("insight:report", reference=reference)


@signin_required
def report_export(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    """The report as Markdown (``md``) or PDF (``pdf``)."""
    report = queries.report_for(request.user, reference)
    audit.record(request.user, audit.Action.EXPORT, report, changes={"format": fmt}, tlp=report.tlp)
    if fmt == "pdf":
        return pdf_response(export.report_pdf(report), export.report_filename(report, "pdf"))
    if fmt == "md":
        response = HttpResponse(
            export.report_markdown(report), content_type="text/markdown; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{export.report_filename(report, "md")}"'
        )
        return response
    raise Http404("unknown export format")


# --- feedback --------------------------------------------------------------------------------


@staff_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    """Every feedback answer, searchable; CSV with ``?format=csv``."""
    answers = FeedbackFilter(request.GET, queryset=queries.feedback_answers(request.user))
    if request.GET.get("format") == "csv":
        rows = (answer.as_row() for answer in answers.qs)
        header = [
            "incident",
            "organisation",
            "email",
            "useful",
            "timely",
            "comment",
            "submitted_at",
            "updated_at",
        ]
        lines = ([row[key] for key in header] for row in rows)
        return csv_response([header, *lines], f"dnscert-feedback-{timezone.now():%Y%m%d}.csv")
    return render(
        request,
        "insight/feedback_list.html",
        {
            "filter": answers,
            "page": _page(request, answers.qs),
            "query": _query_without_page(request),
        },
    )


@never_cache
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The feedback survey behind a personal link; no sign-in needed."""
    try:
        found = feedback.find_request(token)
    except InvalidInput as error:
        expired = "expired" in error.problem
        problem = (
            _("This survey link has expired.") if expired else _("This survey link is not valid.")
        )
        return render(
            request,
            "insight/survey_invalid.html",
            {"problem": problem},
            status=410 if expired else 404,
        )
    existing = getattr(found, "answer", None)
    if request.method != "POST":
        initial = (
            {"useful": existing.useful, "timely": existing.timely, "comment": existing.comment}
            if existing
            else None
        )
        return _survey_page(request, found, SurveyForm(initial=initial))
    form = SurveyForm(request.POST)
    if not form.is_valid():
        return _survey_page(request, found, form, status=400)
    feedback.submit_feedback(token, **form.cleaned_data)
    return render(request, "insight/survey_thanks.html", {"incident": found.participant.incident})


def _survey_page(
    request: HttpRequest, found: Any, form: SurveyForm, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "incident": found.participant.incident,
        "organisation": found.participant.organisation,
        "answered": hasattr(found, "answer"),
    }
    return render(request, "insight/survey.html", context, status=status)
