"""Template helpers of the DNS health pages: zone links, status and level badges, diffs."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from dnscert.dnshealth.choices import HealthStatus
from dnscert.dnshealth.queries import url_name

register = template.Library()


@register.filter
def zone_url(name: str) -> str:
    """The page of the zone called ``name`` (the root included)."""
    return reverse("dnshealth:zone", args=[url_name(name)])


@register.filter
def status_label(status: str) -> str:
    """The human label of a status value (``red`` -> ``Broken``)."""
    try:
        return str(HealthStatus(status).label)
    except ValueError:
        return status


@register.filter
def level_class(level: str | None) -> str:
    """The CSS class of a message level badge."""
    return f"level-{(level or 'info').lower()}"


@register.filter
def glue_text(addresses: Any) -> str:
    """Glue addresses of one name server as ``a, b``."""
    return ", ".join(addresses) if isinstance(addresses, list) else str(addresses or "")


@register.simple_tag
def glue_rows(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Name servers whose glue differs between two snapshots: ``{ns, old, new}``."""
    names = sorted(set(old) | set(new))
    return [
        {"ns": name, "old": old.get(name, []), "new": new.get(name, [])}
        for name in names
        if sorted(old.get(name, [])) != sorted(new.get(name, []))
    ]
