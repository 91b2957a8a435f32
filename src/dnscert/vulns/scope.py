"""Who sees which case, vendor row and message: the one access rule of vulnerability cases.

* Core staff see everything.
* Anyone else sees a case only when the TLP rule (:func:`dnscert.core.visibility.visible`)
  allows it AND they take part in it: a member of a vendor organisation that has been
  notified (a vendor merely proposed, not yet contacted, does not see the case), the reporter
  (a named recipient), or a responder assigned to the case.
* Inside a case, a participant reads the messages addressed to all participants and those
  addressed to their own organisation; never another vendor's private messages, never
  coordinator-only notes. A reporter without a vendor organisation reads messages to all.
* Vendors see the vendor table only for their own row; coordinators see all rows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from dnscert.core.choices import Role
from dnscert.core.visibility import is_core_staff, is_signed_in, visible
from dnscert.vulns.choices import Audience, VendorStatus
from dnscert.vulns.models import Case, CaseMessage, CaseVendor


def is_coordinator(user: Any) -> bool:
    """Core staff coordinate every case."""
    return is_core_staff(user)


def _org_id(user: Any) -> int | None:
    return getattr(user, "organisation_id", None) if is_signed_in(user) else None


def _taking_part(user: Any) -> Q:
    """Cases ``user`` takes part in: notified vendor org, reporter, or assigned responder."""
    condition = Q(named_recipients=user.pk) | Q(participants__user=user.pk)
    if getattr(user, "role", None) == Role.RESPONDER:
        condition |= Q(assignees=user.pk)
    org_id = _org_id(user)
    if org_id:
        notified = CaseVendor.objects.filter(case=OuterRef("pk"), organisation_id=org_id).exclude(
            status=VendorStatus.NOT_CONTACTED
        )
        condition |= Q(Exists(notified))
    return condition


def cases_for(user: Any, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The cases ``user`` may open."""
    base = Case.objects.all() if queryset is None else queryset
    if is_core_staff(user):
        return base
    if not is_signed_in(user):
        return base.none()
    ids = Case.objects.filter(_taking_part(user)).values("pk")
    return visible(user, base).filter(pk__in=ids)


def get_case_or_404(user: Any, reference: str) -> Case:
    """The case ``reference`` when ``user`` may open it; a 404 otherwise (never a 403)."""
    case = cases_for(user).filter(reference=reference).first()
    if case is None:
        raise Http404("No such case.")
    return case


def can_open(user: Any, case: Case) -> bool:
    return cases_for(user).filter(pk=case.pk).exists()


def vendor_row(user: Any, case: Case) -> CaseVendor | None:
    """The vendor row of ``user``'s organisation on ``case``, if notified."""
    org_id = _org_id(user)
    if not org_id:
        return None
    return (
        CaseVendor.objects.filter(case=case, organisation_id=org_id)
        .exclude(status=VendorStatus.NOT_CONTACTED)
        .first()
    )


def messages_for(user: Any, case: Case) -> QuerySet[CaseMessage]:
    """The messages of ``case`` that ``user`` may read (``case`` already checked)."""
    messages = CaseMessage.objects.filter(case=case)
    if is_coordinator(user):
        return messages
    condition = Q(audience=Audience.ALL)
    org_id = _org_id(user)
    if org_id:
        condition |= Q(audience=Audience.VENDOR, audience_vendor__organisation_id=org_id)
    return messages.filter(condition)


def vendors_for(user: Any, case: Case) -> QuerySet[CaseVendor]:
    """The vendor rows of ``case`` that ``user`` may see: all for coordinators, else their own."""
    vendors = CaseVendor.objects.filter(case=case)
    if is_coordinator(user):
        return vendors
    org_id = _org_id(user)
    if not org_id:
        return vendors.none()
    return vendors.filter(organisation_id=org_id).exclude(status=VendorStatus.NOT_CONTACTED)
