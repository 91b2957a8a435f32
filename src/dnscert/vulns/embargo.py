"""The embargo: its date, the readiness checklist, reminders, early release and publication.

The embargo is one instant (stored in UTC, shown to each reader in their own time zone with
UTC alongside). :func:`tick` runs every few minutes: it sends the reminders that are due
(7 days, 1 day, 1 hour before), flags vendors silent past their deadline, and publishes the
cases whose embargo has passed by creating their draft advisory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from dnscert.core import audit
from dnscert.core.exceptions import InvalidInput
from dnscert.vulns import notifications
from dnscert.vulns.choices import (
    ADVISORY_STATUS,
    OPEN_STATUSES,
    Audience,
    CaseStatus,
    CveState,
    MessageVia,
    VendorStatus,
)
from dnscert.vulns.models import Case, CaseProduct, CaseVendor

#: Reminder labels and how long before the embargo each is sent.
REMINDERS: tuple[tuple[str, timedelta], ...] = (
    ("7d", timedelta(days=7)),
    ("1d", timedelta(days=1)),
    ("1h", timedelta(hours=1)),
)
MAX_REASON = 4000
#: Statuses in which a passed embargo publishes the case (vendors have been told).
PUBLISHABLE = (CaseStatus.VENDORS_NOTIFIED, CaseStatus.EMBARGOED)


@dataclass(frozen=True)
class ChecklistRow:
    vendor: CaseVendor
    ready: bool
    silent: bool


def checklist(case: Case, now: datetime | None = None) -> list[ChecklistRow]:
    """Every vendor on the case: ready (fixed / not affected with a statement) or not, silent."""
    moment = now or timezone.now()
    vendors = case.vendors.select_related("organisation").order_by("organisation__name")
    return [ChecklistRow(v, v.is_ready, v.is_silent_at(moment)) for v in vendors]


def set_embargo(case: Case, *, by: Any, embargo_at: datetime, now: datetime | None = None) -> Case:
    """Set (or move) the embargo; participants are told the new date; reminders start over."""
    moment = now or timezone.now()
    if timezone.is_naive(embargo_at):
        raise InvalidInput("embargo_at", "give a date-time with its time zone")
    if embargo_at <= moment:
        raise InvalidInput("embargo_at", "the embargo must end in the future")
    if case.status not in OPEN_STATUSES:
        raise InvalidInput("status", f"the case is already {case.get_status_display()}")
    with transaction.atomic():
        old = case.embargo_at
        case.embargo_at, case.reminders_sent = embargo_at, []
        if case.status == CaseStatus.VENDORS_NOTIFIED:
            case.status = CaseStatus.EMBARGOED
        case.save()
        audit.record(by, audit.Action.UPDATE, case, changes={"embargo_at": [old, embargo_at]})
        _announce(case, "embargo_set", by=by)
    return case


def _announce(case: Case, event: str, *, by: Any, reason: str = "") -> None:
    from dnscert.vulns.messaging import post_message

    post_message(
        case,
        by=None,
        body=_announcement(case, event, reason),
        audience=Audience.ALL,
        via=MessageVia.SYSTEM,
        author_label="DNS-CERT",
        notify=False,
    )
    notifications.notify_all(case, "embargo", {"event": event, "reason": reason})


def _announcement(case: Case, event: str, reason: str) -> str:
    """The system message of ``event`` (only the chosen text is formatted: a case published
    without ever being embargoed has no embargo date)."""
    if event == "early_release":
        return f"Early release: {reason}"
    if event == "published":
        if case.embargo_at is None:
            return "The case is published; the advisory is being prepared."
        return "The embargo has ended; the advisory is being prepared."
    prefix = {"embargo_set": "Embargo set to", "reminder": "Reminder: the embargo ends"}[event]
    return f"{prefix} {case.embargo_at:%Y-%m-%d %H:%M} UTC."


def due_reminder(case: Case, now: datetime) -> str | None:
    """The most imminent reminder due and not yet sent, if any."""
    if case.embargo_at is None or now >= case.embargo_at:
        return None
    due = [label for label, before in REMINDERS if now >= case.embargo_at - before]
    return due[-1] if due and due[-1] not in case.reminders_sent else None


def send_reminder(case: Case, now: datetime) -> str | None:
    """Send the due reminder once (earlier ones it supersedes are marked sent too)."""
    label = due_reminder(case, now)
    if label is None:
        return None
    labels = [name for name, _ in REMINDERS]
    with transaction.atomic():
        case.reminders_sent = sorted(
            {*case.reminders_sent, *labels[: labels.index(label) + 1]}, key=labels.index
        )
        case.save(update_fields=["reminders_sent", "updated_at"])
        _announce(case, "reminder", by=None)
    return label


def flag_silent(case: Case, now: datetime) -> list[CaseVendor]:
    """Mark the vendors newly silent past their deadline (audited, coordinators told)."""
    from dnscert.vulns.messaging import post_message

    silent = list(
        case.vendors.filter(
            status=VendorStatus.NOTIFIED, deadline__lt=now, silence_flagged_at__isnull=True
        ).select_related("organisation")
    )
    for vendor in silent:
        with transaction.atomic():
            vendor.silence_flagged_at = now
            vendor.save(update_fields=["silence_flagged_at"])
            audit.record(
                None, audit.Action.STATE, case, changes={"silent": vendor.organisation.name}
            )
            post_message(
                case,
                by=None,
                body=f"{vendor.organisation.name} has not answered since "
                f"{vendor.notified_at:%Y-%m-%d} (deadline {vendor.deadline:%Y-%m-%d %H:%M} UTC).",
                audience=Audience.STAFF,
                via=MessageVia.SYSTEM,
                author_label="DNS-CERT",
                notify=False,
            )
    return silent


def early_release(case: Case, *, by: Any, reason: str, now: datetime | None = None) -> Case:
    """Lift the embargo now (e.g. exploited in the wild): reason recorded, everyone told."""
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("reason", "say why the embargo is lifted early")
    if len(text) > MAX_REASON:
        raise InvalidInput("reason", f"at most {MAX_REASON} characters")
    if case.status not in OPEN_STATUSES:
        raise InvalidInput("status", f"the case is already {case.get_status_display()}")
    moment = now or timezone.now()
    with transaction.atomic():
        old = case.embargo_at
        case.embargo_at, case.early_release_reason = moment, text
        case.save()
        audit.record(
            by,
            audit.Action.STATE,
            case,
            changes={"embargo_at": [old, moment], "early_release": text},
        )
        _announce(case, "early_release", by=by, reason=text)
        return publish(case, by=by, now=moment)


def publish(case: Case, *, by: Any, now: datetime | None = None) -> Case:
    """End the embargo: a draft advisory with the vendor table and credits; case published."""
    if case.status in (CaseStatus.PUBLISHED, CaseStatus.CLOSED):
        return case
    moment = now or timezone.now()
    with transaction.atomic():
        advisory = _draft_advisory(case, by, moment)
        old = case.status
        case.advisory, case.status, case.published_at = advisory, CaseStatus.PUBLISHED, moment
        case.save()
        case.cve_reservations.filter(state=CveState.RESERVED).update(
            state=CveState.PUBLISHED, published_at=moment
        )
        audit.record(
            by,
            audit.Action.STATE,
            case,
            changes={"status": [old, CaseStatus.PUBLISHED], "advisory": advisory.reference},
        )
        _announce(case, "published", by=by)
    return case


def publish_by_hand(case: Case, *, by: Any, now: datetime | None = None) -> Case:
    """A coordinator publishes: refused while the embargo runs (that is an early release)."""
    moment = now or timezone.now()
    if case.embargo_at is not None and case.embargo_at > moment:
        raise InvalidInput("embargo_at", gettext("the embargo has not ended; use early release"))
    if case.status not in OPEN_STATUSES:
        raise InvalidInput("status", f"the case is already {case.get_status_display()}")
    return publish(case, by=by, now=moment)


def _draft_advisory(case: Case, by: Any, now: datetime) -> Any:
    from dnscert.advisories.services import create_draft

    return create_draft(
        title=case.title,
        summary=case.description or case.title,
        details=_details(case),
        severity=case.severity,
        tlp=case.tlp,
        csaf_category="csaf_security_advisory",
        by=by if getattr(by, "is_authenticated", False) else case.created_by,
        cve_ids=case.cve_ids,
        credits=credits(case),
        affected=affected_table(case, now),
    )


def _details(case: Case) -> str:
    lines = [f"Coordinated as {case.reference}."]
    if case.cvss3_vector:
        lines.append(f"CVSS v3.1: {case.cvss3_score} {case.cvss3_vector}")
    if case.cvss4_vector:
        lines.append(f"CVSS v4.0: {case.cvss4_score} {case.cvss4_vector}")
    if case.cwe:
        lines.append(f"Weakness: {case.cwe}")
    if case.early_release_reason:
        lines.append(f"Released before the planned date: {case.early_release_reason}")
    return "\n".join(lines)


def credits(case: Case) -> list[dict[str, str]]:
    """The reporters who wish to be credited, as they wish."""
    return [
        {"name": line, "summary": "reported the vulnerability"}
        for line in (p.credit_line for p in case.participants.select_related("user"))
        if line
    ]


def vendor_statement(vendor: CaseVendor, now: datetime) -> str:
    """The vendor's statement, or what its silence means, written for the advisory."""
    if vendor.statement.strip():
        return vendor.statement.strip()
    if vendor.is_silent_at(now) or vendor.status == VendorStatus.NOTIFIED:
        notified = f"{vendor.notified_at:%Y-%m-%d}" if vendor.notified_at else "unknown date"
        return f"The vendor was notified on {notified} and has not answered."
    if vendor.status == VendorStatus.DECLINED:
        return "The vendor declined to make a statement."
    return ""


def affected_table(case: Case, now: datetime) -> list[dict[str, Any]]:
    """One row per vendor and product: CSAF product status and statement."""
    rows: list[dict[str, Any]] = []
    vendors = case.vendors.select_related("organisation").prefetch_related("products__product")
    for vendor in vendors:
        status = ADVISORY_STATUS[VendorStatus(vendor.status)]
        statement = vendor_statement(vendor, now)
        products: list[CaseProduct | None] = list(vendor.products.all())
        for item in products or [None]:
            rows.append(
                {
                    "product": item.product if item is not None else None,
                    "product_name": item.name if item else case.affected_software or case.title,
                    "vendor": vendor.organisation,
                    "versions": (item.versions if item else "") or case.affected_versions,
                    "status": status,
                    "statement": statement,
                }
            )
    return rows


def tick(now: datetime | None = None) -> dict[str, int]:
    """Reminders, silence flags and publications due at ``now``, for every open case."""
    moment = now or timezone.now()
    counts = {"reminders": 0, "silent": 0, "published": 0}
    for case in Case.objects.filter(status__in=OPEN_STATUSES):
        counts["silent"] += len(flag_silent(case, moment))
        if case.embargo_at is None:
            continue
        if moment >= case.embargo_at and case.status in PUBLISHABLE:
            publish(case, by=None, now=moment)
            counts["published"] += 1
        elif send_reminder(case, moment):
            counts["reminders"] += 1
    return counts
