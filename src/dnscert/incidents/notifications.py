"""E-mails to participants' 24x7 contacts, in their language, PGP-signed, TLP-marked.

Every message carries the incident reference in its subject (``[DNSCERT-2026-0001] ...``)
and in the ``X-DNSCERT-Ref`` header, so replies find their way back to the incident's journal.
A contact with a PGP key on file gets the message encrypted to that key as well.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.delivery.conf import reply_address
from dnscert.directory.lookups import contacts_24x7
from dnscert.directory.models import Contact
from dnscert.incidents import paging, taxonomy
from dnscert.incidents.choices import JournalKind
from dnscert.incidents.models import Incident, Participant

TEMPLATE = "incidents/email/participant_notified"
CATEGORY = "incident.notify"
REFERENCE_HEADER = "X-DNSCERT-Ref"


def reference_headers(incident: Incident) -> dict[str, str]:
    """The headers that tie a message (and its replies) to ``incident``."""
    return {REFERENCE_HEADER: incident.reference}


def with_reference(subject: str, incident: Incident) -> str:
    """``subject`` starting with ``[DNSCERT-YYYY-NNNN]`` (added once)."""
    tag = f"[{incident.reference}]"
    return subject if tag in subject else f"{tag} {subject}"


def _context(participant: Participant) -> dict[str, Any]:
    incident = participant.incident
    return {
        "incident": incident,
        "participant": participant,
        "organisation": participant.organisation,
        "category": taxonomy.label(incident.category),
        "url": paging.incident_url(incident),
    }


def notify_participant(participant: Participant, *, by: Any) -> list[Any]:
    """Queue the notification to each 24x7 contact of the participant; journaled."""
    from dnscert.delivery.services import render_email

    incident = participant.incident
    contacts = list(contacts_24x7(participant.organisation))
    with transaction.atomic():
        messages = []
        for contact in contacts:
            subject, body = render_email(
                TEMPLATE, _context(participant), contact.preferred_language
            )
            messages.append(_queue(contact, incident, with_reference(subject, incident), body))
        _record(participant, contacts, by)
    return messages


def _queue(contact: Contact, incident: Incident, subject: str, body: str) -> Any:
    from dnscert.delivery.services import queue_email

    arguments: dict[str, Any] = {
        "to": contact.email,
        "subject": subject,
        "body": body,
        "category": CATEGORY,
        "tlp": incident.tlp,
        "language": contact.preferred_language,
        "about": incident,
        "sign": True,
        "headers": reference_headers(incident),
        "reply_to": reply_address(),
    }
    if contact.pgp_key.strip():
        try:
            return queue_email(**arguments, encrypt=True, recipient_key=contact.pgp_key)
        except InvalidInput as error:
            if error.field != "recipient_key":
                raise
    return queue_email(**arguments)


def _record(participant: Participant, contacts: list[Contact], by: Any) -> None:
    from dnscert.incidents.services import system_entry

    incident = participant.incident
    organisation = participant.organisation
    if contacts:
        addresses = ", ".join(contact.email for contact in contacts)
        text = f"Notification sent to {organisation.name} ({addresses})."
        Participant.objects.filter(pk=participant.pk).update(notified_at=timezone.now())
    else:
        text = f"{organisation.name} has no 24x7 contact in the directory: nobody was notified."
    system_entry(incident, JournalKind.NOTIFICATION, text, by=by, organisation=organisation)
