"""Who may announce planned delegation changes (the change itself is ``watch.plan_change``).

A constituent member announces a planned change window for one of their own organisation's
zones; staff may announce one for any zone; responders and the public may not.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from dnscert.core.choices import Role
from dnscert.core.visibility import is_core_staff, is_signed_in
from dnscert.dnshealth.choices import TargetKind
from dnscert.dnshealth.models import MonitoringTarget


def plannable_targets(user: Any) -> QuerySet[MonitoringTarget]:
    """Zones ``user`` may announce changes for: staff any zone, members their own zones."""
    zones = MonitoringTarget.objects.exclude(kind=TargetKind.NAMESERVER).order_by("name")
    if is_core_staff(user):
        return zones
    if is_signed_in(user) and user.role == Role.MEMBER and user.organisation_id:
        return zones.filter(organisation_id=user.organisation_id)
    return zones.none()


def can_plan_for(user: Any, target: MonitoringTarget) -> bool:
    """True when ``user`` may announce a planned change for ``target``."""
    return plannable_targets(user).filter(pk=target.pk).exists()
