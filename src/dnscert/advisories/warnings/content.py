"""What a warning says on each channel: e-mail text and HTML, webhook JSON, links."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from dnscert.advisories.warnings.models import Warning
from dnscert.delivery.services import render_email

PURPOSE_WARNING = "warning"
PURPOSE_REMINDER = "reminder"
PURPOSES = (PURPOSE_WARNING, PURPOSE_REMINDER)


def absolute(path: str) -> str:
    """``path`` on the platform's public address (``DNSCERT_SITE_URL``)."""
    return f"{settings.SITE_URL}{path}"


def ack_url(warning: Warning) -> str:
    """The acknowledgement link: GET shows the warning, POST acknowledges it."""
    return absolute(reverse("warnings:ack", args=[warning.ack_token]))


def portal_url(warning: Warning) -> str:
    """The warning's page in the member portal."""
    return absolute(reverse("warnings:portal-detail", args=[warning.reference]))


def _context(warning: Warning, purpose: str) -> dict[str, Any]:
    return {
        "warning": warning,
        "reminder": purpose == PURPOSE_REMINDER,
        "ack_url": ack_url(warning),
        "portal_url": portal_url(warning),
        "tlp_label": f"TLP:{warning.tlp}",
    }


def email_text(warning: Warning, language: str, purpose: str) -> tuple[str, str]:
    """(subject, plain-text body) in ``language`` (English when no template exists)."""
    return render_email("warnings/email/warning", _context(warning, purpose), language)


def email_html(warning: Warning, language: str, purpose: str) -> str:
    """The HTML alternative of the e-mail, in ``language``."""
    with translation.override(language):
        return render_to_string("warnings/email/warning.html", _context(warning, purpose))


def payload(warning: Warning, purpose: str) -> dict[str, Any]:
    """The JSON document POSTed to webhooks."""
    return {
        "type": f"dnscert.warning.{purpose}",
        "reference": warning.reference,
        "kind": warning.kind,
        "rule": warning.rule,
        "severity": warning.severity,
        "tlp": f"TLP:{warning.tlp}",
        "organisation": warning.organisation.short_name,
        "title": warning.title,
        "body": warning.body,
        "tlds": warning.tlds,
        "created_at": warning.created_at.isoformat(),
        "acknowledge_url": ack_url(warning),
        "url": portal_url(warning),
    }
