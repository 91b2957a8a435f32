"""Background work of insight: the after-action report and the surveys when an incident closes."""

from __future__ import annotations

from typing import Any

from dnscert.core.jobs import job
from dnscert.incidents.models import Incident
from dnscert.insight import feedback, services


@job("insight.close_followup")
def close_followup(*, incident_id: int) -> dict[str, Any]:
    """Generate (or refresh) the after-action report and send the feedback surveys."""
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        return {"skipped": "incident deleted"}
    report = services.generate_report(incident, by=None)
    requests = feedback.request_feedback(incident)
    return {"report_id": report.pk, "surveys_sent": len(requests)}
