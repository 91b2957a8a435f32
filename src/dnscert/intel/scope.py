"""Who sees which threat data: the scoping rule of events and aggregates.

Core staff and responders see every event. A constituent member sees only the events about
their own organisation: events under a TLD their organisation runs (``registry_org``) and
events about domains their organisation sponsors as registrar (``registrar_org``). Anyone
else (anonymous, members without an organisation) sees nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dnscert.core.choices import Role
from dnscert.core.permissions import has_role
from dnscert.intel.models import Event


def is_team(user: Any) -> bool:
    """True for core staff and responders, who see all threat data."""
    return has_role(user, Role.STAFF, Role.RESPONDER)


def member_organisation_id(user: Any) -> int | None:
    """The organisation id of a constituent member, else ``None``."""
    if has_role(user, Role.MEMBER):
        return getattr(user, "organisation_id", None)
    return None


def scope_events(user: Any, events: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """``events`` (all events by default) narrowed to what ``user`` may see."""
    rows = Event.objects.all() if events is None else events
    if is_team(user):
        return rows
    organisation_id = member_organisation_id(user)
    if organisation_id is None:
        return rows.none()
    return rows.filter(Q(registry_org_id=organisation_id) | Q(registrar_org_id=organisation_id))


def may_see_threat_data(user: Any) -> bool:
    """True for users with any threat data to see (team, or a member of an organisation)."""
    return is_team(user) or member_organisation_id(user) is not None
