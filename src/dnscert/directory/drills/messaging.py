"""The drill e-mail: one per probe, in the contact's language, signed, marked as a drill,
with the response link and the ``DRILL-<token>`` reference a reply may quote.

Each message is queued through :mod:`dnscert.delivery.services` with the probe as its
``about`` object, so a bounce recorded by the delivery app finds its probe.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from dnscert.core.exceptions import InvalidInput
from dnscert.delivery.conf import reply_address
from dnscert.delivery.models import OutboundMessage
from dnscert.delivery.services import queue_email, render_email
from dnscert.directory.drills.models import Probe

TEMPLATE = "drills/email/probe"
CATEGORY = "drills.probe"
#: Languages the drill message is written in; other contacts get English.
LANGUAGES = ("en", "fr")
TOKEN_HEADER = "X-DNSCERT-Drill"


def absolute(path: str) -> str:
    """``path`` on the platform's public address (``DNSCERT_SITE_URL``)."""
    return f"{settings.SITE_URL}{path}"


def respond_url(probe: Probe) -> str:
    """The public page where the contact confirms they received the drill."""
    return absolute(reverse("drills:respond", args=[probe.token]))


def language_for(languages: list[str]) -> str:
    """The first of the contact's languages the message exists in (English otherwise)."""
    for language in languages or []:
        base = str(language).lower().split("-")[0]
        if base in LANGUAGES:
            return base
    return "en"


def hours(minutes: int) -> int | float:
    """``minutes`` in hours: whole when exact (4), one decimal otherwise (1.5)."""
    value = minutes / 60
    return int(value) if value.is_integer() else round(value, 1)


def queue_probe(probe: Probe, *, pgp_key: str = "") -> OutboundMessage:
    """Queue the drill message of ``probe``; encrypted too when the contact has a usable key."""
    context = {
        "drill": probe.drill,
        "probe": probe,
        "token": probe.token_label,
        "respond_url": respond_url(probe),
        "hours": hours(probe.drill.response_minutes),
    }
    subject, body = render_email(TEMPLATE, context, probe.language)
    if probe.token_label not in subject:
        subject = f"{subject} [{probe.token_label}]"
    arguments: dict[str, Any] = {
        "to": probe.email,
        "subject": subject,
        "body": body,
        "category": CATEGORY,
        "language": probe.language,
        "about": probe,
        "sign": True,
        "headers": {TOKEN_HEADER: probe.token_label, "X-DNSCERT-Ref": probe.drill.reference},
        "reply_to": reply_address(),
    }
    if pgp_key.strip():
        try:
            return queue_email(**arguments, encrypt=True, recipient_key=pgp_key)
        except InvalidInput as error:
            if error.field != "recipient_key":
                raise
    return queue_email(**arguments)
