"""Template filters of the incident pages: durations, category labels, TLP badges."""

from __future__ import annotations

from datetime import timedelta

from django import template

from dnscert.incidents import sla, taxonomy

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A compact duration such as ``3h 05m``."""
    return sla.format_duration(value) if value is not None else ""


@register.filter
def category_label(value: str) -> str:
    """The display label of an incident category."""
    return taxonomy.label(value)


@register.filter
def tlp_class(value: str) -> str:
    """The CSS class of a TLP badge, e.g. ``tlp-amber-strict``."""
    return "tlp-" + (value or "").lower().replace("+", "-")
