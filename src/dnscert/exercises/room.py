"""The control room and the after-action report (staff pages).

The control room shows the timeline of delivered and pending injects, who answered what and
when, the clock buttons (start, pause, resume, end), the ad-hoc inject form and the observer
notes. The report page shows response times per inject and per participant with a chart,
the objectives to assess, observer notes and lessons learned; it exports Markdown, CSV, JSON
and PDF.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.core.pdf import pdf_response
from dnscert.core.permissions import staff_required
from dnscert.exercises import export, forms, report, scope, services
from dnscert.exercises.choices import TRANSITIONS, ExerciseStatus, ObjectiveResult
from dnscert.exercises.models import Exercise, InjectDelivery
from dnscert.exercises.views import act, exercise_of, inject_data, refused


def _timeline(exercise: Exercise) -> list[dict[str, Any]]:
    deliveries = (
        InjectDelivery.objects.filter(inject__exercise=exercise)
        .select_related("participant__organisation")
        .prefetch_related("responses")
    )
    by_inject: dict[int, list[InjectDelivery]] = {}
    for delivery in deliveries:
        by_inject.setdefault(delivery.inject_id, []).append(delivery)
    injects = exercise.injects.prefetch_related("recipients__organisation")
    ordered = sorted(
        injects, key=lambda i: (i.delivered_at is None, i.delivered_at or i.due_at, i.position)
    )
    return [{"inject": inject, "deliveries": by_inject.get(inject.pk, [])} for inject in ordered]


@staff_required
def control_room(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Timeline, answers, clock buttons, ad-hoc inject and observer notes."""
    exercise = exercise_of(request, reference)
    context = {
        "exercise": exercise,
        "timeline": _timeline(exercise),
        "participants": exercise.participants.select_related("organisation"),
        "notes": scope.notes_for(request.user, exercise).select_related("author"),
        "note_form": forms.NoteForm(),
        "adhoc_form": forms.InjectForm(exercise=exercise, ad_hoc=True),
        "actions": _actions(exercise),
    }
    return render(request, "exercises/control.html", context)


def _actions(exercise: Exercise) -> list[tuple[str, str]]:
    names: dict[str, tuple[str, str]] = {
        ExerciseStatus.RUNNING: ("resume", pgettext("exercise clock", "Resume"))
        if exercise.status == ExerciseStatus.PAUSED
        else ("start", pgettext("exercise clock", "Start")),
        ExerciseStatus.PAUSED: ("pause", pgettext("exercise clock", "Pause")),
        ExerciseStatus.ENDED: ("end", pgettext("exercise clock", "End")),
    }
    return [names[target] for target in TRANSITIONS[exercise.status]]


def _room(reference: str) -> str:
    return reverse("exercises:control", args=[reference])


@staff_required
@require_POST
def control(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Start, pause, resume or end (``action`` in the form)."""
    exercise = exercise_of(request, reference)
    try:
        updated = services.control(exercise, request.POST.get("action", ""), by=request.user)
    except InvalidInput as error:
        return refused(request, error, _room(reference))
    messages.success(
        request, _("The exercise is now %(status)s.") % {"status": updated.get_status_display()}
    )
    return redirect(_room(reference))


@staff_required
@require_POST
def add_note(request: HttpRequest, reference: str) -> HttpResponseBase:
    exercise = exercise_of(request, reference)
    form = forms.NoteForm(request.POST)
    return act(
        request,
        form,
        lambda data: services.add_note(exercise, by=request.user, **data),
        _("Note added."),
        _room(reference) + "#notes",
    )


@staff_required
@require_POST
def send_now(request: HttpRequest, reference: str) -> HttpResponseBase:
    """An ad-hoc inject, delivered at once."""
    exercise = exercise_of(request, reference)
    return act(
        request,
        forms.InjectForm(request.POST, exercise=exercise, ad_hoc=True),
        lambda data: services.send_now(exercise, by=request.user, **inject_data(data)),
        lambda inject: _("Inject “%(title)s” sent.") % {"title": inject.title},
        _room(reference),
    )


# --- the after-action report ----------------------------------------------------------------


@staff_required
def report_page(request: HttpRequest, reference: str) -> HttpResponseBase:
    """The after-action report, or its export with ``?format=md|csv|json|pdf``."""
    exercise = exercise_of(request, reference)
    built = report.build(exercise)
    fmt = request.GET.get("format", "")
    if fmt:
        return _export(request, built, fmt)
    context = {
        "exercise": exercise,
        "report": built,
        "chart": built.chart(),
        "results": ObjectiveResult.choices,
        "lessons_form": forms.LessonsForm(initial={"text": exercise.lessons_learned}),
    }
    return render(request, "exercises/report.html", context)


def _export(request: HttpRequest, built: report.Report, fmt: str) -> HttpResponseBase:
    if fmt not in export.FORMATS:
        return HttpResponse(
            f"format: one of {', '.join(export.FORMATS)}", status=400, content_type="text/plain"
        )
    audit.record(request.user, audit.Action.EXPORT, built.exercise, changes={"format": fmt})
    if fmt == "pdf":
        return pdf_response(export.to_pdf(built), export.filename(built, "pdf"))
    body, kind = {
        "md": (export.to_markdown, "text/markdown"),
        "csv": (export.to_csv, "text/csv"),
        "json": (export.to_json, "application/json"),
    }[fmt]
    response = HttpResponse(body(built), content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(built, fmt)}"'
    return response


def _report(reference: str) -> str:
    return reverse("exercises:report", args=[reference])


@staff_required
@require_POST
def assess_objective(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    exercise = exercise_of(request, reference)
    objective = get_object_or_404(exercise.objectives, pk=pk)
    form = forms.ObjectiveForm(request.POST)
    return act(
        request,
        form,
        lambda data: services.assess_objective(objective, by=request.user, **data),
        _("Objective assessed."),
        _report(reference) + "#objectives",
    )


@staff_required
@require_POST
def lessons(request: HttpRequest, reference: str) -> HttpResponseBase:
    exercise = exercise_of(request, reference)
    form = forms.LessonsForm(request.POST)
    return act(
        request,
        form,
        lambda data: services.set_lessons(exercise, by=request.user, **data),
        _("Lessons learned saved."),
        _report(reference) + "#lessons",
    )
