"""The sharing rule: who may see which shareable object, by TLP 2.0 label and relation.

The rule is the table :data:`ACCESS`: for each TLP label, the relations between a user and
an object that grant access. Every query for shareable objects goes through :func:`visible`
(a queryset filter built from the table) and every single-object check through
:func:`can_see` (which runs the same filter on that one object). Core staff see everything;
anonymous and inactive users are the public.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from dnscert.core.choices import TLP, Role


class Relation(enum.Enum):
    """How a user stands to a shareable object."""

    PUBLIC = "anyone, including anonymous visitors"
    COMMUNITY = "any signed-in active user"
    OWNER_ORG = "member of the owner organisation"
    RECIPIENT_ORG = "member of a recipient organisation"
    CLIENT_OF_RECIPIENT = "member of a client of a recipient organisation"
    NAMED = "named recipient"
    ASSIGNED = "assignee"


R = Relation

#: THE sharing rule: TLP label -> relations that grant access (TLP 2.0, FIRST 2022).
ACCESS: Mapping[TLP, frozenset[Relation]] = {
    TLP.CLEAR: frozenset({R.PUBLIC}),
    TLP.GREEN: frozenset({R.COMMUNITY}),
    TLP.AMBER: frozenset(
        {R.OWNER_ORG, R.RECIPIENT_ORG, R.CLIENT_OF_RECIPIENT, R.NAMED, R.ASSIGNED}
    ),
    TLP.AMBER_STRICT: frozenset({R.OWNER_ORG, R.RECIPIENT_ORG, R.NAMED, R.ASSIGNED}),
    TLP.RED: frozenset({R.NAMED, R.ASSIGNED}),
}

if set(ACCESS) != set(TLP):  # pragma: no cover - guards future edits of the table
    raise RuntimeError("the visibility table must cover every TLP label")

M = TypeVar("M", bound=Model)
ALWAYS = Q(pk__isnull=False)


def is_core_staff(user: Any) -> bool:
    """True for active core staff and superusers, who see every shareable object."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (getattr(user, "role", None) == Role.STAFF or user.is_superuser)
    )


def is_signed_in(user: Any) -> bool:
    """True for an authenticated, active user; everyone else counts as the public."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def _through_exists(model: type[Model], field: str, **target: Any) -> Exists:
    """``EXISTS`` on the many-to-many table of ``field`` for the outer object (no join)."""
    m2m = model._meta.get_field(field)
    through = m2m.remote_field.through  # type: ignore[union-attr]
    source = m2m.m2m_field_name()  # type: ignore[union-attr]
    rows = through._default_manager.filter(**{source: OuterRef("pk")}, **target)
    return Exists(rows)


def _public(model: type[Model], user: Any) -> Q | None:
    return ALWAYS


def _community(model: type[Model], user: Any) -> Q | None:
    return ALWAYS if is_signed_in(user) else None


def _owner_org(model: type[Model], user: Any) -> Q | None:
    org_id = _org_id(user)
    return Q(owner_organisation_id=org_id) if org_id else None


def _recipient_org(model: type[Model], user: Any) -> Q | None:
    org_id = _org_id(user)
    if not org_id:
        return None
    return Q(_through_exists(model, "recipient_organisations", organisation_id=org_id))


def _client_of_recipient(model: type[Model], user: Any) -> Q | None:
    org_id = _org_id(user)
    if not org_id:
        return None
    return Q(_through_exists(model, "recipient_organisations", organisation__clients=org_id))


def _named(model: type[Model], user: Any) -> Q | None:
    if not is_signed_in(user):
        return None
    return Q(_through_exists(model, "named_recipients", user_id=user.pk))


def _assigned(model: type[Model], user: Any) -> Q | None:
    if not is_signed_in(user):
        return None
    return Q(_through_exists(model, "assignees", user_id=user.pk))


def _org_id(user: Any) -> int | None:
    return getattr(user, "organisation_id", None) if is_signed_in(user) else None


#: How each relation reads as a query condition; ``None`` means it can never hold for the user.
RELATION_CONDITIONS: Mapping[Relation, Callable[[type[Model], Any], Q | None]] = {
    R.PUBLIC: _public,
    R.COMMUNITY: _community,
    R.OWNER_ORG: _owner_org,
    R.RECIPIENT_ORG: _recipient_org,
    R.CLIENT_OF_RECIPIENT: _client_of_recipient,
    R.NAMED: _named,
    R.ASSIGNED: _assigned,
}


def visibility_condition(model: type[Model], user: Any) -> Q | None:
    """The condition, built from :data:`ACCESS`, for objects ``user`` may see (None: none)."""
    condition: Q | None = None
    for label, relations in ACCESS.items():
        granted = _any_of(RELATION_CONDITIONS[relation](model, user) for relation in relations)
        if granted is not None:
            clause = Q(tlp=label.value) & granted
            condition = clause if condition is None else condition | clause
    return condition


def _any_of(conditions: Any) -> Q | None:
    result: Q | None = None
    for condition in conditions:
        if condition is not None:
            result = condition if result is None else result | condition
    return result


def visible(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """Restrict ``queryset`` of a shareable model to the objects ``user`` may see."""
    if is_core_staff(user):
        return queryset.all()
    condition = visibility_condition(queryset.model, user)
    return queryset.none() if condition is None else queryset.filter(condition)


def can_see(user: Any, obj: Model) -> bool:
    """True when ``user`` may see ``obj``; the object's TLP label must be a known one."""
    TLP.parse(obj.tlp)  # type: ignore[attr-defined]  # raises a clear ValueError if unknown
    if is_core_staff(user):
        return True
    manager = type(obj)._default_manager
    return visible(user, manager.filter(pk=obj.pk)).exists()


def get_visible_or_404(user: Any, queryset: QuerySet[M], **lookup: Any) -> M:
    """The object matching ``lookup`` among those ``user`` may see, or a 404 (never a 403).

    Answering 404 for hidden objects avoids confirming that they exist.
    """
    return get_object_or_404(visible(user, queryset), **lookup)


def who_may_see(label: str) -> frozenset[Relation]:
    """The relations that grant access to an object labelled ``label`` (for help texts)."""
    return ACCESS[TLP.parse(label)]
