"""The e-mail of an inject, in the recipient's language, unmistakably marked as an exercise.

Every message starts its subject with ``[EXERCISE]`` and its body begins and ends with the
line ``EXERCISE EXERCISE EXERCISE`` (the convention so nobody acts on it as a real incident).
The marking is added here, in code, around whatever the templates render, so no template
edit can drop it. The reply token ``EXR-<24 hex>`` is in the subject and in a header, so a
reply lands back on the inject (:func:`dnscert.exercises.services.acknowledge_reply`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from dnscert.core.choices import TLP
from dnscert.delivery.conf import reply_address
from dnscert.delivery.models import OutboundMessage
from dnscert.delivery.services import queue_email, render_email
from dnscert.directory.lookups import contacts_24x7
from dnscert.directory.models import Contact
from dnscert.exercises.models import InjectDelivery, Participant

SUBJECT_MARK = "[EXERCISE]"
BODY_MARK = "EXERCISE EXERCISE EXERCISE"
TEMPLATE = "exercises/email/inject"
CATEGORY = "exercises.inject"
TOKEN_HEADER = "X-DNSCERT-Exercise"
#: Languages the inject e-mail is written in; any other falls back to English.
LANGUAGES = ("en", "fr")


def mark_subject(subject: str) -> str:
    """``subject`` starting with ``[EXERCISE]`` (added once)."""
    text = subject.strip()
    return text if text.startswith(SUBJECT_MARK) else f"{SUBJECT_MARK} {text}"


def mark_body(body: str) -> str:
    """``body`` beginning and ending with the ``EXERCISE EXERCISE EXERCISE`` line."""
    return f"{BODY_MARK}\n\n{body.strip()}\n\n{BODY_MARK}\n"


def language_of(contact: Contact) -> str:
    """The contact's first language when an inject template exists for it, else English."""
    language = (contact.preferred_language or "en").lower()[:2]
    return language if language in LANGUAGES else "en"


def playing_contacts(participant: Participant) -> list[Contact]:
    """Who receives the injects: the contacts chosen to play, else 24x7 ones, else all."""
    chosen = list(participant.contacts.all())
    if chosen:
        return chosen
    return list(contacts_24x7(participant.organisation)) or list(
        participant.organisation.contacts.all()
    )


def participant_url(delivery: InjectDelivery) -> str:
    path = reverse("exercises:play", args=[delivery.inject.exercise.reference])
    return f"{settings.SITE_URL.rstrip('/')}{path}#inject-{delivery.inject_id}"


def render(delivery: InjectDelivery, language: str) -> tuple[str, str]:
    """The marked (subject, body) of ``delivery`` in ``language``."""
    inject = delivery.inject
    context: dict[str, Any] = {
        "inject": inject,
        "exercise": inject.exercise,
        "organisation": delivery.participant.organisation,
        "token": delivery.token_label,
        "tlp_label": TLP(inject.exercise.tlp).label_text,
        "url": participant_url(delivery),
    }
    subject, body = render_email(TEMPLATE, context, language)
    if delivery.token_label not in subject:
        subject = f"{subject} [{delivery.token_label}]"
    return mark_subject(subject), mark_body(body)


def send(delivery: InjectDelivery) -> list[OutboundMessage]:
    """Queue the inject to every playing contact of the participant (sent after commit)."""
    sent = []
    for contact in playing_contacts(delivery.participant):
        language = language_of(contact)
        subject, body = render(delivery, language)
        sent.append(
            queue_email(
                to=contact.email,
                subject=subject,
                body=body,
                category=CATEGORY,
                language=language,
                about=delivery.inject.exercise,
                headers={TOKEN_HEADER: delivery.token_label},
                reply_to=reply_address(),
            )
        )
    return sent
