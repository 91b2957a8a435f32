"""CSV and JSON export of the incident list (the rows the viewer may see, as filtered)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from dnscert.incidents import taxonomy
from dnscert.incidents.models import Incident

COLUMNS = (
    "reference",
    "title",
    "category",
    "rsit",
    "severity",
    "status",
    "tlp",
    "assignee",
    "created_at",
    "acknowledged_at",
    "first_action_at",
    "resolved_at",
    "closed_at",
    "overdue",
)


def row(incident: Incident) -> dict[str, Any]:
    """One incident as a flat mapping of :data:`COLUMNS`."""
    rsit_class, rsit_type = taxonomy.rsit_of(incident.category)
    return {
        "reference": incident.reference,
        "title": incident.title,
        "category": incident.category,
        "rsit": f"{rsit_class}/{rsit_type}",
        "severity": incident.severity,
        "status": incident.status,
        "tlp": incident.tlp,
        "assignee": incident.assignee.get_username() if incident.assignee else "",
        "created_at": incident.created_at,
        "acknowledged_at": incident.acknowledged_at,
        "first_action_at": incident.first_action_at,
        "resolved_at": incident.resolved_at,
        "closed_at": incident.closed_at,
        "overdue": bool(getattr(incident, "overdue", False)),
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = str(value)
    # A leading =, +, - or @ would make spreadsheets run the cell as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_csv(incidents: Iterable[Incident]) -> str:
    """The incidents as CSV with a header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for incident in incidents:
        values = row(incident)
        writer.writerow([_cell(values[column]) for column in COLUMNS])
    return buffer.getvalue()


def to_json(incidents: Iterable[Incident]) -> str:
    """The incidents as a JSON list of objects."""
    return json.dumps([row(incident) for incident in incidents], cls=DjangoJSONEncoder, indent=1)
