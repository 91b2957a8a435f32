"""What each user may read in insight, always through :mod:`dnscert.core.visibility`.

A report is visible exactly when its incident is; feedback answers are for core staff.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from dnscert.core.visibility import is_core_staff, visible
from dnscert.incidents.models import Incident
from dnscert.insight.models import AfterActionReport, FeedbackAnswer


def visible_incidents(user: Any) -> QuerySet[Incident]:
    """The incidents ``user`` may see."""
    return visible(user, Incident.objects.all())


def visible_reports(user: Any) -> QuerySet[AfterActionReport]:
    """The after-action reports of the incidents ``user`` may see."""
    incidents = visible_incidents(user).values("pk")
    return AfterActionReport.objects.filter(incident__in=incidents).select_related(
        "incident", "updated_by"
    )


def incident_for(user: Any, reference: str) -> Incident:
    """The incident ``reference`` if ``user`` may see it, else 404 (never confirms it exists)."""
    found = visible_incidents(user).filter(reference=reference).first()
    if found is None:
        raise Http404("no such incident")
    return found


def report_for(user: Any, reference: str) -> AfterActionReport:
    """The report of incident ``reference`` if ``user`` may see it, else 404."""
    found = visible_reports(user).filter(incident__reference=reference).first()
    if found is None:
        raise Http404("no after-action report for this incident")
    return found


def feedback_answers(user: Any) -> QuerySet[FeedbackAnswer]:
    """Every feedback answer for core staff, nothing for anyone else."""
    answers = FeedbackAnswer.objects.select_related(
        "request", "participant__organisation", "participant__incident"
    )
    return answers.all() if is_core_staff(user) else answers.none()
