"""Request middleware: MFA enforcement and the request context used by the audit log."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "current_request", default=None
)

MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/", "/public/", "/health")


class RequestContextMiddleware:
    """Make the current request reachable from services (for the audit log's IP and agent)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class RequireMFAMiddleware:
    """Send staff and responders who have not passed a TOTP check to the MFA pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.DNSCERT_REQUIRE_MFA
            and user is not None
            and user.is_authenticated
            and getattr(user, "needs_mfa", False)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            return redirect("mfa-verify")
        return self.get_response(request)
