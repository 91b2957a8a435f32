"""Web pages of vulnerability coordination: case list and page, vendor portal, report form.

Views are thin: every case is looked up through :mod:`dnscert.vulns.scope` (404 when the user
may not open it), every change goes through a service. Actions are POST forms that redirect
back to the case page with a message naming any refused field.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dnscert.core import audit
from dnscert.core.choices import Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.http_client import client_ip
from dnscert.core.permissions import role_required, signin_required, staff_required
from dnscert.core.visibility import is_signed_in
from dnscert.incidents.intake import services as intake
from dnscert.incidents.intake.choices import Channel
from dnscert.incidents.intake.storage import Upload
from dnscert.vulns import embargo, forms, messaging, metrics, reports, scope, services
from dnscert.vulns.filters import CaseFilter, VendorFilter
from dnscert.vulns.models import (
    Case,
    CaseAttachment,
    CaseMessage,
    CaseProduct,
    CaseVendor,
    CveReservation,
    MessageView,
)

MESSAGES_PER_PAGE = 30
#: Vendors on the case page (the vendor list pages through all of them).
CASE_PAGE_VENDORS = 25
VENDORS_PER_PAGE = 50
CASES_PER_PAGE = 50
team_required = role_required(Role.STAFF, Role.RESPONDER)


def _page(request: HttpRequest, rows: Any, size: int, name: str = "page") -> Page:
    return Paginator(rows, size).get_page(request.GET.get(name))


def _case(request: HttpRequest, reference: str) -> Case:
    return scope.get_case_or_404(request.user, reference)


def _back(case: Case, anchor: str = "") -> HttpResponseBase:
    return redirect(case.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _refused(request: HttpRequest, case: Case, error: InvalidInput | str) -> HttpResponseBase:
    text = f"{error.field}: {error.problem}" if isinstance(error, InvalidInput) else error
    messages.error(request, text)
    return _back(case)


def _form_errors(form: Any) -> str:
    return "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())


def _act(
    request: HttpRequest, case: Case, form: Any, action: Callable[[dict[str, Any]], str]
) -> HttpResponseBase:
    """Validate ``form``, run ``action`` with its data, report success or the refusal."""
    if not form.is_valid():
        return _refused(request, case, _form_errors(form))
    try:
        done = action(form.cleaned_data)
    except InvalidInput as error:
        return _refused(request, case, error)
    messages.success(request, done)
    return _back(case)


# --- lists ------------------------------------------------------------------------------------


def _case_rows(user: Any) -> QuerySet[Case]:
    # Meta.ordering does not apply to a query with GROUP BY: order explicitly for pagination.
    return (
        scope.cases_for(user)
        .annotate(
            vendor_count=Count("vendors", distinct=True),
            silent_count=Count(
                "vendors",
                filter=Q(vendors__status="notified", vendors__deadline__lt=timezone.now()),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-id")
    )


@team_required
def case_list(request: HttpRequest) -> HttpResponseBase:
    """Cases: search, filters (status, vendor, product, embargo soon), CSV export."""
    case_filter = CaseFilter(request.GET, queryset=_case_rows(request.user))
    if request.GET.get("format") == "csv":
        return _csv(request, case_filter.qs)
    return render(
        request,
        "vulns/case_list.html",
        {"filter": case_filter, "page": _page(request, case_filter.qs, CASES_PER_PAGE)},
    )


def _csv(request: HttpRequest, rows: QuerySet[Case]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="vulnerability-cases.csv"'
    writer = csv.writer(response)

    writer.writerow(
        [
            "reference",
            "title",
            "status",
            "tlp",
            "severity",
            "cvss3",
            "cvss4",
            "cve_ids",
            "embargo_at_utc",
            "vendors",
            "silent",
        ]
    )
    for case in rows:
        writer.writerow(
            [
                _csv_cell(value)
                for value in [
                    case.reference,
                    case.title,
                    case.status,
                    case.tlp,
                    case.severity,
                    case.cvss3_score or "",
                    case.cvss4_score or "",
                    " ".join(case.cve_ids),
                    case.embargo_at.isoformat() if case.embargo_at else "",
                    getattr(case, "vendor_count", 0),
                    getattr(case, "silent_count", 0),
                ]
            ]
        )
    audit.record(request.user, audit.Action.EXPORT, object_repr="vulnerability cases (CSV)")
    return response


def _csv_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@signin_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """The vendor portal: the cases the member's organisation (or the member) is on."""
    rows = _case_rows(request.user)
    return render(request, "vulns/my_cases.html", {"page": _page(request, rows, CASES_PER_PAGE)})


@staff_required
def case_create(request: HttpRequest) -> HttpResponseBase:
    """Open a case by hand (most come from a triaged report)."""
    form = forms.CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.create_case(by=request.user, **form.cleaned_data)
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.problem)
        else:
            return redirect(case.get_absolute_url())
    return render(
        request, "vulns/case_form.html", {"form": form}, status=400 if form.errors else 200
    )


# --- the case page ----------------------------------------------------------------------------


def _vendor_rows(user: Any, case: Case) -> QuerySet[CaseVendor]:
    return (
        scope.vendors_for(user, case)
        .select_related("organisation")
        .prefetch_related("products")
        .annotate(message_count=Count("private_messages", distinct=True))
        .order_by("organisation__name", "pk")
    )


@signin_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One case: fields, vendor table with silence flags, embargo panel, checklist, thread."""
    case = _case(request, reference)
    user: Any = request.user
    coordinator = scope.is_coordinator(user)
    thread = (
        scope.messages_for(user, case)
        .select_related("author_organisation", "audience_vendor__organisation")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")
    )
    page = _page(request, thread, MESSAGES_PER_PAGE)
    if coordinator:
        _count_views(page.object_list)
    messaging.mark_seen(user, page.object_list)
    audit.record_read(user, case)
    context: dict[str, Any] = {
        "case": case,
        "coordinator": coordinator,
        "messages_page": page,
        "own_vendor": scope.vendor_row(user, case),
        "now": timezone.now(),
        "status_form": forms.VendorStatusForm(),
    }
    if coordinator:
        context.update(_coordinator_context(request, case))
    return render(request, "vulns/case_detail.html", context)


def _count_views(messages: Any) -> None:
    """Set ``seen_count`` on each message of the page (one grouped query)."""
    rows = list(messages)
    counts = dict(
        MessageView.objects.filter(message__in=rows)
        .values("message")
        .annotate(n=Count("id"))
        .values_list("message", "n")
    )
    for message in rows:
        message.seen_count = counts.get(message.pk, 0)


def _coordinator_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    vendors = _page(request, _vendor_rows(request.user, case), CASE_PAGE_VENDORS, "vendors")
    products = list(case.products.all())
    return {
        "vendors_page": vendors,
        "products": [(item, services.proposed_vendors(case, item)) for item in products],
        "checklist_summary": _checklist_summary(case),
        "participants": list(case.participants.select_related("user")),
        "reservations": list(case.cve_reservations.all()),
        "product_form": forms.ProductForm(),
        "vendor_form": forms.AddVendorForm(case=case),
        "vendor_choices": list(
            case.vendors.order_by("organisation__name").values_list("pk", "organisation__name")
        ),
        "embargo_form": forms.EmbargoForm(initial={"time_zone": request.user.time_zone}),  # type: ignore[union-attr]
        "early_form": forms.EarlyReleaseForm(),
        "transition_form": forms.TransitionForm(),
        "cve_form": forms.CveRequestForm(),
        "reserved_form": forms.CveReservedForm(),
        "reporter_form": forms.ReporterForm(),
        "edit_form": forms.CaseForm(initial=_initial(case)),
    }


def _checklist_summary(case: Case) -> dict[str, int]:
    now = timezone.now()
    counts = case.vendors.aggregate(
        total=Count("id"),
        ready=Count("id", filter=Q(status__in=("fixed", "not_affected")) & ~Q(statement="")),
        silent=Count("id", filter=Q(status="notified", deadline__lt=now)),
    )
    return {key: value or 0 for key, value in counts.items()}


def _initial(case: Case) -> dict[str, Any]:
    initial = {name: getattr(case, name) for name in services.EDITABLE_FIELDS}
    initial["cve_ids"] = ", ".join(case.cve_ids)
    return initial


@signin_required
def vendor_list(request: HttpRequest, reference: str) -> HttpResponse:
    """The case's vendors (coordinators: all, filterable; a vendor: its own row)."""
    case = _case(request, reference)
    vendor_filter = VendorFilter(request.GET, queryset=_vendor_rows(request.user, case))
    page = _page(request, vendor_filter.qs, VENDORS_PER_PAGE)
    context = {
        "case": case,
        "filter": vendor_filter,
        "page": page,
        "now": timezone.now(),
        "coordinator": scope.is_coordinator(request.user),
    }
    return render(request, "vulns/vendor_list.html", context)


@signin_required
def checklist(request: HttpRequest, reference: str) -> HttpResponse:
    """Readiness of every vendor for publication (coordinators)."""
    case = _case(request, reference)
    if not scope.is_coordinator(request.user):
        raise PermissionDenied(_("Only coordinators see the checklist."))
    rows = embargo.checklist(case)
    return render(request, "vulns/checklist.html", {"case": case, "rows": rows})


@staff_required
def message_views(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Who saw a message, and when (coordinators): the "who saw what" audit of a case."""
    case = _staff_case(request, reference)
    message = get_object_or_404(CaseMessage, case=case, pk=pk)
    views = message.views.select_related("user__organisation").order_by("seen_at")
    return render(
        request, "vulns/message_views.html", {"case": case, "message": message, "views": views}
    )


@signin_required
def attachment(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """Download a file of a message the user may read."""
    case = _case(request, reference)
    readable = scope.messages_for(request.user, case)
    item = get_object_or_404(CaseAttachment, pk=pk, message__in=readable)
    audit.record(request.user, audit.Action.READ, case, changes={"attachment": item.filename})
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.filename)


# --- actions ----------------------------------------------------------------------------------


def _uploads(files: list[Any]) -> list[tuple[str, bytes, str]]:
    return [
        (f.name or "file", f.read(), f.content_type or "application/octet-stream") for f in files
    ]


@require_POST
@signin_required
def post_message(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Post to the discussion (all participants, one vendor, or coordinators)."""
    case = _case(request, reference)
    form = forms.MessageForm(request.POST, request.FILES)

    def act(data: dict[str, Any]) -> str:
        vendor = case.vendors.filter(pk=data["vendor"]).first() if data.get("vendor") else None
        messaging.post_message(
            case,
            by=request.user,
            body=data["body"],
            audience=data["audience"],
            vendor=vendor,
            attachments=_uploads(data["attachments"]),
        )
        return _("Message posted.")

    return _act(request, case, form, act)


@require_POST
@signin_required
def vendor_status(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """Set a vendor's status and statement: coordinators any vendor, a vendor its own."""
    case = _case(request, reference)
    vendor = get_object_or_404(scope.vendors_for(request.user, case), pk=pk)
    form = forms.VendorStatusForm(request.POST)

    def act(data: dict[str, Any]) -> str:
        services.set_vendor_status(
            vendor, by=request.user, status=data["status"], statement=data["statement"]
        )
        return _("Status of %(vendor)s saved.") % {"vendor": vendor.organisation.name}

    return _act(request, case, form, act)


def _staff_case(request: HttpRequest, reference: str) -> Case:
    case = _case(request, reference)
    if not scope.is_coordinator(request.user):
        raise Http404("No such case.")
    return case


@require_POST
@staff_required
def case_edit(request: HttpRequest, reference: str) -> HttpResponseBase:
    case = _staff_case(request, reference)

    def act(data: dict[str, Any]) -> str:
        services.update_case(case, by=request.user, **data)
        return _("Case saved.")

    return _act(request, case, forms.CaseForm(request.POST), act)


@require_POST
@staff_required
def add_product(request: HttpRequest, reference: str) -> HttpResponseBase:
    case = _staff_case(request, reference)

    def act(data: dict[str, Any]) -> str:
        _item, proposed = services.add_product(case, by=request.user, **data)
        return _("Product added; %(count)s vendors proposed.") % {"count": len(proposed)}

    return _act(request, case, forms.ProductForm(request.POST), act)


@require_POST
@staff_required
def add_product_vendors(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """One click: add every proposed vendor of a product."""
    case = _staff_case(request, reference)
    item = get_object_or_404(CaseProduct, case=case, pk=pk)
    added = services.add_vendors_for_product(case, item, by=request.user)
    messages.success(request, _("%(count)s vendors added.") % {"count": len(added)})
    return _back(case, "vendors")


@require_POST
@staff_required
def add_vendor(request: HttpRequest, reference: str) -> HttpResponseBase:
    case = _staff_case(request, reference)

    def act(data: dict[str, Any]) -> str:
        services.add_vendor(case, data["organisation"], by=request.user)
        return _("Vendor added.")

    return _act(request, case, forms.AddVendorForm(request.POST, case=case), act)


@require_POST
@staff_required
def notify_vendor(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    case = _staff_case(request, reference)
    vendor = get_object_or_404(CaseVendor, case=case, pk=pk)
    services.notify_vendor(vendor, by=request.user)
    messages.success(request, _("%(vendor)s notified.") % {"vendor": vendor.organisation.name})
    return _back(case, "vendors")


@require_POST
@staff_required
def notify_all(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Notify every vendor not contacted yet."""
    case = _staff_case(request, reference)
    notified = services.notify_all_vendors(case, by=request.user)
    messages.success(request, _("%(count)s vendors notified.") % {"count": len(notified)})
    return _back(case, "vendors")


@require_POST
@staff_required
def remove_vendor(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """Take a vendor added by mistake off the case (refused once it was told or wrote)."""
    case = _staff_case(request, reference)
    vendor = get_object_or_404(CaseVendor.objects.select_related("organisation"), case=case, pk=pk)
    try:
        services.remove_vendor(vendor, by=request.user)
    except InvalidInput as error:
        return _refused(request, case, error)
    messages.success(request, _("%(vendor)s removed.") % {"vendor": vendor.organisation.name})
    return _back(case, "vendors")


@require_POST
@staff_required
def set_embargo(request: HttpRequest, reference: str) -> HttpResponseBase:
    case = _staff_case(request, reference)

    def act(data: dict[str, Any]) -> str:
        embargo.set_embargo(case, by=request.user, embargo_at=data["embargo_at"])
        return _("Embargo set.")

    return _act(request, case, forms.EmbargoForm(request.POST), act)


@require_POST
@staff_required
def early_release(request: HttpRequest, reference: str) -> HttpResponseBase:
    case = _staff_case(request, reference)

    def act(data: dict[str, Any]) -> str:
        embargo.early_release(case, by=request.user, reason=data["reason"])
        return _("Embargo lifted; draft advisory created.")

    return _act(request, case, forms.EarlyReleaseForm(request.POST), act)


@require_POST
@staff_required
def publish(request: HttpRequest, reference: str) -> HttpResponseBase:
    case = _staff_case(request, reference)
    try:
        embargo.publish_by_hand(case, by=request.user)
    except InvalidInput as error:
        return _refused(request, case, error)
    messages.success(request, _("Draft advisory created."))
    return _back(case)


@require_POST
@staff_required
def transition(request: HttpRequest, reference: str) -> HttpResponseBase:
    case = _staff_case(request, reference)

    def act(data: dict[str, Any]) -> str:
        services.transition(case, data["status"], by=request.user)
        return _("Status changed.")

    return _act(request, case, forms.TransitionForm(request.POST), act)


@require_POST
@staff_required
def request_cve(request: HttpRequest, reference: str) -> HttpResponseBase:
    case = _staff_case(request, reference)

    def act(data: dict[str, Any]) -> str:
        services.request_cve(case, by=request.user, note=data["note"])
        return _("CVE id requested.")

    return _act(request, case, forms.CveRequestForm(request.POST), act)


@require_POST
@staff_required
def cve_reserved(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    case = _staff_case(request, reference)
    reservation = get_object_or_404(CveReservation, case=case, pk=pk)

    def act(data: dict[str, Any]) -> str:
        services.record_cve_reserved(reservation, by=request.user, cve_id=data["cve_id"])
        return _("CVE id recorded.")

    return _act(request, case, forms.CveReservedForm(request.POST), act)


@require_POST
@staff_required
def add_reporter(request: HttpRequest, reference: str) -> HttpResponseBase:
    case = _staff_case(request, reference)

    def act(data: dict[str, Any]) -> str:
        services.add_reporter(case, by=request.user, **data)
        return _("Reporter added.")

    return _act(request, case, forms.ReporterForm(request.POST), act)


# --- metrics and the public form --------------------------------------------------------------


@staff_required
def metrics_page(request: HttpRequest) -> HttpResponse:
    """Vendor response times and time from report to publication."""
    context = {
        "vendors": metrics.vendor_response_times(timezone.now()),
        "publication": metrics.report_to_publication(),
    }
    return render(request, "vulns/metrics.html", context)


def report_form(request: HttpRequest) -> HttpResponseBase:
    """The public vulnerability report form: rate-limited, stored as an intake report."""
    form = forms.VulnReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            form.add_error(None, _("This submission looks automated and was not accepted."))
            status = 400
        else:
            result = _submit_report(request, form)
            if not isinstance(result, int):
                request.session["intake-last-reference"] = result.reference
                return render(request, "vulns/report_thanks.html", {"report": result})
            status = result
    elif request.method == "POST":
        status = 400
    return render(request, "vulns/report_form.html", {"form": form}, status=status)


def _submit_report(request: HttpRequest, form: forms.VulnReportForm) -> Any:
    data = form.cleaned_data
    body = reports.compose_body(
        software=data["software"],
        versions=data["versions"],
        credit=data["credit"],
        credit_text=data["credit_text"],
        details=data["body"],
    )
    user: Any = request.user
    try:
        return intake.submit_report(
            channel=Channel.MEMBER_FORM if is_signed_in(user) else Channel.PUBLIC_FORM,
            subject=f"{reports.SUBJECT_PREFIX} {data['subject']}",
            body=body,
            reporter_name=data["reporter_name"],
            reporter_email=data["reporter_email"],
            user=user if is_signed_in(user) else None,
            organisation=getattr(user, "organisation", None) if is_signed_in(user) else None,
            uploads=[
                Upload(f.name or "file", f.content_type or "application/octet-stream", f.read())
                for f in data["attachments"]
            ],
            language=(get_language() or "en")[:2],
            source_ip=client_ip(request),
        )
    except intake.RateLimited as limited:
        minutes = max(1, round(limited.retry_after / 60))
        form.add_error(
            None,
            _("Too many reports from your address. Please try again in %(minutes)s minutes.")
            % {"minutes": minutes},
        )
        return 429
    except InvalidInput as error:
        form.add_error(error.field if error.field in form.fields else None, error.problem)
        return 400
