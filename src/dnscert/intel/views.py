"""Web pages of threat data: feed management, runs with their failed lines, the event explorer
with exports, and charts of abuse over time.

Feeds and runs are for the team (staff change feeds; staff and responders run and upload).
The explorer and the charts read through :func:`dnscert.intel.scope.scope_events`: members see
only the events about their own TLDs and registrations.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dnscert.core.audit import Action, record
from dnscert.core.choices import TLP, Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import enqueue
from dnscert.core.permissions import role_required, signin_required, staff_required
from dnscert.intel import collect, feed_admin, queries
from dnscert.intel.choices import Dimension
from dnscert.intel.filters import EventFilter, filtered
from dnscert.intel.forms import ChartForm, FeedForm, UploadForm
from dnscert.intel.models import FailedRecord, Feed, IngestRun
from dnscert.intel.scope import is_team, may_see_threat_data, scope_events

PAGE_SIZE = 50
SAMPLE_EVENTS = 10
team_required = role_required(Role.STAFF, Role.RESPONDER)


def _page(request: HttpRequest, rows: QuerySet[Any], size: int = PAGE_SIZE) -> Page:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _query_without(request: HttpRequest, *names: str) -> str:
    return urlencode(
        [(key, value) for key, value in request.GET.items() if key not in names and value]
    )


def _refuse_outsiders(request: HttpRequest) -> None:
    if not may_see_threat_data(request.user):
        raise PermissionDenied


# --- feeds ----------------------------------------------------------------------------------


@team_required
def feed_list(request: HttpRequest) -> HttpResponse:
    """Every feed with its schedule, last run and counters."""
    feeds = Feed.objects.order_by("name")
    return render(request, "intel/feeds.html", {"feeds": feeds, "can_edit": _is_staff(request)})


def _is_staff(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_core_staff", False))


@team_required
def feed_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A feed: settings, recent runs, failed lines of the latest run, sample events, actions."""
    feed = get_object_or_404(Feed, pk=pk)
    runs = feed.runs.order_by("-started_at", "-id")
    latest = runs.first()
    failures = latest.failures.order_by("line_number")[:PAGE_SIZE] if latest else []
    samples = feed.events.order_by("-time_source", "-id")[:SAMPLE_EVENTS]
    context = {
        "feed": feed,
        "runs": runs[:20],
        "latest": latest,
        "failures": failures,
        "samples": samples,
        "upload_form": UploadForm(),
        "can_edit": _is_staff(request),
    }
    return render(request, "intel/feed_detail.html", context)


@staff_required
def feed_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a feed, or change one."""
    feed = get_object_or_404(Feed, pk=pk) if pk is not None else None
    initial = _feed_initial(feed) if feed else None
    form = FeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if feed is None:
                feed = feed_admin.create_feed(by=request.user, **form.cleaned_data)
            else:
                feed = feed_admin.update_feed(feed, by=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.problem)
        else:
            messages.success(request, _("Feed saved."))
            return redirect("intel:feed", pk=feed.pk)
    return render(request, "intel/feed_form.html", {"form": form, "feed": feed})


def _feed_initial(feed: Feed) -> dict[str, Any]:
    values = {name: getattr(feed, name) for name in feed_admin.FEED_FIELDS}
    values["options"] = json.dumps(feed.options, indent=2)
    return values


@require_POST
@team_required
def feed_run(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Queue a fetch of the feed now."""
    feed = get_object_or_404(Feed, pk=pk)
    if feed.source_kind not in feed_admin.SCHEDULED_KINDS:
        messages.error(request, _("This feed gets its data by upload only."))
        return redirect("intel:feed", pk=feed.pk)
    enqueue("intel.run_feed", feed_id=feed.pk)
    record(request.user, Action.STATE, feed, changes={"run": "queued"}, tlp=TLP.AMBER)
    messages.success(request, _("A run of the feed is queued."))
    return redirect("intel:feed", pk=feed.pk)


@require_POST
@team_required
def feed_upload(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Ingest an uploaded file as a run of the feed."""
    feed = get_object_or_404(Feed, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, str(error))
        return redirect("intel:feed", pk=feed.pk)
    try:
        run = collect.accept_upload(feed, form.cleaned_data["file"], by=request.user)
    except InvalidInput as exc:
        messages.error(request, str(exc))
        return redirect("intel:feed", pk=feed.pk)
    messages.success(request, _("The file is being ingested."))
    return redirect("intel:run", pk=run.pk)


@team_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An ingest run: counters and every failed line with its reason."""
    run = get_object_or_404(IngestRun.objects.select_related("feed", "started_by"), pk=pk)
    failures: QuerySet[FailedRecord] = run.failures.order_by("line_number")
    return render(
        request,
        "intel/run_detail.html",
        {"run": run, "page": _page(request, failures), "query": _query_without(request, "page")},
    )


# --- events ---------------------------------------------------------------------------------


@signin_required
def event_list(request: HttpRequest) -> HttpResponse:
    """The event explorer: filters, a page of events, export links."""
    _refuse_outsiders(request)
    events = scope_events(request.user).select_related("feed")
    event_filter = EventFilter(request.GET or None, queryset=events, request=request)
    rows = filtered(event_filter) if request.GET else events
    context = {
        "filter": event_filter,
        "page": _page(request, rows.order_by("-time_source", "-id")),
        "query": _query_without(request, "page"),
        "export_query": _query_without(request, "page", "format"),
        "is_team": is_team(request.user),
    }
    return render(request, "intel/events.html", context)


@signin_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One event with every field and its raw line."""
    _refuse_outsiders(request)
    event = get_object_or_404(
        scope_events(request.user).select_related("feed", "registrar_org", "registry_org"), pk=pk
    )
    return render(request, "intel/event_detail.html", {"event": event})


@signin_required
def event_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered events as CSV (``?format=csv``) or JSON (``?format=json``)."""
    _refuse_outsiders(request)
    export_format = request.GET.get("format", "csv")
    if export_format not in ("csv", "json"):
        return HttpResponse(_("format: use csv or json"), status=400, content_type="text/plain")
    event_filter = EventFilter(request.GET, queryset=scope_events(request.user), request=request)
    if not event_filter.is_valid():
        return JsonResponse({"errors": event_filter.errors}, status=400)
    events = event_filter.qs
    record(
        request.user,
        Action.EXPORT,
        None,
        changes=dict(request.GET.items()),
        tlp=TLP.AMBER,
        object_repr="threat events",
    )
    if export_format == "json":
        response = StreamingHttpResponse(
            queries.json_chunks(events), content_type="application/json"
        )
    else:
        response = StreamingHttpResponse(queries.csv_lines(events), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="events.{export_format}"'
    return response


# --- charts ---------------------------------------------------------------------------------


def _chart_choice(request: HttpRequest) -> tuple[str, int]:
    form = ChartForm(request.GET or None)
    if form.is_valid():
        return form.cleaned_data["dimension"] or Dimension.CATEGORY, form.cleaned_data["days"] or 30
    return Dimension.CATEGORY, queries.DEFAULT_CHART_DAYS


@signin_required
def charts(request: HttpRequest) -> HttpResponse:
    """Abuse over time by category, TLD, registrar or feed."""
    _refuse_outsiders(request)
    dimension, days = _chart_choice(request)
    series = queries.chart_series(request.user, dimension, days)
    return render(
        request,
        "intel/charts.html",
        {
            "form": ChartForm(request.GET or None),
            "series": series,
            "dimension": Dimension(dimension).label,
            "data_query": urlencode({"dimension": dimension, "days": days}),
        },
    )


@signin_required
def chart_data(request: HttpRequest) -> HttpResponseBase:
    """The chart series as JSON for Chart.js."""
    _refuse_outsiders(request)
    dimension, days = _chart_choice(request)
    series = queries.chart_series(request.user, dimension, days)
    series["y"] = {"title": _("events per day"), "min": 0}
    return JsonResponse(series)
