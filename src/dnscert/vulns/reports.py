"""Vulnerability reports: what the public form sends to the intake, and report -> case.

The public form stores an ordinary intake report (rate limits, PGP, acknowledgement and raw
copy come with it) whose first lines carry the structured fields; staff triage then opens a
case from it, keeping the reporter and how they wish to be credited.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from dnscert.vulns import services
from dnscert.vulns.choices import CaseStatus, Credit
from dnscert.vulns.models import Case

SUBJECT_PREFIX = "[Vulnerability]"
_FIELD = re.compile(r"^(Affected software|Versions|Credit):[ \t]*(.*)$", re.MULTILINE)


def compose_body(
    *, software: str, versions: str, credit: str, credit_text: str, details: str
) -> str:
    """The report body: structured header lines, a blank line, then the reporter's text."""
    credit_line = f"custom: {credit_text.strip()}" if credit == Credit.CUSTOM else credit
    header = [
        f"Affected software: {software.strip()}",
        f"Versions: {versions.strip()}",
        f"Credit: {credit_line}",
    ]
    return "\n".join(header) + "\n\n" + details.strip()


def read_fields(body: str) -> dict[str, str]:
    """The structured lines of a report body (absent ones are empty)."""
    found = {name: value.strip() for name, value in _FIELD.findall(body or "")}
    credit_raw = found.get("Credit", "")
    credit, text = Credit.NAME.value, ""
    if credit_raw.startswith("custom:"):
        credit, text = Credit.CUSTOM.value, credit_raw[7:].strip()
    elif credit_raw == Credit.ANONYMOUS:
        credit = Credit.ANONYMOUS.value
    return {
        "software": found.get("Affected software", "")[:300],
        "versions": found.get("Versions", "")[:300],
        "credit": credit,
        "credit_text": text[:300],
    }


def open_case_from_report(report: Any, *, by: Any, title: str = "", tlp: str = "") -> Case:
    """A triaged case from ``report``: fields, reporter and credit wish carried over."""
    fields = read_fields(report.body)
    subject = report.subject.removeprefix(SUBJECT_PREFIX).strip()
    with transaction.atomic():
        case = services.create_case(
            by=by,
            title=title or subject or report.reference,
            description=report.body[: services.MAX_TEXT],
            affected_software=fields["software"],
            affected_versions=fields["versions"],
            report=report,
            **({"tlp": tlp} if tlp else {}),
        )
        if report.reporter_email or report.user_id:
            services.add_reporter(
                case,
                by=by,
                user=report.user,
                email=report.reporter_email,
                name=report.reporter_name,
                credit=fields["credit"],
                credit_text=fields["credit_text"],
                language=report.language,
            )
        services.transition(case, CaseStatus.TRIAGED, by=by)
    return case
