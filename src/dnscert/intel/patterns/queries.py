"""Who sees which pattern objects: the scoping rule of this app, in one place.

Staff and responders (the team) see every campaign, list, alert and concentration figure.
A constituent member sees only the registry lists and alerts addressed to their own
organisation, and only once they were sent (the TLP rule of
:mod:`dnscert.core.visibility` applies on top). Only core staff change anything, except
that a member acknowledges and reports coverage on their own organisation's lists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from dnscert.core.choices import Role
from dnscert.core.permissions import has_role
from dnscert.core.visibility import is_core_staff, visible
from dnscert.intel.patterns.models import ConcentrationAlert, DgaCampaign, RegistryList


def is_team(user: Any) -> bool:
    """Core staff and responders."""
    return has_role(user, Role.STAFF, Role.RESPONDER)


def can_manage(user: Any) -> bool:
    """Core staff create and send campaigns, mark lists and review alerts."""
    return is_core_staff(user)


def campaigns(user: Any) -> QuerySet[DgaCampaign]:
    """Campaigns ``user`` may see (the team only)."""
    rows = DgaCampaign.objects.select_related("created_by")
    return rows if is_team(user) else rows.none()


def registry_lists(user: Any) -> QuerySet[RegistryList]:
    """Registry lists ``user`` may see, without their domain blobs."""
    rows = RegistryList.objects.defer("rows").select_related("campaign", "organisation")
    if is_team(user):
        return rows
    organisation_id = getattr(user, "organisation_id", None)
    if not has_role(user, Role.MEMBER) or organisation_id is None:
        return rows.none()
    own = rows.filter(organisation_id=organisation_id, sent_at__isnull=False)
    return visible(user, own)


def alerts(user: Any) -> QuerySet[ConcentrationAlert]:
    """Concentration alerts ``user`` may see, without their domain lists."""
    rows = ConcentrationAlert.objects.defer("domains_csv").select_related("organisation")
    if is_team(user):
        return rows
    organisation_id = getattr(user, "organisation_id", None)
    if not has_role(user, Role.MEMBER) or organisation_id is None:
        return rows.none()
    return visible(user, rows.filter(organisation_id=organisation_id))


def can_answer(user: Any, registry_list: RegistryList) -> bool:
    """True when ``user`` may acknowledge the list or report its coverage."""
    if can_manage(user):
        return registry_list.organisation_id is not None
    return registry_lists(user).filter(pk=registry_list.pk).exists() and not is_team(user)
