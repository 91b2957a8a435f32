"""Who reads reports: core staff and extended-team responders (the on-call triage)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from dnscert.core.choices import Role
from dnscert.core.permissions import has_role
from dnscert.incidents.intake.models import Report

#: Roles that triage the intake queue.
TRIAGE_ROLES = (Role.STAFF, Role.RESPONDER)


def may_triage(user: Any) -> bool:
    """True for core staff and responders."""
    return has_role(user, *TRIAGE_ROLES)


def queue(user: Any) -> QuerySet[Report]:
    """The reports ``user`` may see: all for the triage roles, none for anyone else."""
    rows = Report.objects.select_related("incident", "organisation", "signer_contact")
    return rows if may_triage(user) else rows.none()
