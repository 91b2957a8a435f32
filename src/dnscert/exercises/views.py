"""Staff pages of exercises: the list, the exercise form, participants and the inject editor.

Views are thin: every exercise is looked up through :mod:`dnscert.exercises.scope`, every
change goes through :mod:`dnscert.exercises.services`; a refused change comes back as a
message naming the field. The control room, the report and the participant page live in
:mod:`dnscert.exercises.room` and :mod:`dnscert.exercises.portal`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dnscert.core.exceptions import InvalidInput
from dnscert.core.permissions import signin_required, staff_required
from dnscert.core.visibility import is_core_staff
from dnscert.exercises import forms, schedule, scope, services
from dnscert.exercises.filters import ExerciseFilter
from dnscert.exercises.models import Exercise, Inject, Participant

PER_PAGE = 50


def exercise_of(request: HttpRequest, reference: str) -> Exercise:
    """The exercise ``reference`` through the scope rule (404 when hidden)."""
    return scope.get_exercise_or_404(request.user, reference)


def form_errors(form: Any) -> str:
    return "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())


def refused(request: HttpRequest, error: InvalidInput | str, target: str) -> HttpResponseBase:
    text = f"{error.field}: {error.problem}" if isinstance(error, InvalidInput) else error
    messages.error(request, text)
    return redirect(target)


def act(
    request: HttpRequest,
    form: Any,
    action: Callable[[dict[str, Any]], Any],
    done: str | Callable[[Any], str],
    target: str,
) -> HttpResponseBase:
    """Validate ``form``, run ``action`` with its data, report success or the refusal.

    ``done`` is the success message, or makes it from what ``action`` returned.
    """
    if not form.is_valid():
        return refused(request, form_errors(form), target)
    try:
        result = action(form.cleaned_data)
    except InvalidInput as error:
        return refused(request, error, target)
    messages.success(request, done(result) if callable(done) else done)
    return redirect(target)


def _rows(user: Any) -> QuerySet[Exercise]:
    return (
        scope.exercises_for(user)
        .annotate(
            participant_count=Count("participants", distinct=True),
            inject_count=Count("injects", distinct=True),
        )
        .order_by("-planned_start", "-id")
    )


@staff_required
def exercise_list(request: HttpRequest) -> HttpResponseBase:
    """Every exercise, with search and filters."""
    found = ExerciseFilter(request.GET, queryset=_rows(request.user))
    page = Paginator(found.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "exercises/list.html", {"filter": found, "page": page})


@signin_required
def my_exercises(request: HttpRequest) -> HttpResponseBase:
    """The exercises the member's organisation takes part in."""
    page = Paginator(_rows(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "exercises/mine.html", {"page": page})


@signin_required
def detail(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Staff land in the control room; participants on their own page."""
    exercise = exercise_of(request, reference)
    name = "exercises:control" if is_core_staff(request.user) else "exercises:play"
    return redirect(reverse(name, args=[exercise.reference]))


def _save_exercise(request: HttpRequest, form: Any, exercise: Exercise | None) -> Any:
    data = form.cleaned_data
    if exercise is None:
        return services.create_exercise(by=request.user, **data)
    return services.update_exercise(exercise, by=request.user, **data)


def _exercise_form(request: HttpRequest, exercise: Exercise | None) -> HttpResponseBase:
    initial = forms.ExerciseForm.initial_of(exercise) if exercise else None
    form = forms.ExerciseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_exercise(request, form, exercise)
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.problem)
        else:
            return redirect(reverse("exercises:injects", args=[saved.reference]))
    status = 400 if form.errors else 200
    context = {"form": form, "exercise": exercise}
    return render(request, "exercises/form.html", context, status=status)


@staff_required
def exercise_create(request: HttpRequest) -> HttpResponseBase:
    """Plan a new exercise."""
    return _exercise_form(request, None)


@staff_required
def exercise_edit(request: HttpRequest, reference: str) -> HttpResponseBase:
    """Change an exercise that has not ended."""
    return _exercise_form(request, exercise_of(request, reference))


# --- participants ---------------------------------------------------------------------------


@staff_required
def participants(request: HttpRequest, reference: str) -> HttpResponseBase:
    """The participating organisations and who plays for each; add or change one."""
    exercise = exercise_of(request, reference)
    target = reverse("exercises:participants", args=[reference])
    form = forms.ParticipantForm(request.POST or None)
    if request.method == "POST":
        return act(
            request,
            form,
            lambda data: services.add_participant(exercise, by=request.user, **data),
            _added,
            target,
        )
    rows = exercise.participants.select_related("organisation").prefetch_related("contacts")
    context = {"exercise": exercise, "rows": rows, "form": form}
    return render(request, "exercises/participants.html", context)


def _added(participant: Participant) -> str:
    return _("%(name)s takes part.") % {"name": participant.organisation.name}


@staff_required
@require_POST
def participant_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    exercise = exercise_of(request, reference)
    participant = get_object_or_404(exercise.participants, pk=pk)
    target = reverse("exercises:participants", args=[reference])
    try:
        services.remove_participant(participant, by=request.user)
    except InvalidInput as error:
        return refused(request, error, target)
    messages.success(request, _("Participant removed."))
    return redirect(target)


# --- the inject editor ----------------------------------------------------------------------


def inject_data(data: dict[str, Any]) -> dict[str, Any]:
    """The cleaned inject form as service arguments (recipients as a list)."""
    values = dict(data)
    values["recipients"] = list(values.get("recipients") or [])
    return values


@staff_required
def injects(request: HttpRequest, reference: str) -> HttpResponseBase:
    """The inject editor: planned injects in order; add, edit, reorder, delete."""
    exercise = exercise_of(request, reference)
    target = reverse("exercises:injects", args=[reference])
    form = forms.InjectForm(request.POST or None, exercise=exercise)
    if request.method == "POST":
        return act(
            request,
            form,
            lambda data: services.add_inject(exercise, by=request.user, **inject_data(data)),
            _planned,
            target,
        )
    rows = exercise.injects.prefetch_related("recipients__organisation").order_by("position", "id")
    context = {"exercise": exercise, "rows": rows, "form": form}
    return render(request, "exercises/injects.html", context)


def _planned(inject: Inject) -> str:
    return _("Inject “%(title)s” planned.") % {"title": inject.title}


def _inject(request: HttpRequest, reference: str, pk: int) -> tuple[Exercise, Inject]:
    exercise = exercise_of(request, reference)
    return exercise, get_object_or_404(exercise.injects, pk=pk)


def _inject_initial(inject: Inject) -> dict[str, Any]:
    return {
        "title": inject.title,
        "body": inject.body,
        "offset": schedule.format_offset(inject.offset),
        "at": inject.at.strftime("%Y-%m-%dT%H:%M") if inject.at else None,
        "expected_action": inject.expected_action,
        "response_required": inject.response_required,
        "recipients": list(inject.recipients.all()),
    }


@staff_required
def inject_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """Change an inject before it is delivered."""
    exercise, inject = _inject(request, reference, pk)
    form = forms.InjectForm(
        request.POST or None, exercise=exercise, initial=_inject_initial(inject)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_inject(inject, by=request.user, **inject_data(form.cleaned_data))
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.problem)
        else:
            return redirect(reverse("exercises:injects", args=[reference]))
    context = {"exercise": exercise, "inject": inject, "form": form}
    return render(
        request, "exercises/inject_form.html", context, status=400 if form.errors else 200
    )


@staff_required
@require_POST
def inject_delete(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    _exercise, inject = _inject(request, reference, pk)
    target = reverse("exercises:injects", args=[reference])
    try:
        services.delete_inject(inject, by=request.user)
    except InvalidInput as error:
        return refused(request, error, target)
    messages.success(request, _("Inject deleted."))
    return redirect(target)


@staff_required
@require_POST
def inject_move(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    _exercise, inject = _inject(request, reference, pk)
    target = reverse("exercises:injects", args=[reference])
    try:
        services.move_inject(inject, by=request.user, direction=request.POST.get("direction", ""))
    except InvalidInput as error:
        return refused(request, error, target)
    return redirect(target)
