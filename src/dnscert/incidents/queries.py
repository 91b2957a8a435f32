"""Who sees and may do what on incidents: every read goes through these functions.

Incidents are scoped by :mod:`dnscert.core.visibility` (TLP and relations). A journal entry
is visible when the viewer sees the incident *and* the entry's own TLP label grants access
through the same relations (an internal TLP:RED note stays with staff, assignees and named
recipients); authors always see their own entries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dnscert.core.choices import TLP, Role
from dnscert.core.visibility import (
    ACCESS,
    RELATION_CONDITIONS,
    Relation,
    get_visible_or_404,
    is_core_staff,
    is_signed_in,
    visible,
)
from dnscert.incidents.models import Incident, Indicator, JournalEntry, Participant, Task


def visible_incidents(user: Any) -> QuerySet[Incident]:
    """The incidents ``user`` may see."""
    return visible(user, Incident.objects.all())


def incident_list(user: Any) -> QuerySet[Incident]:
    """Visible incidents with what the list page prints, newest first."""
    return visible_incidents(user).select_related("assignee").order_by("-created_at", "-id")


def get_incident(user: Any, reference: str) -> Incident:
    """The incident ``reference`` if ``user`` may see it, else a 404."""
    return get_visible_or_404(
        user,
        Incident.objects.select_related("assignee", "owner_organisation"),
        reference=reference.upper(),
    )


def relations(user: Any, incident: Incident) -> set[Relation]:
    """How ``user`` stands to ``incident`` (the relations of the visibility table)."""
    found = {Relation.PUBLIC}
    if not is_signed_in(user):
        return found
    found.add(Relation.COMMUNITY)
    org_id = getattr(user, "organisation_id", None)
    if org_id and incident.owner_organisation_id == org_id:
        found.add(Relation.OWNER_ORG)
    if org_id and incident.recipient_organisations.filter(pk=org_id).exists():
        found.add(Relation.RECIPIENT_ORG)
    if org_id and incident.recipient_organisations.filter(clients=org_id).exists():
        found.add(Relation.CLIENT_OF_RECIPIENT)
    if incident.named_recipients.filter(pk=user.pk).exists():
        found.add(Relation.NAMED)
    if incident.assignee_id == user.pk or incident.assignees.filter(pk=user.pk).exists():
        found.add(Relation.ASSIGNED)
    return found


def journal_labels(user: Any, incident: Incident) -> list[str]:
    """The TLP labels of the incident's journal entries ``user`` may read."""
    if is_core_staff(user):
        return list(TLP.values)
    held = relations(user, incident)
    return [label.value for label, granted in ACCESS.items() if granted & held]


def visible_journal(user: Any, incident: Incident) -> QuerySet[JournalEntry]:
    """The incident's journal entries ``user`` may read, oldest first."""
    entries = incident.journal.select_related("author", "organisation")
    if is_core_staff(user):
        return entries.all()
    condition = Q(tlp__in=journal_labels(user, incident))
    if is_signed_in(user):
        condition |= Q(author=user)
    return entries.filter(condition)


def journal_for(user: Any) -> QuerySet[JournalEntry]:
    """Journal entries across every visible incident that ``user`` may read (for the API)."""
    entries = JournalEntry.objects.select_related("incident", "author", "organisation")
    seen = visible_incidents(user)
    if is_core_staff(user):
        return entries.all()
    allowed = Q(pk__in=[])
    for label, granted in ACCESS.items():
        condition = _granting(user, granted)
        if condition is not None:
            allowed |= Q(tlp=label.value, incident__in=seen.filter(condition))
    if is_signed_in(user):
        allowed |= Q(author=user, incident__in=seen)
    return entries.filter(allowed)


def _granting(user: Any, granted: frozenset[Relation]) -> Q | None:
    """Condition on incidents for which ``user`` holds one of the ``granted`` relations."""
    result: Q | None = None
    for relation in granted:
        condition = RELATION_CONDITIONS[relation](Incident, user)
        if condition is not None:
            result = condition if result is None else result | condition
    return result


def is_team(user: Any) -> bool:
    """Core staff or an extended-team responder."""
    return is_core_staff(user) or (
        is_signed_in(user) and getattr(user, "role", None) == Role.RESPONDER
    )


def can_create(user: Any) -> bool:
    """Staff and responders open incidents."""
    return is_team(user)


def can_manage(user: Any, incident: Incident) -> bool:
    """Staff manage every incident; a responder the ones assigned to them."""
    if is_core_staff(user):
        return True
    return is_team(user) and Relation.ASSIGNED in relations(user, incident)


def participation(user: Any, incident: Incident) -> Participant | None:
    """The participant record of ``user``'s organisation on ``incident``, if any."""
    org_id = getattr(user, "organisation_id", None) if is_signed_in(user) else None
    if not org_id or getattr(user, "role", None) != Role.MEMBER:
        return None
    return (
        incident.participants.select_related("organisation").filter(organisation_id=org_id).first()
    )


def visible_participants(user: Any) -> QuerySet[Participant]:
    """Participants of the incidents ``user`` may see."""
    return Participant.objects.select_related("incident", "organisation").filter(
        incident__in=visible_incidents(user)
    )


def visible_tasks(user: Any) -> QuerySet[Task]:
    """Tasks: all of visible incidents for the team, own organisation's for members."""
    tasks = Task.objects.select_related("incident", "owner", "owner_organisation").filter(
        incident__in=visible_incidents(user)
    )
    if is_team(user):
        return tasks
    org_id = getattr(user, "organisation_id", None)
    return tasks.filter(owner_organisation_id=org_id) if org_id else tasks.none()


def visible_indicators(user: Any) -> QuerySet[Indicator]:
    """Indicators of the incidents ``user`` may see."""
    return Indicator.objects.select_related("incident").filter(incident__in=visible_incidents(user))


def portal_incidents(user: Any) -> QuerySet[Incident]:
    """The incidents the user's organisation takes part in (or owns) that the user may see."""
    org_id = getattr(user, "organisation_id", None) if is_signed_in(user) else None
    if not org_id:
        return Incident.objects.none()
    mine = Q(participants__organisation_id=org_id) | Q(owner_organisation_id=org_id)
    return visible_incidents(user).filter(mine).distinct().order_by("-created_at")
