"""Paging the on-call responder when a high or critical incident is opened.

The on-call rota lives in :mod:`dnscert.directory.oncall`; it is imported when a page is sent,
so a deployment without it fails the paging job with a clear error instead of breaking
incident creation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from dnscert.core.exceptions import DnscertError
from dnscert.incidents.models import Incident


class PagingUnavailable(DnscertError):
    """The on-call service cannot be reached from this deployment."""


def incident_url(incident: Incident) -> str:
    """The absolute URL of the incident page (``SITE_URL`` + path)."""
    return f"{settings.SITE_URL}{incident.get_absolute_url()}"


def page_body(incident: Incident) -> str:
    """The text a responder reads when paged: no TLP-restricted detail beyond the title."""
    return (
        f"{incident.reference}: {incident.title}\n"
        f"Severity: {incident.severity}\nCategory: {incident.category}\n"
        f"TLP:{incident.tlp}\n\n{incident_url(incident)}\n"
    )


def page_on_call(incident: Incident) -> Any:
    """Page whoever is on call about ``incident``; returns the on-call ``Page``."""
    try:
        from dnscert.directory.oncall.services import page
    except ImportError as error:
        raise PagingUnavailable(
            f"cannot page on-call for {incident.reference}: "
            f"dnscert.directory.oncall.services.page is unavailable ({error})"
        ) from error
    return page(
        subject=f"[{incident.reference}] {incident.get_severity_display()}: {incident.title}",
        body=page_body(incident),
        url=incident_url(incident),
        severity=incident.severity,
        about=incident,
        reference=incident.reference,
    )
