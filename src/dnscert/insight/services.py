"""After-action report actions: generate or regenerate from the timeline, edit the lessons.

Each is atomic, takes the acting user, writes an audit row and keeps a revision of the edited
fields. Regenerating refreshes the facts and never loses what staff wrote: the lessons stay,
and the summary is refreshed only while nobody has rewritten it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.core.visibility import is_core_staff
from dnscert.incidents.models import Incident
from dnscert.insight.generate import build_content, generated_summary
from dnscert.insight.models import MAX_LESSON_CHARS, AfterActionReport, ReportRevision

Action = audit.Action

#: The fields staff edit; everything else is generated.
EDITABLE = ("summary", "went_well", "to_improve", "actions")


def _require_staff(by: Any) -> None:
    if by is not None and not is_core_staff(by):
        raise PermissionError("only core staff may change after-action reports")


def _actor(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def generate_report(incident: Incident, *, by: Any) -> AfterActionReport:
    """Create the incident's report, or regenerate its facts keeping the edited fields.

    ``by`` None means the platform itself (the report made when an incident closes).
    """
    _require_staff(by)
    with transaction.atomic():
        content = build_content(incident)
        summary = generated_summary(content)
        report = AfterActionReport.objects.select_for_update().filter(incident=incident).first()
        if report is None:
            return _create(incident, content, summary, by)
        return _regenerate(report, content, summary, by)


def _create(
    incident: Incident, content: dict[str, Any], summary: str, by: Any
) -> AfterActionReport:
    now = timezone.now()
    report = AfterActionReport.objects.create(
        incident=incident,
        content=content,
        generated_summary=summary,
        summary=summary,
        generated_at=now,
        created_at=now,
        created_by=_actor(by),
        updated_at=now,
        updated_by=_actor(by),
    )
    _keep_revision(report, "generated", by)
    audit.record(by, Action.CREATE, report, tlp=report.tlp)
    return report


def _regenerate(
    report: AfterActionReport, content: dict[str, Any], summary: str, by: Any
) -> AfterActionReport:
    if report.summary == report.generated_summary:
        report.summary = summary
    report.generated_summary = summary
    report.content = content
    report.generated_at = report.updated_at = timezone.now()
    report.updated_by = _actor(by)
    report.revision += 1
    report.save()
    _keep_revision(report, "regenerated", by)
    audit.record(by, Action.UPDATE, report, changes={"regenerated": True}, tlp=report.tlp)
    return report


def clean_lessons(fields: dict[str, Any]) -> dict[str, str]:
    """The editable fields given, as stripped text; an error naming any unknown or too long."""
    cleaned = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise InvalidInput(name, f"cannot be edited; editable fields: {', '.join(EDITABLE)}")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InvalidInput(name, "must be text")
        text = value.replace("\r\n", "\n").strip()
        if len(text) > MAX_LESSON_CHARS:
            raise InvalidInput(name, f"is {len(text)} characters long; at most {MAX_LESSON_CHARS}")
        cleaned[name] = text
    return cleaned


def update_lessons(report: AfterActionReport, *, by: Any, **fields: Any) -> AfterActionReport:
    """Staff edit the summary and the lessons learned; a revision keeps the new text."""
    if by is None:
        raise PermissionError("only core staff may change after-action reports")
    _require_staff(by)
    cleaned = clean_lessons(fields)
    with transaction.atomic():
        before = audit.snapshot(report, list(EDITABLE))
        for name, value in cleaned.items():
            setattr(report, name, value)
        changes = audit.changes_between(before, audit.snapshot(report, list(EDITABLE)))
        if not changes:
            return report
        report.updated_at = timezone.now()
        report.updated_by = _actor(by)
        report.revision += 1
        report.save()
        _keep_revision(report, "edited", by)
        audit.record(by, Action.UPDATE, report, changes=changes, tlp=report.tlp)
    return report


def _keep_revision(report: AfterActionReport, reason: str, by: Any) -> ReportRevision:
    return ReportRevision.objects.create(
        report=report,
        number=report.revision,
        reason=reason,
        edited_by=_actor(by),
        **{name: getattr(report, name) for name in EDITABLE},
    )
