"""Request middleware: MFA enforcement and the request context used by the audit log."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "current_request", default=None
)

#: Session flag set at password sign-in when the user must still pass a TOTP check
#: (staff and responders, and any user who enrolled a device).
MFA_PENDING_SESSION_KEY = "dnscert_mfa_pending"

#: Pages reachable before the second factor: signing in and out, MFA itself, password reset,
#: static files and public pages. The API token page is deliberately NOT exempt.
MFA_EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/mfa/",
    "/accounts/password-reset/",
    "/static/",
    "/i18n/",
    "/public/",
    "/health",
)
API_PREFIX = "/api/"


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


def mfa_outstanding(request: HttpRequest) -> bool:
    """True when the signed-in session user still has to pass a TOTP check."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_verified():
        return False
    required = settings.DNSCERT_REQUIRE_MFA and getattr(user, "needs_mfa", False)
    return bool(required or request.session.get(MFA_PENDING_SESSION_KEY))


class RequireMFAMiddleware:
    """Send session users who have not passed a required TOTP check to the MFA pages.

    Web pages redirect to ``mfa-verify``; API calls authenticated by the session cookie get
    403. API calls with an ``Authorization`` header are machine clients with a token and are
    left to the token authentication.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(MFA_EXEMPT_PREFIXES) or not mfa_outstanding(request):
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            if request.META.get("HTTP_AUTHORIZATION"):
                return self.get_response(request)
            detail = "Pass the second sign-in factor (TOTP) first, or use an API token."
            return JsonResponse({"detail": detail}, status=403)
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('mfa-verify')}?{query}")
