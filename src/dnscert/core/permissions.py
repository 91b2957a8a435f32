"""Who may call what: DRF permission classes and decorators/mixins for Django views.

Every app uses these; the names are stable. Anonymous visitors of a protected Django view are
sent to the login page; signed-in users lacking the role get 403. Object-level TLP checks
are not here: they belong to :mod:`dnscert.core.visibility`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from dnscert.core.choices import Role
from dnscert.core.visibility import is_core_staff, is_signed_in


def has_role(user: Any, *roles: str) -> bool:
    """True when ``user`` is signed in, active and has one of ``roles``.

    Superusers count as staff.
    """
    if not is_signed_in(user):
        return False
    if Role.STAFF in roles and is_core_staff(user):
        return True
    return getattr(user, "role", None) in roles


# --- DRF permission classes ------------------------------------------------------------------


class IsSignedIn(permissions.BasePermission):
    """Any signed-in, active user, whatever their role."""

    message = "Sign in (session or API token) to use this endpoint."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_signed_in(request.user)


class IsCoreStaff(permissions.BasePermission):
    """Core staff (role staff, or superuser) only."""

    message = "Only core staff may use this endpoint."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_core_staff(request.user)


class IsStaffOrResponder(permissions.BasePermission):
    """Core staff and extended-team responders."""

    message = "Only core staff and responders may use this endpoint."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return has_role(request.user, Role.STAFF, Role.RESPONDER)


class IsAuthenticatedMember(permissions.BasePermission):
    """A signed-in constituent member who belongs to an organisation."""

    message = "Only members of a constituent organisation may use this endpoint."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return has_role(user, Role.MEMBER) and getattr(user, "organisation_id", None) is not None


class ReadOnlyOrCoreStaff(permissions.BasePermission):
    """Anyone may read (the visibility rule filters what); only core staff may write."""

    message = "Only core staff may change this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in permissions.SAFE_METHODS or is_core_staff(request.user)


class SignedInReadOrCoreStaff(permissions.BasePermission):
    """Signed-in users may read (filtered by visibility); only core staff may write."""

    message = "Sign in to read this; only core staff may change it."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return is_signed_in(request.user)
        return is_core_staff(request.user)


# --- Django views ----------------------------------------------------------------------------

ViewFunc = Callable[..., HttpResponseBase]


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a view: anonymous -> login page, signed in without one of ``roles`` -> 403."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            refusal = refuse_unless_role(request, roles)
            return refusal or view(request, *args, **kwargs)

        return wrapper

    return decorator


def staff_required(view: ViewFunc) -> ViewFunc:
    """Decorate a view for core staff only (anonymous -> login page, others -> 403)."""
    return role_required(Role.STAFF)(view)


def signin_required(view: ViewFunc) -> ViewFunc:
    """Decorate a view for any signed-in active user (anonymous -> login page)."""
    return role_required(*Role.values)(view)


def refuse_unless_role(request: HttpRequest, roles: tuple[str, ...]) -> HttpResponse | None:
    """None when the user has one of ``roles``; a login redirect for the public; else 403."""
    if not is_signed_in(request.user):
        return redirect_to_login(request.get_full_path())
    if not has_role(request.user, *roles):
        raise PermissionDenied("Your role does not give access to this page.")
    return None


class RoleRequiredMixin:
    """Class-based view mixin: set ``required_roles``; same answers as :func:`role_required`."""

    required_roles: tuple[str, ...] = tuple(Role.values)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refusal = refuse_unless_role(request, self.required_roles)
        return refusal or super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class StaffRequiredMixin(RoleRequiredMixin):
    """Class-based view mixin for core staff only."""

    required_roles = (Role.STAFF,)
