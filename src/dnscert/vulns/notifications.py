"""E-mails of a case, in each recipient's language, PGP-signed and TLP-marked.

Every message carries the case reference in its subject (``[DNSCERT-VU-2026-0001] ...``) and
in the ``X-DNSCERT-Ref`` header, and asks for replies at the intake mailbox, so that a reply
lands back in the case (see :func:`dnscert.vulns.messaging.receive_reply`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from dnscert.core.exceptions import InvalidInput
from dnscert.delivery.conf import reply_address
from dnscert.directory.lookups import contacts_24x7
from dnscert.directory.models import Contact, Organisation
from dnscert.vulns.choices import Audience, VendorStatus
from dnscert.vulns.models import Case, CaseMessage, CaseVendor

REFERENCE_HEADER = "X-DNSCERT-Ref"
CATEGORY = "vulns.case"


def case_url(case: Case) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{case.get_absolute_url()}"


def with_reference(subject: str, case: Case) -> str:
    """``subject`` starting with ``[DNSCERT-VU-YYYY-NNNN]`` (added once)."""
    tag = f"[{case.reference}]"
    return subject if tag in subject else f"{tag} {subject}"


def vendor_contacts(organisation: Organisation) -> list[Contact]:
    """Where a vendor is reached: its 24x7 contacts, else every contact on file."""
    contacts = list(contacts_24x7(organisation))
    return contacts or list(organisation.contacts.all())


def _send(
    case: Case, to: str, language: str, template: str, context: dict[str, Any], key: str = ""
) -> Any:
    from dnscert.delivery.services import queue_email, render_email

    subject, body = render_email(
        f"vulns/email/{template}", {"case": case, "url": case_url(case), **context}, language
    )
    arguments: dict[str, Any] = {
        "to": to,
        "subject": with_reference(subject, case),
        "body": body,
        "category": CATEGORY,
        "tlp": case.tlp,
        "language": language,
        "about": case,
        "sign": True,
        "headers": {REFERENCE_HEADER: case.reference},
        "reply_to": reply_address(),
    }
    if key.strip():
        try:
            return queue_email(**arguments, encrypt=True, recipient_key=key)
        except InvalidInput as error:
            if error.field != "recipient_key":
                raise
    return queue_email(**arguments)


def _to_vendor(vendor: CaseVendor, template: str, context: dict[str, Any]) -> list[Any]:
    context = {"vendor": vendor, "organisation": vendor.organisation, **context}
    return [
        _send(vendor.case, c.email, c.preferred_language, template, context, c.pgp_key)
        for c in vendor_contacts(vendor.organisation)
    ]


def _to_reporters(case: Case, template: str, context: dict[str, Any]) -> list[Any]:
    return [
        _send(case, p.email, p.language, template, context)
        for p in case.participants.all()
        if p.email
    ]


def notified_vendors(case: Case) -> Iterable[CaseVendor]:
    return (
        case.vendors.exclude(status=VendorStatus.NOT_CONTACTED)
        .select_related("organisation")
        .prefetch_related("organisation__contacts")
    )


def notify_vendor(vendor: CaseVendor) -> list[Any]:
    """The first notification: what the case is, the answer deadline, how to answer."""
    return _to_vendor(vendor, "vendor_notified", {})


def notify_message(message: CaseMessage) -> list[Any]:
    """Tell everyone who may read ``message`` about it, except its author's organisation."""
    case, sent = message.case, []
    context = {"message": message}
    if message.audience == Audience.STAFF:
        return []
    if message.audience == Audience.VENDOR and message.audience_vendor is not None:
        if message.audience_vendor.organisation_id != message.author_organisation_id:
            sent += _to_vendor(message.audience_vendor, "message", context)
        return sent
    for vendor in notified_vendors(case):
        if vendor.organisation_id != message.author_organisation_id:
            sent += _to_vendor(vendor, "message", context)
    return sent + _to_reporters(case, "message", context)


def notify_all(case: Case, template: str, context: dict[str, Any]) -> list[Any]:
    """Every notified vendor and every reporter (reminders, early release, publication)."""
    sent: list[Any] = []
    for vendor in notified_vendors(case):
        sent += _to_vendor(vendor, template, context)
    return sent + _to_reporters(case, template, context)
