"""Factories of the exercise tests: registries with contacts, members, a planned exercise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import Contact, Organisation
from dnscert.exercises import services
from dnscert.exercises.models import Exercise, Inject, Participant
from tests.personas import make_org, member, outsider, staff


def registry(name: str, tld: str, language: str) -> Organisation:
    """A ccTLD registry with one 24x7 role mailbox speaking ``language``."""
    org = make_org(OrganisationKind.CCTLD_REGISTRY, name=name)
    Contact.objects.create(
        organisation=org,
        name="noc",
        is_role_mailbox=True,
        email=f"noc@nic.{tld}.example",
        languages=[language, "en"] if language != "en" else ["en"],
        is_24x7=True,
    )
    return org


@dataclass
class Cast:
    control: Any
    xa: Organisation
    xb: Organisation
    xa_member: Any
    xb_member: Any
    outsider: Any
    exercise: Exercise
    first: Inject
    second: Inject

    def participant(self, org: Organisation) -> Participant:
        return self.exercise.participants.get(organisation=org)


def exercise(by: Any, **fields: Any) -> Exercise:
    values: dict[str, Any] = {
        "title": "Hijacked delegation of .xa",
        "planned_start": timezone.now() + timedelta(hours=1),
        "scenario": "The NS set of xa. changes at 02:00 UTC.",
        "objectives": ["Registry confirms within 30 minutes", "Everyone checks delegations"],
    }
    values.update(fields)
    return services.create_exercise(by=by, **values)


def cast() -> Cast:
    control = staff()
    xa = registry("Registre XA", "xa", "fr")
    xb = registry("XB Registry", "xb", "en")
    planned = exercise(control)
    services.add_participant(planned, xa, by=control)
    services.add_participant(planned, xb, by=control)
    first = services.add_inject(
        planned,
        by=control,
        title="Unexpected NS change",
        body="The NS set of xa. changed. Was this planned?",
        expected_action="Confirm within 30 minutes.",
        offset="0m",
    )
    second = services.add_inject(
        planned,
        by=control,
        title="Forged answers",
        body="Resolvers return 203.0.113.66 for www.bank.xa.",
        offset="+0:30",
    )
    return Cast(
        control=control,
        xa=xa,
        xb=xb,
        xa_member=member(xa),
        xb_member=member(xb),
        outsider=outsider(),
        exercise=planned,
        first=first,
        second=second,
    )
