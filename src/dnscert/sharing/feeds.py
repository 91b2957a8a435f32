"""Which shares each MISP feed holds: the public feed has TLP:CLEAR (and TLP:GREEN for a
signed-in subscriber); an organisation's feed has the TLP:AMBER and AMBER+STRICT shares
addressed to it, for its members and staff. TLP:RED is never in any feed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from dnscert.core.choices import TLP
from dnscert.core.visibility import is_core_staff, is_signed_in, visible
from dnscert.directory.models import Organisation
from dnscert.sharing.models import Share


def public_shares(user: Any) -> QuerySet[Share]:
    """CLEAR shares, plus GREEN ones when ``user`` is signed in."""
    labels = [TLP.CLEAR, TLP.GREEN] if is_signed_in(user) else [TLP.CLEAR]
    return visible(user, Share.objects.filter(tlp__in=labels)).order_by("created_at", "id")


def may_read_org_feed(user: Any, org: Organisation) -> bool:
    """Members of ``org`` and core staff."""
    return is_core_staff(user) or (is_signed_in(user) and user.organisation_id == org.pk)


def organisation_shares(user: Any, org: Organisation) -> QuerySet[Share]:
    """AMBER and AMBER+STRICT shares addressed to ``org`` that ``user`` may see."""
    if not may_read_org_feed(user, org):
        return Share.objects.none()
    shares = Share.objects.filter(
        tlp__in=[TLP.AMBER, TLP.AMBER_STRICT], recipient_organisations=org
    )
    return visible(user, shares).order_by("created_at", "id")
