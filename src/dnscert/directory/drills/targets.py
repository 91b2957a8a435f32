"""Which contacts a drill probes: organisations by role and by name, then 24x7 or all contacts."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from dnscert.core.exceptions import InvalidInput
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.drills.choices import ContactScope
from dnscert.directory.drills.models import Drill
from dnscert.directory.models import Contact, Organisation


def clean_kinds(kinds: Iterable[str]) -> list[str]:
    """The organisation roles, checked and without duplicates; names the bad one otherwise."""
    cleaned: list[str] = []
    for kind in kinds:
        if kind not in OrganisationKind.values:
            raise InvalidInput(
                "organisation_kinds",
                f"unknown organisation role {kind!r}; use {', '.join(OrganisationKind.values)}",
            )
        if kind not in cleaned:
            cleaned.append(kind)
    return cleaned


def target_organisations(drill: Drill) -> QuerySet[Organisation]:
    """The organisations probed: roles and named ones together; all when neither is given."""
    named = list(drill.organisations.values_list("pk", flat=True)) if drill.pk else []
    if not drill.organisation_kinds and not named:
        return Organisation.objects.all()
    return Organisation.objects.filter(Q(kind__in=drill.organisation_kinds) | Q(pk__in=named))


def target_contacts(drill: Drill) -> QuerySet[Contact]:
    """The contacts probed, in organisation then name order."""
    contacts = Contact.objects.filter(organisation__in=target_organisations(drill))
    if drill.contact_scope == ContactScope.CONTACTS_24X7:
        contacts = contacts.filter(is_24x7=True)
    return contacts.select_related("organisation").order_by("organisation__name", "name", "pk")
