"""The generated part of an after-action report: facts read from the incident's timeline.

:func:`build_content` returns a JSON-ready snapshot: milestones, the timeline of journal
entries visible at the report's TLP (entries labelled above it are counted, never shown),
who did what, each participant's time to acknowledge, tasks and the SLA figures. Values are
stored raw (codes, ISO times, seconds); :mod:`dnscert.insight.display` turns them into
labels in the reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.utils import timezone

from dnscert.core.choices import TLP
from dnscert.incidents.models import Incident, JournalEntry, Participant, Task
from dnscert.incidents.taxonomy import label as category_label
from dnscert.insight import sla_figures
from dnscert.insight.timing import seconds_between

#: The incident's timestamps shown as milestones, in lifecycle order.
MILESTONES = ("created_at", "acknowledged_at", "first_action_at", "resolved_at", "closed_at")


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def build_content(incident: Incident) -> dict[str, Any]:
    """The snapshot of ``incident`` an after-action report shows."""
    entries, left_out = visible_entries(incident)
    participants = list(incident.participants.select_related("organisation"))
    return {
        "incident": incident_facts(incident),
        "milestones": [
            {"field": name, "at": iso(getattr(incident, name))}
            for name in MILESTONES
            if getattr(incident, name)
        ],
        "timeline": [timeline_row(entry) for entry in entries],
        "entries_left_out": left_out,
        "actors": actors(entries),
        "participants": [participant_row(p) for p in participants],
        "tasks": [
            task_row(task) for task in incident.tasks.select_related("owner", "owner_organisation")
        ],
        "sla": sla_figures.figures(incident),
    }


def generated_summary(content: dict[str, Any]) -> str:
    """A plain-English first summary, which staff may rewrite."""
    facts = content["incident"]
    acknowledged = [p for p in content["participants"] if p["seconds_to_acknowledge"] is not None]
    lines = [
        f"{facts['reference']} — {facts['title']}",
        f"Category {facts['category_label']}, severity {facts['severity']}, {facts['tlp_label']}.",
        f"Opened {facts['created_at'][:16].replace('T', ' ')} UTC"
        + (
            f", closed {facts['closed_at'][:16].replace('T', ' ')} UTC."
            if facts["closed_at"]
            else "."
        ),
        f"{len(content['participants'])} participant organisation(s), "
        f"{len(acknowledged)} acknowledged; {len(content['timeline'])} journal entries, "
        f"{len(content['tasks'])} task(s).",
    ]
    if facts["summary"]:
        lines += ["", facts["summary"]]
    return "\n".join(lines)


def incident_facts(incident: Incident) -> dict[str, Any]:
    return {
        "reference": incident.reference,
        "title": incident.title,
        "summary": incident.summary,
        "category": incident.category,
        "category_label": category_label(incident.category),
        "severity": incident.severity,
        "status": incident.status,
        "tlp": incident.tlp,
        "tlp_label": TLP(incident.tlp).label_text,
        "assignee": incident.assignee.get_username() if incident.assignee else "",
        **{name: iso(getattr(incident, name)) for name in MILESTONES},
    }


def visible_entries(incident: Incident) -> tuple[list[JournalEntry], int]:
    """The journal entries labelled at or below the incident's TLP, and how many are not."""
    ceiling = TLP(incident.tlp).rank
    shown, left_out = [], 0
    for entry in incident.journal.select_related("author__organisation", "organisation").order_by(
        "created_at", "id"
    ):
        if TLP(entry.tlp).rank <= ceiling:
            shown.append(entry)
        else:
            left_out += 1
    return shown, left_out


def who(entry: JournalEntry) -> str:
    """The author of an entry as the report names them."""
    if entry.author_label:
        return entry.author_label
    if entry.author is not None:
        return str(entry.author.get_username())
    return "system"


def actor_organisation(entry: JournalEntry) -> str:
    """The organisation the author acts for: a member's own, or the sender's for mail."""
    if entry.author is not None:
        organisation = getattr(entry.author, "organisation", None)
        return organisation.name if organisation else ""
    return entry.organisation.name if entry.organisation else ""


def timeline_row(entry: JournalEntry) -> dict[str, Any]:
    return {
        "at": iso(entry.created_at),
        "kind": entry.kind,
        "who": who(entry),
        "organisation": actor_organisation(entry),
        "tlp": entry.tlp,
        "text": entry.text,
    }


def actors(entries: list[JournalEntry]) -> list[dict[str, Any]]:
    """Who did what: entries per author and kind, with first and last times."""
    grouped: dict[tuple[str, str], list[JournalEntry]] = defaultdict(list)
    for entry in entries:
        grouped[(who(entry), actor_organisation(entry))].append(entry)
    rows = []
    for (name, organisation), mine in grouped.items():
        kinds: dict[str, int] = defaultdict(int)
        for entry in mine:
            kinds[entry.kind] += 1
        rows.append(
            {
                "who": name,
                "organisation": organisation,
                "entries": len(mine),
                "kinds": dict(kinds),
                "first_at": iso(mine[0].created_at),
                "last_at": iso(mine[-1].created_at),
            }
        )
    return sorted(rows, key=lambda row: (-row["entries"], row["who"]))


def participant_row(participant: Participant) -> dict[str, Any]:
    return {
        "organisation": participant.organisation.name,
        "role": participant.role,
        "status": participant.status,
        "notified_at": iso(participant.notified_at),
        "acknowledged_at": iso(participant.acknowledged_at),
        "seconds_to_acknowledge": seconds_between(
            participant.notified_at, participant.acknowledged_at
        ),
    }


def task_row(task: Task) -> dict[str, Any]:
    owner = task.owner.get_username() if task.owner else ""
    if task.owner_organisation:
        owner = (
            f"{owner} ({task.owner_organisation.name})" if owner else task.owner_organisation.name
        )
    return {
        "title": task.title,
        "owner": owner,
        "due_at": iso(task.due_at),
        "done_at": iso(task.done_at),
        "late": is_late(task.due_at, task.done_at),
    }


def is_late(due: datetime | None, done: datetime | None) -> bool:
    """True when a task was done after its due time, or is still open past it."""
    if due is None:
        return False
    return (done or timezone.now()) > due
