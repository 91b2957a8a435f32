"""Background jobs of incidents: paging on-call and notifying participants."""

from __future__ import annotations

from typing import Any

from dnscert.core.jobs import job
from dnscert.incidents import notifications, paging
from dnscert.incidents.models import Incident, Participant


@job("incidents.page_on_call", max_attempts=3)
def page_on_call(*, incident_id: int) -> dict[str, Any]:
    """Page the on-call responder about a new high or critical incident."""
    incident = Incident.objects.get(pk=incident_id)
    page = paging.page_on_call(incident)
    return {"incident": incident.reference, "page": getattr(page, "pk", None)}


@job("incidents.notify_participant", max_attempts=3)
def notify_participant(*, participant_id: int) -> dict[str, Any]:
    """E-mail a participant organisation's 24x7 contacts about its incident."""
    participant = Participant.objects.select_related("incident", "organisation").get(
        pk=participant_id
    )
    messages = notifications.notify_participant(participant, by=None)
    return {"participant": participant.pk, "messages": len(messages)}
