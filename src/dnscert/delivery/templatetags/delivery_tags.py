"""``{% delivery_status obj %}``: the delivery status table of any object, for other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from dnscert.delivery import conf
from dnscert.delivery.services import messages_about

register = template.Library()


@register.inclusion_tag("delivery/includes/messages_about.html")
def delivery_status(obj: Model, limit: int = 50) -> dict[str, Any]:
    """Render what was sent about ``obj`` (newest first, at most ``limit`` rows)."""
    return {"messages": list(messages_about(obj)[:limit])}


@register.simple_tag
def messages_sent_about(obj: Model) -> Any:
    """The messages about ``obj`` as a queryset, for ``{% messages_sent_about obj as rows %}``."""
    return messages_about(obj)


@register.simple_tag
def delivery_retention_days() -> int:
    """Days the delivery history is kept (0: forever), to say so under a delivery table."""
    return conf.retention_days()
