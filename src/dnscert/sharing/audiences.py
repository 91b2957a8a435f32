"""TAXII collections by audience: public (TLP:CLEAR), community (TLP:GREEN) and one per
organisation (TLP:AMBER and AMBER+STRICT addressed to it). TLP:RED is never shared.

Collection ids are UUIDv5, stable across restarts. Who may read a collection is decided
here; which objects of it a user then gets is decided by :func:`dnscert.core.visibility.visible`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.core.visibility import is_core_staff, is_signed_in, visible
from dnscert.directory.models import Organisation
from dnscert.sharing.choices import Audience
from dnscert.sharing.models import SharedObject
from dnscert.sharing.stix import NAMESPACE

PUBLIC_ID = uuid.uuid5(NAMESPACE, "collection:public")
COMMUNITY_ID = uuid.uuid5(NAMESPACE, "collection:community")


@dataclass(frozen=True)
class Collection:
    """One TAXII collection."""

    id: uuid.UUID
    audience: str
    title: str
    description: str
    tlp: TLP
    organisation: Organisation | None = None

    def as_taxii(self, user: Any) -> dict[str, Any]:
        """The TAXII 2.1 collection resource as ``user`` sees it."""
        return {
            "id": str(self.id),
            "title": self.title,
            "description": self.description,
            "can_read": True,
            "can_write": is_core_staff(user),
            "media_types": ["application/stix+json;version=2.1"],
        }

    @property
    def slug(self) -> str:
        """``public``, ``community`` or ``org-<pk>``, for URLs of the MISP feed and pages."""
        return self.audience if self.organisation is None else f"org-{self.organisation.pk}"


def public() -> Collection:
    return Collection(
        PUBLIC_ID,
        Audience.PUBLIC,
        _("Public"),
        _("TLP:CLEAR indicators, for anyone."),
        TLP.CLEAR,
    )


def community() -> Collection:
    return Collection(
        COMMUNITY_ID,
        Audience.COMMUNITY,
        _("Community"),
        _("TLP:GREEN indicators, for the signed-in constituency."),
        TLP.GREEN,
    )


def org_collection_id(org_id: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"collection:organisation:{org_id}")


def for_organisation(org: Organisation) -> Collection:
    return Collection(
        org_collection_id(org.pk),
        Audience.ORGANISATION,
        _("%(name)s (TLP:AMBER)") % {"name": org.name},
        _("TLP:AMBER and TLP:AMBER+STRICT indicators addressed to %(name)s.") % {"name": org.name},
        TLP.AMBER,
        org,
    )


def for_label(label: TLP, organisations: list[Organisation]) -> list[Collection]:
    """The collections an object labelled ``label`` goes to; RED is refused."""
    if label == TLP.RED:
        raise InvalidInput("tlp", "TLP:RED is for named recipients only and is never shared")
    if label == TLP.CLEAR:
        return [public()]
    if label == TLP.GREEN:
        return [community()]
    if not organisations:
        raise InvalidInput("tlp", f"{label.label_text} needs at least one recipient organisation")
    return [for_organisation(org) for org in organisations]


def may_read(user: Any, collection: Collection) -> bool:
    """Public: anyone; community: signed-in users; an organisation's: its members and staff."""
    if collection.audience == Audience.PUBLIC or is_core_staff(user):
        return True
    if collection.audience == Audience.COMMUNITY:
        return is_signed_in(user)
    org = collection.organisation
    return is_signed_in(user) and org is not None and user.organisation_id == org.pk


def readable(user: Any) -> list[Collection]:
    """The collections ``user`` may read, public first."""
    found = [public()]
    if is_signed_in(user):
        found.append(community())
    if is_core_staff(user):
        org_ids = SharedObject.objects.filter(organisation__isnull=False).values("organisation")
        orgs = Organisation.objects.filter(pk__in=org_ids).order_by("name")
        found.extend(for_organisation(org) for org in orgs)
    elif is_signed_in(user) and getattr(user, "organisation", None) is not None:
        found.append(for_organisation(user.organisation))
    return found


def find(user: Any, collection_id: str) -> Collection | None:
    """The collection ``collection_id`` if ``user`` may read it, else None (unknown or hidden)."""
    for collection in readable(user):
        if str(collection.id) == collection_id.lower():
            return collection
    return None


def objects_in(user: Any, collection: Collection) -> QuerySet[SharedObject]:
    """The rows of ``collection`` that the visibility rule lets ``user`` see."""
    return visible(user, SharedObject.objects.filter(collection=collection.id))
