"""Acknowledgements: every accepted report gets its reference back, at once, without loops.

No acknowledgement goes to bounces and automatic replies (RFC 3834), to the platform's own
addresses, to a report without a sender address, or to a sender who already got
``DNSCERT_INTAKE_ACK_LIMIT`` acknowledgements in the last hour (a flood or a loop). A report
that came encrypted and signed by a directory contact is answered encrypted to that contact.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from dnscert.core.exceptions import InvalidInput
from dnscert.delivery.services import queue_email, render_email
from dnscert.incidents.intake import conf
from dnscert.incidents.intake.choices import MailKind
from dnscert.incidents.intake.models import Report

ACK_CATEGORY = "intake.ack"
ACK_TEMPLATE = "intake/email/ack"
LANGUAGES = ("en", "fr")


def acknowledge(report: Report) -> str:
    """Queue the acknowledgement of ``report``; return why none was sent ("" when sent)."""
    reason = refusal(report)
    if reason:
        report.ack_note = reason
        report.save(update_fields=["ack_note"])
        return reason
    language = report.language if report.language in LANGUAGES else "en"
    subject, body = render_email(ACK_TEMPLATE, {"report": report, "site": _site()}, language)
    headers = {"X-DNSCERT-Ref": report.reference, "Auto-Submitted": "auto-replied"}
    if report.incident is not None:
        headers["X-DNSCERT-Incident"] = report.incident.reference
    key = _reporter_key(report)
    try:
        queue_email(
            to=report.reporter_email,
            encrypt=bool(key),
            recipient_key=key,
            subject=subject,
            body=body,
            category=ACK_CATEGORY,
            language=language,
            about=report,
            headers=headers,
            reply_to=conf.intake_address(),
        )
    except InvalidInput as error:
        report.ack_note = f"not acknowledged: {error}"[:200]
        report.save(update_fields=["ack_note"])
        return report.ack_note
    report.acknowledged_at = timezone.now()
    report.ack_note = ""
    report.save(update_fields=["acknowledged_at", "ack_note"])
    return ""


def _reporter_key(report: Report) -> str:
    """The signer's key when they wrote encrypted: the answer goes back encrypted too."""
    contact = report.signer_contact
    if report.pgp_encrypted and contact is not None and contact.pgp_key:
        return contact.pgp_key
    return ""


def refusal(report: Report) -> str:
    """Why ``report`` must not be acknowledged, or ""."""
    if not report.reporter_email:
        return gettext_noop("not acknowledged: no sender address")
    if report.mail_kind != MailKind.MESSAGE:
        return gettext_noop("not acknowledged: automatic message (no reply, to avoid mail loops)")
    if report.reporter_email.lower() in own_addresses():
        return gettext_noop("not acknowledged: sent by the platform itself")
    if _recent_acks(report.reporter_email) >= conf.ack_limit():
        return gettext_noop("not acknowledged: acknowledgement limit per hour reached")
    return ""


def own_addresses() -> set[str]:
    """The platform's own sender and intake addresses, lower case."""
    addresses = [settings.DEFAULT_FROM_EMAIL, conf.intake_address()]
    return {parseaddr(value)[1].lower() for value in addresses if value and parseaddr(value)[1]}


def _recent_acks(address: str) -> int:
    since = timezone.now() - timedelta(hours=1)
    return Report.objects.filter(reporter_email__iexact=address, acknowledged_at__gte=since).count()


def _site() -> dict[str, str]:
    return {
        "name": str(settings.SITE_NAME),
        "url": str(settings.SITE_URL),
    }
