"""Signal receivers: sign-ins, failed sign-ins and sign-outs go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from dnscert.core import audit


@receiver(user_logged_in, dispatch_uid="dnscert.audit.login")
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Record a successful sign-in."""
    audit.record(user, audit.Action.LOGIN, user)


@receiver(user_login_failed, dispatch_uid="dnscert.audit.login_failed")
def record_failed_login(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    """Record a failed sign-in with the username tried (never the password)."""
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        AnonymousUser(),
        audit.Action.LOGIN_FAILED,
        changes={"username": username},
        object_repr=username,
    )


@receiver(user_logged_out, dispatch_uid="dnscert.audit.logout")
def record_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Record a sign-out (``user`` is None when the session had expired)."""
    if user is not None:
        audit.record(user, audit.Action.LOGOUT, user)
