"""Web pages of the intake: the public and constituent report forms, the staff queue,
a report's page with its raw content and attachments, and the triage actions.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dnscert.core import audit
from dnscert.core.choices import Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.http_client import client_ip
from dnscert.core.permissions import role_required, signin_required
from dnscert.core.visibility import is_core_staff, is_signed_in
from dnscert.delivery import pgp
from dnscert.delivery.services import messages_about
from dnscert.incidents.intake import queries, services, triage
from dnscert.incidents.intake.choices import Channel
from dnscert.incidents.intake.filters import OPEN, ReportFilter
from dnscert.incidents.intake.forms import (
    AttachForm,
    CreateIncidentForm,
    DuplicateForm,
    MemberReportForm,
    PublicReportForm,
    RejectForm,
)
from dnscert.incidents.intake.models import RAW_JSON, Report, ReportAttachment
from dnscert.incidents.models import Incident

PAGE_SIZE = 50
LAST_REFERENCE = "intake_last_reference"
CSV_FIELDS = (
    "reference",
    "received_at",
    "channel",
    "status",
    "pgp_status",
    "reporter_email",
    "subject",
    "incident",
)

triage_required = role_required(*queries.TRIAGE_ROLES)


def _language() -> str:
    return (get_language() or "en")[:2]


# --- reporting ----------------------------------------------------------------------------------


def report_form(request: HttpRequest) -> HttpResponseBase:
    """The public report form: no sign-in, rate-limited per address, with a honeypot."""
    if is_signed_in(request.user):
        return redirect("intake:member-report")
    form = PublicReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_bot():
            form.add_error(None, _("This submission looks automated and was not accepted."))
            status = 400
        else:
            fields = {
                key: form.cleaned_data[key]
                for key in ("subject", "body", "reporter_name", "reporter_email")
            }
            submitted = _submit(request, form, Channel.PUBLIC_FORM, user=request.user, **fields)
            if isinstance(submitted, Report):
                return _thanks(request, submitted)
            status = submitted
    elif request.method == "POST":
        status = 400
    context = {"form": form, "public_key_url": "intake:public-key"}
    return render(request, "intake/report_form.html", context, status=status)


@signin_required
def member_report_form(request: HttpRequest) -> HttpResponseBase:
    """The constituent report form: the member's name, e-mail and organisation are filled in."""
    user: Any = request.user
    form = MemberReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        submitted = _submit(
            request,
            form,
            Channel.MEMBER_FORM,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            reporter_name=user.get_full_name() or user.get_username(),
            reporter_email=user.email,
            organisation=user.organisation,
            user=user,
        )
        if isinstance(submitted, Report):
            return _thanks(request, submitted)
        status = submitted
    elif request.method == "POST":
        status = 400
    context = {"form": form, "organisation": user.organisation, "member": True}
    return render(request, "intake/report_form.html", context, status=status)


def _submit(
    request: HttpRequest, form: PublicReportForm | MemberReportForm, channel: str, **fields: Any
) -> Report | int:
    """The stored report, or the HTTP status of the refusal (the error is on the form)."""
    try:
        return services.submit_report(
            channel=channel,
            uploads=form.uploads(),
            language=_language(),
            source_ip=client_ip(request),
            **fields,
        )
    except services.RateLimited as limited:
        minutes = max(1, round(limited.retry_after / 60))
        form.add_error(
            None,
            _(
                "Too many reports from your address. Please try again in %(minutes)s minutes, "
                "or write to us by e-mail."
            )
            % {"minutes": minutes},
        )
        return 429
    except InvalidInput as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.problem)
        return 400


def _thanks(request: HttpRequest, report: Report) -> HttpResponseBase:
    request.session[LAST_REFERENCE] = report.reference
    return redirect("intake:thanks")


def thanks(request: HttpRequest) -> HttpResponse:
    """The confirmation page, showing the reference of the report just submitted."""
    reference = request.session.get(LAST_REFERENCE)
    report = Report.objects.filter(reference=reference).first() if reference else None
    return render(request, "intake/thanks.html", {"report": report})


def public_key(request: HttpRequest) -> HttpResponse:
    """The platform's public PGP key, to encrypt reports to."""
    response = HttpResponse(pgp.public_key(), content_type="application/pgp-keys")
    response["Content-Disposition"] = 'inline; filename="dnscert-public-key.asc"'
    return response


# --- the staff queue ----------------------------------------------------------------------------


@triage_required
def queue(request: HttpRequest) -> HttpResponseBase:
    """Reports waiting for triage, searchable and filterable; unparsed ones stand out."""
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = OPEN
    found = ReportFilter(data, queryset=queries.queue(request.user))
    rows = found.qs.prefetch_related("attachments")
    if request.GET.get("format") == "csv":
        return _csv(request, rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in data.items() if k != "page" and v])
    context = {"filter": found, "page": page, "query": query}
    return render(request, "intake/queue.html", context)


def _csv(request: HttpRequest, rows: Any) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="intake-reports.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_FIELDS)
    for report in rows[:10_000]:
        incident = report.incident.reference if report.incident else ""
        writer.writerow(
            [
                report.reference,
                report.received_at.isoformat(),
                report.channel,
                report.status,
                report.pgp_status,
                report.reporter_email,
                report.subject,
                incident,
            ]
        )
    audit.record(request.user, audit.Action.EXPORT, None, object_repr="intake reports (CSV)")
    return response


def _report(request: HttpRequest, reference: str) -> Report:
    return get_object_or_404(queries.queue(request.user), reference=reference)


@triage_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One report: content, PGP verdict, attachments, delivery of the acknowledgement, actions."""
    report = _report(request, reference)
    context = {
        "report": report,
        "attachments": report.attachments.all(),
        "acks": messages_about(report),
        "create_form": CreateIncidentForm(
            initial={"title": report.subject[:200], "summary": report.body[:2000]}
        ),
        "attach_form": AttachForm(),
        "reject_form": RejectForm(),
        "duplicate_form": DuplicateForm(),
        "is_staff": is_core_staff(request.user),
    }
    return render(request, "intake/detail.html", context)


@triage_required
def raw(request: HttpRequest, reference: str) -> HttpResponse:
    """The raw content exactly as received (an .eml message or the submitted JSON)."""
    report = _report(request, reference)
    extension = "json" if report.raw_format == RAW_JSON else "eml"
    response = HttpResponse(report.raw_bytes, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{report.reference}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    audit.record(request.user, audit.Action.EXPORT, report, changes={"raw": extension})
    return response


@triage_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment, always as a download (never rendered by the browser)."""
    item = get_object_or_404(
        ReportAttachment.objects.filter(report__in=queries.queue(request.user)), pk=pk
    )
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    audit.record(request.user, audit.Action.EXPORT, item.report, changes={"file": item.sha256})
    return response


# --- triage actions -----------------------------------------------------------------------------


def _done(request: HttpRequest, report: Report, text: str) -> HttpResponseBase:
    messages.success(request, text)
    return redirect("intake:detail", reference=report.reference)


def _refused(request: HttpRequest, report: Report, error: InvalidInput | str) -> HttpResponseBase:
    text = f"{error.field}: {error.problem}" if isinstance(error, InvalidInput) else error
    messages.error(request, text)
    return redirect("intake:detail", reference=report.reference)


def _form_errors(form: Any) -> str:
    return "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())


@require_POST
@role_required(Role.STAFF)
def create_incident(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Open an incident from the report (staff)."""
    report = _report(request, reference)
    form = CreateIncidentForm(request.POST)
    if not form.is_valid():
        return _refused(request, report, _form_errors(form))
    try:
        incident = triage.create_incident_from_report(report, by=request.user, **form.cleaned_data)
    except InvalidInput as error:
        return _refused(request, report, error)
    return _done(request, report, _("Incident %s opened from this report.") % incident.reference)


@require_POST
@role_required(Role.STAFF)
def create_case(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Open a vulnerability case from the report (staff)."""
    from dnscert.vulns.forms import CreateCaseFromReportForm

    report = _report(request, reference)
    form = CreateCaseFromReportForm(request.POST)
    if not form.is_valid():
        return _refused(request, report, _form_errors(form))
    try:
        case = triage.create_case_from_report(report, by=request.user, **form.cleaned_data)
    except InvalidInput as error:
        return _refused(request, report, error)
    messages.success(request, _("Vulnerability case %s opened from this report.") % case.reference)
    return redirect(case.get_absolute_url())


@require_POST
@triage_required
def attach(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Attach the report to an existing incident."""
    report = _report(request, reference)
    form = AttachForm(request.POST)
    if not form.is_valid():
        return _refused(request, report, _form_errors(form))
    wanted = form.cleaned_data["incident"].strip().upper()
    incident = Incident.objects.filter(reference=wanted).first()
    if incident is None:
        return _refused(request, report, InvalidInput("incident", f"no incident {wanted}"))
    try:
        triage.attach_to_incident(report, incident, by=request.user)
    except InvalidInput as error:
        return _refused(request, report, error)
    return _done(request, report, _("Report added to incident %s.") % incident.reference)


@require_POST
@triage_required
def reject(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Reject the report with a reason."""
    report = _report(request, reference)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _refused(request, report, _form_errors(form))
    try:
        triage.reject_report(report, by=request.user, reason=form.cleaned_data["reason"])
    except InvalidInput as error:
        return _refused(request, report, error)
    return _done(request, report, _("Report rejected."))


@require_POST
@triage_required
def duplicate(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Mark the report as a duplicate of another report."""
    report = _report(request, reference)
    form = DuplicateForm(request.POST)
    if not form.is_valid():
        return _refused(request, report, _form_errors(form))
    wanted = form.cleaned_data["original"].strip().upper()
    original = queries.queue(request.user).filter(reference=wanted).first()
    if original is None:
        return _refused(request, report, InvalidInput("original", f"no report {wanted}"))
    try:
        triage.mark_duplicate(report, original, by=request.user)
    except InvalidInput as error:
        return _refused(request, report, error)
    return _done(request, report, _("Report marked as a duplicate of %s.") % original.reference)
