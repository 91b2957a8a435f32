"""Template tags used by every page: menu links that tolerate missing pages, TLP badges.

Load with ``{% load dnscert_web %}``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from dnscert.core.choices import TLP

register = template.Library()


def reverse_or_empty(url_name: str, *args: Any) -> str:
    """The path of ``url_name`` with ``args``, or "" when the name does not resolve."""
    try:
        return reverse(url_name, args=args or None)
    except NoReverseMatch:
        return ""


@register.simple_tag
def optional_url(url_name: str, *args: Any) -> str:
    """Like ``{% url %}`` but gives "" instead of failing when the page does not exist.

    ``{% optional_url "directory:organisation-detail" org.pk as link %}``
    """
    return reverse_or_empty(url_name, *args)


@register.simple_tag(takes_context=True)
def nav_link(context: template.Context, url_name: str, label: str, *args: Any) -> SafeString:
    """A menu entry ``<li><a>`` for ``url_name``; nothing at all if the name does not resolve.

    The link to the current page is marked ``aria-current="page"``.
    """
    href = reverse_or_empty(url_name, *args)
    if not href:
        return SafeString("")
    request = context.get("request")
    current = request is not None and request.path == href
    if current:
        return format_html('<li><a href="{}" aria-current="page">{}</a></li>', href, label)
    return format_html('<li><a href="{}">{}</a></li>', href, label)


def tlp_css_class(value: Any) -> str:
    """The CSS class of a TLP label: ``tlp-amber-strict`` for ``AMBER+STRICT``."""
    label = TLP.parse(str(value))
    return "tlp-" + label.value.lower().replace("+", "-")


@register.filter
def tlp_class(value: Any) -> str:
    """``{{ obj.tlp|tlp_class }}`` -> ``tlp-amber-strict``; "" for an empty or unknown label."""
    try:
        return tlp_css_class(value)
    except ValueError:
        return ""


@register.filter
def tlp_badge(value: Any) -> SafeString:
    """``{{ obj.tlp|tlp_badge }}`` -> a TLP 2.0 badge in the official colours on black."""
    try:
        label = TLP.parse(str(value))
    except ValueError:
        return SafeString("")
    return format_html(
        '<span class="badge {}">{}</span>', tlp_css_class(label.value), label.label_text
    )
