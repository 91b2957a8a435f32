"""Views of the web faces: the public landing page, the home pages, the jobs console, health."""

from __future__ import annotations

import json
import logging
from email.utils import parseaddr
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dnscert.core.choices import Role
from dnscert.core.models import JobRun
from dnscert.core.permissions import role_required, signin_required, staff_required
from dnscert.web import dashboard
from dnscert.web.context_processors import role_of

logger = logging.getLogger(__name__)

JOBS_PER_PAGE = 50


def contact_email() -> str:
    """The DNS-CERT's public e-mail address, taken from ``DEFAULT_FROM_EMAIL``."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


@require_GET
def public_home(request: HttpRequest) -> HttpResponse:
    """The public landing page; signed-in users go to their own home page."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "web/public_home.html", {"contact_email": contact_email()})


@require_GET
@signin_required
def home(request: HttpRequest) -> HttpResponse:
    """The team's home page (staff and responders); members go to their portal."""
    role = role_of(request.user)
    if role == Role.MEMBER:
        return redirect("portal-home")
    figures = dashboard.directory_figures()
    context: dict[str, Any] = {
        "figures": figures,
        "kind_chart": {
            "labels": [row.label for row in figures.organisations_by_kind],
            "values": [row.count for row in figures.organisations_by_kind],
            "label": str(_("Organisations")),
        },
        "is_staff_home": role == Role.STAFF,
    }
    if role == Role.STAFF:
        context["audit_events"] = dashboard.recent_audit_events()
        context["job_runs"] = dashboard.recent_job_runs()
    return render(request, "web/home.html", context)


@require_GET
@role_required(Role.MEMBER)
def portal_home(request: HttpRequest) -> HttpResponse:
    """A constituent member's home: their organisation, its contacts and what it runs."""
    organisation = _member_organisation(request, dashboard.organisation_with_assets)
    return render(request, "web/portal_home.html", {"organisation": organisation})


@require_GET
@role_required(Role.MEMBER)
def portal_organisation(request: HttpRequest) -> HttpResponse:
    """A constituent member's view of their organisation's profile."""
    organisation = _member_organisation(request, dashboard.organisation_profile)
    return render(request, "web/portal_organisation.html", {"organisation": organisation})


def _member_organisation(request: HttpRequest, load: Any) -> Any:
    """The signed-in member's organisation loaded with ``load``, or None if they have none."""
    organisation_id = getattr(request.user, "organisation_id", None)
    return load(organisation_id) if organisation_id else None


class JobFilterForm(forms.Form):
    """The filters of the jobs list: job name and status."""

    name = forms.ChoiceField(label=_("Job"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("any status")), *JobRun.Status.choices],
    )

    def __init__(self, *args: Any, job_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_field = cast(forms.ChoiceField, self.fields["name"])
        name_field.choices = [("", _("any job")), *((n, n) for n in job_names)]


@require_GET
@staff_required
def jobs(request: HttpRequest) -> HttpResponse:
    """Job runs, newest first, filtered by job name and status, 50 to a page."""
    job_names = list(JobRun.objects.values_list("name", flat=True).distinct().order_by("name"))
    form = JobFilterForm(request.GET or None, job_names=job_names)
    runs = JobRun.objects.order_by("-queued_at", "-id")
    if form.is_valid():
        if form.cleaned_data["name"]:
            runs = runs.filter(name=form.cleaned_data["name"])
        if form.cleaned_data["status"]:
            runs = runs.filter(status=form.cleaned_data["status"])
    page = Paginator(runs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/jobs.html",
        {"form": form, "page": page, "filter_query": query.urlencode()},
    )


@require_GET
@staff_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One job run with its arguments, result and error text."""
    run = get_object_or_404(JobRun, pk=pk)
    return render(
        request,
        "web/job_detail.html",
        {
            "run": run,
            "kwargs_json": json.dumps(run.kwargs, indent=2, sort_keys=True, default=str),
            "result_json": (
                json.dumps(run.result, indent=2, sort_keys=True, default=str)
                if run.result is not None
                else ""
            ),
        },
    )


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 ``{"status": "ok", "database": "ok"}`` or 503 with the failure."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure to reach the database means "not healthy", whatever its type
        logger.exception("health check: database query failed")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
