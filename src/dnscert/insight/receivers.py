"""Reactions to other apps' signals: an incident that closes gets its follow-up job."""

from __future__ import annotations

from typing import Any

from dnscert.core.jobs import enqueue
from dnscert.incidents.choices import IncidentStatus


def on_status_changed(sender: Any, *, incident: Any, new: str, **kwargs: Any) -> None:
    """On closure: the after-action report and the feedback surveys (``insight.close_followup``)."""
    if new == IncidentStatus.CLOSED:
        enqueue("insight.close_followup", incident_id=incident.pk)
