"""Filters for insight templates: Markdown escaping and readable figures."""

from __future__ import annotations

from typing import Any

from django import template

from dnscert.insight.export import md_cell as _md_cell
from dnscert.insight.export import md_text as _md_text

register = template.Library()


@register.filter
def md_text(value: Any) -> str:
    """Escape Markdown specials in free text."""
    return _md_text(value)


@register.filter
def md_cell(value: Any) -> str:
    """Escape a value for one Markdown table cell."""
    return _md_cell(value)


@register.filter
def figure(value: Any) -> str:
    """A figure for display: ``—`` when missing."""
    return "—" if value is None or value == "" else str(value)


@register.filter
def md_block(value: Any) -> str:
    """Free text as a Markdown block quote, each line escaped."""
    lines = str(value or "").splitlines()
    if not any(line.strip() for line in lines):
        return "—"
    return "\n".join(f"> {_md_text(line)}".rstrip() for line in lines)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]``, or the key itself when missing."""
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return key
