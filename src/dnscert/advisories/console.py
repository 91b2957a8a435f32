"""The staff console of advisories: list, create and edit, translations, review and publish.

Views are thin: every change goes through :mod:`dnscert.advisories.services`, whose
:class:`InvalidInput` errors are shown next to the field they name.
"""

from __future__ import annotations

import csv
import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dnscert.advisories import csaf, lifecycle, services
from dnscert.advisories.filters import AdvisoryFilter
from dnscert.advisories.forms import (
    AdvisoryForm,
    AffectedFormSet,
    ReasonForm,
    TranslationForm,
    affected_initial,
)
from dnscert.advisories.models import Advisory
from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import staff_required

PAGE_SIZE = 50
EXPORT_FIELDS = (
    "reference",
    "title",
    "status",
    "severity",
    "tlp",
    "csaf_category",
    "cve_ids",
    "current_release",
    "published_at",
)


def _rows(request: HttpRequest) -> AdvisoryFilter:
    base = Advisory.objects.select_related("author", "approver").order_by("-created_at", "-id")
    return AdvisoryFilter(request.GET or None, queryset=base)


@staff_required
def console(request: HttpRequest) -> HttpResponse:
    """Every advisory in every status, searchable and filterable, with CSV/JSON export."""
    found = _rows(request)
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    return render(
        request, "advisories/console.html", {"filter": found, "page": page, "query": query}
    )


def _export_row(advisory: Advisory) -> dict[str, Any]:
    return {
        "reference": advisory.reference,
        "title": advisory.title,
        "status": advisory.status,
        "severity": advisory.severity,
        "tlp": advisory.tlp,
        "csaf_category": advisory.csaf_category,
        "cve_ids": " ".join(advisory.cve_ids),
        "current_release": advisory.current_release,
        "published_at": advisory.published_at.isoformat() if advisory.published_at else "",
    }


@staff_required
def console_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The filtered list as CSV or JSON."""
    rows = [_export_row(a) for a in _rows(request).qs]
    if fmt == "json":
        return JsonResponse({"advisories": rows})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="advisories.csv"'
    writer = csv.DictWriter(response, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return response


def _affected_rows(formset: Any) -> list[dict[str, Any]]:
    rows = []
    for form in formset.forms:
        row = form.row() if form.is_valid() else None
        if row is not None:
            rows.append(row)
    return rows


def _save(request: HttpRequest, advisory: Advisory | None) -> tuple[Any, Any, Advisory | None]:
    form = AdvisoryForm(request.POST)
    formset = AffectedFormSet(request.POST, prefix="affected")
    if not (form.is_valid() and formset.is_valid()):
        return form, formset, None
    values = form.service_values()
    values["affected"] = _affected_rows(formset)
    try:
        if advisory is None:
            named = values.pop("named_organisations")
            saved = services.create_draft(by=request.user, named_organisations=named, **values)
        else:
            saved = services.update_advisory(advisory, by=request.user, **values)
    except InvalidInput as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, f"{error.field}: {error.problem}" if field is None else error.problem)
        return form, formset, None
    return form, formset, saved


@staff_required
def create(request: HttpRequest) -> HttpResponseBase:
    """Draft a new advisory."""
    if request.method == "POST":
        form, formset, saved = _save(request, None)
        if saved is not None:
            messages.success(
                request, _("Draft %(reference)s saved.") % {"reference": saved.reference}
            )
            return redirect("advisories:manage", reference=saved.reference)
    else:
        form, formset = AdvisoryForm(), AffectedFormSet(prefix="affected")
    return render(request, "advisories/edit.html", {"form": form, "formset": formset})


@staff_required
def edit(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Change a draft or an advisory in review."""
    advisory = get_object_or_404(Advisory, reference=reference)
    if request.method == "POST":
        form, formset, saved = _save(request, advisory)
        if saved is not None:
            messages.success(request, _("Advisory saved."))
            return redirect("advisories:manage", reference=reference)
    else:
        form = AdvisoryForm(initial=AdvisoryForm.initial_for(advisory))
        formset = AffectedFormSet(prefix="affected", initial=affected_initial(advisory))
    return render(
        request,
        "advisories/edit.html",
        {"form": form, "formset": formset, "advisory": advisory},
    )


@staff_required
def manage(request: HttpRequest, reference: str) -> HttpResponse:
    """Status, workflow buttons, revisions, translations, audience and the CSAF preview."""
    advisory = get_object_or_404(
        Advisory.objects.select_related("author", "approver"), reference=reference
    )
    document = csaf.to_csaf(advisory, extra_revision=services.pending_revision(advisory))
    problems = csaf.validation_problems(document)
    return render(
        request,
        "advisories/manage.html",
        {
            "advisory": advisory,
            "next_statuses": lifecycle.next_statuses(advisory.status),
            "editable": advisory.status in lifecycle.EDITABLE,
            "may_approve": services.may_approve(advisory, request.user),
            "revisions": advisory.revisions.select_related("by").order_by("-number"),
            "translations": advisory.translations.all(),
            "audience": services.audience_organisations(advisory),
            "csaf_json": json.dumps(document, indent=2, ensure_ascii=False),
            "csaf_problems": problems,
            "translation_form": TranslationForm(),
            "reason_form": ReasonForm(),
        },
    )


@staff_required
@require_POST
def save_translation(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Add or replace a translation."""
    advisory = get_object_or_404(Advisory, reference=reference)
    form = TranslationForm(request.POST)
    if form.is_valid():
        try:
            services.set_translation(advisory, by=request.user, **form.cleaned_data)
            messages.success(request, _("Translation saved."))
        except InvalidInput as error:
            messages.error(request, f"{error.field}: {error.problem}")
    else:
        messages.error(
            request,
            _("The translation is incomplete: %(errors)s") % {"errors": form.errors.as_text()},
        )
    return redirect("advisories:manage", reference=reference)


ACTIONS = ("submit", "return", "publish", "revise", "withdraw")


@staff_required
@require_POST
def act(request: HttpRequest, reference: str, action: str) -> HttpResponseBase:
    """Run one workflow action; a refusal is shown with the rule or transition it broke."""
    advisory = get_object_or_404(Advisory, reference=reference)
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if action == "submit":
            services.submit_for_review(advisory, by=request.user)
        elif action == "return":
            services.return_to_draft(advisory, by=request.user, note=reason)
        elif action == "publish":
            services.publish(
                advisory,
                by=request.user,
                revision_summary=form.cleaned_data.get("revision_summary", ""),
            )
        elif action == "revise":
            services.start_revision(advisory, by=request.user)
        elif action == "withdraw":
            services.withdraw(advisory, by=request.user, reason=reason)
        else:
            messages.error(request, _("Unknown action."))
            return redirect("advisories:manage", reference=reference)
    except InvalidInput as error:
        messages.error(request, f"{error.field}: {error.problem}")
    else:
        messages.success(
            request, _("Advisory is now %(status)s.") % {"status": advisory.get_status_display()}
        )
    return redirect("advisories:manage", reference=reference)
