"""Template context shared by every page: site name, the visitor's role and their menu."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from dnscert.core.choices import Role
from dnscert.web.navigation import PUBLIC, items_for


def role_of(user: Any) -> str:
    """The role the web faces use for ``user``: superusers count as staff, anonymous as public."""
    if user is None or not user.is_authenticated:
        return PUBLIC
    if getattr(user, "is_core_staff", False):
        return Role.STAFF.value
    return str(getattr(user, "role", PUBLIC))


def platform(request: HttpRequest) -> dict[str, Any]:
    """Add ``SITE_NAME``, ``user_role`` and ``nav_items`` (the visitor's menu) to every page."""
    user = getattr(request, "user", None)
    role = role_of(user)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "user_role": role,
        "nav_items": items_for(role, is_django_admin=bool(getattr(user, "is_staff", False))),
    }
