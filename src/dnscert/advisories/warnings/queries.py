"""Who sees which warnings: the visibility rule, narrowed to the organisation for members."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from dnscert.advisories.warnings.models import Warning
from dnscert.core.choices import Role
from dnscert.core.visibility import visible


def warnings_for(user: Any) -> QuerySet[Warning]:
    """Warnings ``user`` may see (TLP rule); a member sees those addressed to their organisation."""
    rows = visible(user, Warning.objects.select_related("organisation"))
    if getattr(user, "role", None) == Role.MEMBER:
        rows = rows.filter(organisation_id=user.organisation_id)
    return rows.order_by("-created_at", "-id")
