"""An after-action report ready to print: the stored snapshot with labels and readable times.

Web page, Markdown and PDF all render :func:`report_context`, so the three always agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from dnscert.core.choices import TLP, Severity
from dnscert.incidents.choices import (
    IncidentStatus,
    JournalKind,
    ParticipantRole,
    ParticipantStatus,
)
from dnscert.insight.models import AfterActionReport
from dnscert.insight.timing import hours, human


def when(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def stamp(value: str | None) -> str:
    """``2026-03-01 14:05 UTC`` for a stored ISO time, ``—`` when missing."""
    moment = when(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def measure_labels() -> dict[str, str]:
    return {
        "acknowledge": _("Time to acknowledge"),
        "first_action": _("Time to first action"),
        "resolve": _("Time to resolve"),
    }


def milestone_labels() -> dict[str, str]:
    return {
        "created_at": _("Opened"),
        "acknowledged_at": _("Acknowledged"),
        "first_action_at": _("First action"),
        "resolved_at": _("Resolved"),
        "closed_at": _("Closed"),
    }


def report_context(report: AfterActionReport) -> dict[str, Any]:
    """Everything the report templates print, in the active language."""
    content = report.content or {}
    facts = dict(content.get("incident", {}))
    facts["severity_label"] = _label(Severity, facts.get("severity", ""))
    facts["status_label"] = _label(IncidentStatus, facts.get("status", ""))
    return {
        "report": report,
        "facts": facts,
        "tlp_label": TLP(report.tlp).label_text,
        "milestones": _milestones(content),
        "timeline": _timeline(content),
        "entries_left_out": content.get("entries_left_out", 0),
        "actors": _actors(content),
        "participants": _participants(content),
        "tasks": _tasks(content),
        "sla": _sla(content),
        "actions": report.action_lines,
        "generated_at": report.generated_at,
    }


def _milestones(content: dict[str, Any]) -> list[dict[str, str]]:
    labels = milestone_labels()
    return [
        {"label": labels.get(row["field"], row["field"]), "at": stamp(row["at"])}
        for row in content.get("milestones", [])
    ]


def _timeline(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**row, "at_text": stamp(row["at"]), "kind_label": _label(JournalKind, row["kind"])}
        for row in content.get("timeline", [])
    ]


def _actors(content: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in content.get("actors", []):
        kinds = ", ".join(
            f"{_label(JournalKind, kind)}: {count}" for kind, count in row["kinds"].items()
        )
        rows.append(
            {
                **row,
                "kinds_text": kinds,
                "first": stamp(row["first_at"]),
                "last": stamp(row["last_at"]),
            }
        )
    return rows


def _participants(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            **row,
            "role_label": _label(ParticipantRole, row["role"]),
            "status_label": _label(ParticipantStatus, row["status"]),
            "notified": stamp(row["notified_at"]),
            "acknowledged": stamp(row["acknowledged_at"]),
            "to_acknowledge": human(row["seconds_to_acknowledge"]),
        }
        for row in content.get("participants", [])
    ]


def _tasks(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**row, "due": stamp(row["due_at"]), "done": stamp(row["done_at"])}
        for row in content.get("tasks", [])
    ]


def _sla(content: dict[str, Any]) -> list[dict[str, Any]]:
    labels = measure_labels()
    verdicts = {True: _("met"), False: _("missed"), None: "—"}
    return [
        {
            **row,
            "label": labels.get(row["measure"], row["measure"]),
            "taken": human(row["seconds"]),
            "taken_hours": hours(row["seconds"]),
            "target": human(row["target_seconds"]),
            "verdict": verdicts[row["met"]],
        }
        for row in content.get("sla", [])
    ]
