"""Who may see and change what in the directory: the one rule every view and endpoint uses.

* Staff (core team) see and change everything.
* Responders (extended team) see the whole directory, because they need contacts at 3 a.m.,
  but change nothing.
* Constituent members see only their own organisation, its contacts and what it runs, and
  may create, edit and delete their own organisation's contacts.
* Anonymous visitors and inactive users see nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from dnscert.directory.models import (
    AutonomousSystem,
    Contact,
    NameserverHost,
    NetworkPrefix,
    Organisation,
    Product,
    Zone,
)

M = TypeVar("M", bound=Model)

# The field leading from each directory model to the organisation it belongs to.
ORGANISATION_PATH: dict[type[Model], str] = {
    Organisation: "pk",
    Zone: "organisation",
    NameserverHost: "organisation",
    NetworkPrefix: "organisation",
    AutonomousSystem: "organisation",
    Product: "vendor",
    Contact: "organisation",
}


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def sees_whole_directory(user: Any) -> bool:
    """Staff and responders read the whole directory."""
    return _is_signed_in(user) and bool(user.is_core_staff or user.is_responder)


def can_edit_directory(user: Any) -> bool:
    """Only staff create, change and delete organisations and what they run."""
    return _is_signed_in(user) and bool(user.is_core_staff)


def can_import(user: Any) -> bool:
    """Bulk import rewrites many organisations at once: staff only."""
    return can_edit_directory(user)


def is_member_of(user: Any, organisation: Organisation) -> bool:
    """True for a signed-in member of ``organisation``."""
    return _is_signed_in(user) and user.organisation_id == organisation.pk


def can_view_organisation(user: Any, organisation: Organisation) -> bool:
    """Staff and responders see every organisation; members their own."""
    return sees_whole_directory(user) or is_member_of(user, organisation)


def can_edit_organisation(user: Any, organisation: Organisation) -> bool:
    """Organisation details and what it runs are maintained by staff."""
    return can_edit_directory(user)


def can_edit_contacts(user: Any, organisation: Organisation) -> bool:
    """Staff edit every contact; members edit their own organisation's contacts."""
    if can_edit_directory(user):
        return True
    return is_member_of(user, organisation) and not sees_whole_directory(user)


def visible(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """Narrow ``queryset`` of any directory model to what ``user`` may see."""
    if sees_whole_directory(user):
        return queryset
    if not _is_signed_in(user) or user.organisation_id is None:
        return queryset.none()
    path = ORGANISATION_PATH[queryset.model]
    return queryset.filter(**{path: user.organisation_id})


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    """The organisations ``user`` may see."""
    return visible(user, Organisation.objects.all())


def contacts_visible_to(user: Any) -> QuerySet[Contact]:
    """The contacts ``user`` may see."""
    return visible(user, Contact.objects.select_related("organisation"))


def require(allowed: bool, message: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message or _("You may not change this part of the directory."))
