"""The audit log: who did what to which object, when, and from where.

Every state change in a service function calls :func:`record`; reads of AMBER, AMBER+STRICT
and RED objects call :func:`record_read`. The request in progress (set by
``RequestContextMiddleware``) supplies the IP address and user agent; outside a request the
channel is ``cli`` unless a job runner wraps the work in :func:`channel`.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.http import HttpRequest

from dnscert.core.choices import TLP
from dnscert.core.http_client import client_ip
from dnscert.core.middleware import current_request
from dnscert.core.models import AuditEvent

Action = AuditEvent.Action

#: Labels whose reads are recorded.
RECORDED_READ_LABELS = frozenset({TLP.AMBER, TLP.AMBER_STRICT, TLP.RED})


class Via:
    """The channels an action can come through."""

    WEB = "web"
    API = "api"
    CLI = "cli"
    JOB = "job"


_current_channel: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "audit_channel", default=None
)


@contextmanager
def channel(via: str) -> Iterator[None]:
    """Record everything inside the block as coming through ``via`` (e.g. ``Via.JOB``)."""
    token = _current_channel.set(via)
    try:
        yield
    finally:
        _current_channel.reset(token)


def record(
    actor: Any,
    action: str,
    obj: Model | None = None,
    *,
    changes: Mapping[str, Any] | None = None,
    tlp: str | None = None,
    via: str | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Write one audit event and return it.

    ``actor`` may be None or anonymous (the system or the public acted). ``tlp`` defaults to
    the object's label; ``object_repr`` to ``str(obj)``.
    """
    request = current_request.get()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=_actor_label(actor),
        action=Action(action),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr if object_repr is not None else _repr(obj))[:300],
        tlp=_tlp_of(obj, tlp),
        changes=json_safe(dict(changes or {})),
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300] if request else "",
        via=via or _current_channel.get() or _via_of(request),
    )


def record_read(user: Any, obj: Model) -> AuditEvent | None:
    """Record that ``user`` read ``obj`` when it is AMBER, AMBER+STRICT or RED."""
    label = TLP.parse(obj.tlp)  # type: ignore[attr-defined]
    if label not in RECORDED_READ_LABELS:
        return None
    return record(user, Action.READ, obj)


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """``{field: [old, new]}`` for every key whose value differs (missing counts as None)."""
    keys = [*before, *(key for key in after if key not in before)]
    return {
        key: json_safe([before.get(key), after.get(key)])
        for key in keys
        if before.get(key) != after.get(key)
    }


def snapshot(obj: Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The values of ``obj``'s concrete fields (foreign keys as ids), to diff before/after."""
    names = fields or [f.name for f in obj._meta.concrete_fields]
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        values[name] = getattr(obj, field.attname)  # type: ignore[union-attr]
    return json_safe(values)


class _LenientEncoder(DjangoJSONEncoder):
    """Django's encoder, falling back to ``str()`` for anything else (files, model objects)."""

    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def json_safe(value: Any) -> Any:
    """``value`` with dates, decimals, UUIDs and lazy strings turned into JSON types."""
    return json.loads(json.dumps(value, cls=_LenientEncoder))


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if not getattr(actor, "is_authenticated", False):
        return "anonymous"
    return str(actor.get_username())[:150]


def _repr(obj: Model | None) -> str:
    return "" if obj is None else str(obj)


def _tlp_of(obj: Model | None, tlp: str | None) -> str:
    label = tlp if tlp is not None else getattr(obj, "tlp", "")
    return TLP.parse(label).value if label else ""


def _via_of(request: HttpRequest | None) -> str:
    if request is None:
        return Via.CLI
    return Via.API if request.path.startswith("/api/") else Via.WEB
