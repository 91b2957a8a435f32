"""The participant page: the injects delivered to the member's organisation, and answers.

A member sees only what was delivered to their own organisation and only their
organisation's answers (:mod:`dnscert.exercises.scope`); staff opening the page see every
delivery, read-only.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dnscert.core.permissions import signin_required
from dnscert.exercises import forms, scope, services
from dnscert.exercises.views import act, exercise_of


@signin_required
def play(request: HttpRequest, reference: str) -> HttpResponseBase:
    """The member's injects, newest first, each with its answers and an answer form."""
    exercise = exercise_of(request, reference)
    deliveries = (
        scope.deliveries_for(request.user, exercise)
        .select_related("inject", "participant__organisation")
        .prefetch_related("responses")
        .order_by("-delivered_at", "-inject__position")
    )
    context = {
        "exercise": exercise,
        "deliveries": deliveries,
        "participant": scope.participant_of(request.user, exercise),
        "form": forms.AnswerForm(),
    }
    return render(request, "exercises/play.html", context)


@signin_required
@require_POST
def answer(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """Answer an inject delivered to the member's organisation."""
    exercise = exercise_of(request, reference)
    inject = get_object_or_404(scope.injects_for(request.user, exercise), pk=pk)
    delivery = scope.delivery_for(request.user, inject)
    if delivery is None:
        raise Http404("This inject was not delivered to your organisation.")
    target = reverse("exercises:play", args=[reference]) + f"#inject-{inject.pk}"
    return act(
        request,
        forms.AnswerForm(request.POST),
        lambda data: services.respond(delivery, by=request.user, body=data["body"]),
        _("Answer sent."),
        target,
    )
