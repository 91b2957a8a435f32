"""Template context shared by every page: site name and the signed-in user's role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "user_role": getattr(user, "role", "public") if user and user.is_authenticated else "public",
    }
