"""Staff triage of reports: open an incident from one, attach it to an incident, reject it,
mark it a duplicate. Each action is atomic, refuses reports already dealt with, and writes an
audit row.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.core.visibility import can_see
from dnscert.incidents.choices import JournalKind
from dnscert.incidents.intake.choices import OPEN_STATUSES, ReportStatus
from dnscert.incidents.intake.models import Report
from dnscert.incidents.intake.replies import journal_text
from dnscert.incidents.models import Incident
from dnscert.incidents.services import add_journal_entry, create_incident

MAX_REASON = 2000


def _check_open(report: Report) -> None:
    if report.status not in OPEN_STATUSES:
        raise InvalidInput(
            "status", f"report {report.reference} is already {report.get_status_display()}"
        )


def _close(report: Report, status: str, by: Any, **changes: Any) -> Report:
    old = report.status
    report.status = status
    report.triaged_by = by if getattr(by, "is_authenticated", False) else None
    report.triaged_at = timezone.now()
    for name, value in changes.items():
        setattr(report, name, value)
    report.save()
    recorded = {key: str(value) for key, value in changes.items()}
    audit.record(by, audit.Action.STATE, report, changes={"status": [old, status], **recorded})
    return report


def create_incident_from_report(
    report: Report,
    *,
    by: Any,
    title: str,
    category: str,
    severity: str,
    tlp: str,
    summary: str = "",
) -> Incident:
    """Open an incident from ``report`` (reporter e-mail copied, report in the journal)."""
    _check_open(report)
    with transaction.atomic():
        incident = create_incident(
            title=title or report.subject or report.reference,
            summary=summary or report.body[:4000],
            category=category,
            severity=severity,
            tlp=tlp,
            by=by,
            reporter_email=report.reporter_email,
            owner_organisation=report.organisation,
        )
        _journal_report(incident, report, by)
        _close(report, ReportStatus.TRIAGED, by, incident=incident)
    return incident


def create_case_from_report(report: Report, *, by: Any, title: str = "", tlp: str = "") -> Any:
    """Open a vulnerability case from ``report`` (reporter and credit wish carried over)."""
    from dnscert.vulns.reports import open_case_from_report

    _check_open(report)
    with transaction.atomic():
        case = open_case_from_report(report, by=by, title=title, tlp=tlp)
        _close(report, ReportStatus.TRIAGED, by)
    return case


def attach_to_incident(report: Report, incident: Incident, *, by: Any) -> Report:
    """Add ``report`` to an existing incident the user may see."""
    _check_open(report)
    if not can_see(by, incident):
        raise InvalidInput("incident", f"no incident {incident.reference} you may see")
    with transaction.atomic():
        _journal_report(incident, report, by)
        return _close(report, ReportStatus.MERGED, by, incident=incident)


def _journal_report(incident: Incident, report: Report, by: Any) -> None:
    add_journal_entry(
        incident, text=journal_text(report), tlp=incident.tlp, kind=JournalKind.REPORT, author=by
    )


def reject_report(report: Report, *, by: Any, reason: str) -> Report:
    """Reject ``report`` (spam, out of scope...) with a reason staff can read later."""
    _check_open(report)
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("reason", "say why the report is rejected")
    with transaction.atomic():
        return _close(report, ReportStatus.REJECTED, by, resolution=text[:MAX_REASON])


def mark_duplicate(report: Report, original: Report, *, by: Any) -> Report:
    """Close ``report`` as a duplicate of ``original`` (and link it to its incident, if any)."""
    _check_open(report)
    if original.pk == report.pk:
        raise InvalidInput("original", "a report cannot duplicate itself")
    if original.duplicate_of_id == report.pk:
        raise InvalidInput("original", f"{original.reference} is a duplicate of this report")
    with transaction.atomic():
        return _close(
            report,
            ReportStatus.REJECTED,
            by,
            duplicate_of=original,
            incident=original.incident,
            resolution=f"Duplicate of {original.reference}",
        )
