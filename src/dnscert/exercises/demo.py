"""Demo exercises on top of the demo directory (``dnscert demo-exercises``), idempotent.

One ended exercise, "Hijacked delegation of .xa": the control team ran it two days ago with
three registries; six injects went out at their offsets and the participants answered after
realistic delays (one never answered the last one). Its objectives are assessed, observer
notes and lessons learned written. One more exercise, a DGA scenario, is planned for next
week. Everything goes through the services (with past instants), so audit rows, deliveries
and the report are the real thing. Exercises with the demo titles already present are left
alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dnscert.core.choices import TLP
from dnscert.core.exceptions import DnscertError
from dnscert.directory.models import Organisation
from dnscert.exercises import services
from dnscert.exercises.choices import ObjectiveResult, ResponseVia
from dnscert.exercises.models import Exercise, InjectDelivery

HIJACK_TITLE = "Hijacked delegation of .xa"
DGA_TITLE = "DGA domains across three TLDs"
PARTICIPANTS = ("registry-xa", "registry-xb", "registry-xc")

#: (offset in minutes, title, body, expected action, response required)
INJECTS = [
    (
        0,
        "Unexpected NS change for xa.",
        "Our delegation watch saw the NS set of xa. change at 02:00 UTC from a.nic.xa. and "
        "b.nic.xa. to ns1.evil-dns.test. and ns2.evil-dns.test. The DS record was removed at "
        "the same time. Please confirm whether this change was planned.",
        "The registry confirms the change was not planned within 30 minutes.",
        True,
    ),
    (
        20,
        "Resolvers return forged answers",
        "Several ISPs report that www.bank.xa resolves to 203.0.113.66. DNSSEC validation "
        "no longer protects the zone since the DS was removed.",
        "Registries check their own delegations and share indicators.",
        True,
    ),
    (
        45,
        "Root zone change request",
        "The root zone maintainer asks for an authenticated request to restore the previous "
        "NS and DS records. Which credentials and which channel will you use?",
        "The registry names its authorised contacts and the out-of-band channel.",
        True,
    ),
    (
        70,
        "Press enquiry",
        "A journalist asks whether the .xa outage is an attack. Draft the public statement "
        "you would publish.",
        "A short holding statement agreed with the DNS-CERT.",
        True,
    ),
    (
        100,
        "Registrar account compromise confirmed",
        "The registry's registrar portal logs show a session from an unknown address using "
        "an administrator account at 01:52 UTC.",
        "Credentials rotated, sessions revoked, logs preserved.",
        False,
    ),
    (
        130,
        "Restoration and lessons",
        "The previous delegation is restored. Send your timeline of actions and one thing "
        "you would change in your procedures.",
        "A timeline and one improvement per participant.",
        True,
    ),
]

#: Minutes each participant took to answer each inject (None: no answer).
DELAYS = {
    "registry-xa": [6, 14, 22, 35, None, 40],
    "registry-xb": [18, 25, 31, None, None, None],
    "registry-xc": [11, 9, 48, 20, None, 55],
}

ANSWERS = {
    "registry-xa": "Confirmé : changement non planifié. Nous gelons le domaine et contactons "
    "le bureau d'enregistrement.",
    "registry-xb": "Checked our delegations: no change seen for xb.",
    "registry-xc": "No change for xc.; we blocked the indicators on our resolvers.",
}


class DemoDirectoryMissing(DnscertError):
    """The demo directory must be loaded first."""


def _participants() -> list[Organisation]:
    found = list(Organisation.objects.filter(short_name__in=PARTICIPANTS).order_by("short_name"))
    if len(found) != len(PARTICIPANTS):
        raise DemoDirectoryMissing(
            "the demo registries are missing: run 'dnscert demo-directory' first"
        )
    return found


def load_demo_exercises() -> list[str]:
    """Create the demo exercises unless present; return the references created."""
    organisations = _participants()
    created = []
    with transaction.atomic():
        if not Exercise.objects.filter(title=HIJACK_TITLE).exists():
            created.append(_ended_exercise(organisations).reference)
        if not Exercise.objects.filter(title=DGA_TITLE).exists():
            created.append(_planned_exercise(organisations).reference)
    return created


def _ended_exercise(organisations: list[Organisation]) -> Exercise:
    start = (timezone.now() - timedelta(days=2)).replace(hour=2, minute=0, second=0, microsecond=0)
    exercise = services.create_exercise(
        by=None,
        title=HIJACK_TITLE,
        planned_start=start,
        tlp=TLP.AMBER,
        scenario="At 02:00 UTC the delegation of the ccTLD xa. is changed in the root zone to "
        "name servers under attacker control, after a registrar account compromise. The "
        "exercise tests detection, confirmation with the registry, restoration through the "
        "root zone maintainer and public communication.",
        objectives=[
            "The registry confirms or denies the change within 30 minutes",
            "Every participant checks its own delegation within one hour",
            "A restoration request goes through the authenticated channel",
        ],
    )
    for organisation in organisations:
        services.add_participant(exercise, organisation, by=None)
    for minutes, title, body, expected, required in INJECTS:
        services.add_inject(
            exercise,
            by=None,
            title=title,
            body=body,
            expected_action=expected,
            response_required=required,
            offset=timedelta(minutes=minutes),
        )
    exercise = services.start(exercise, by=None, now=start)
    _play(exercise, start)
    return _close(exercise, start)


def _play(exercise: Exercise, start: datetime) -> None:
    for index, inject in enumerate(exercise.injects.order_by("position")):
        services.deliver(inject, now=inject.due_at)
        for delivery in InjectDelivery.objects.filter(inject=inject).select_related(
            "participant__organisation"
        ):
            delay = DELAYS[delivery.participant.organisation.short_name][index]
            if delay is None:
                continue
            services.respond(
                delivery,
                by=None,
                body=ANSWERS[delivery.participant.organisation.short_name],
                via=ResponseVia.EMAIL if index % 2 else ResponseVia.WEB,
                now=delivery.delivered_at + timedelta(minutes=delay),
            )


def _close(exercise: Exercise, start: datetime) -> Exercise:
    services.add_note(
        exercise,
        by=None,
        body="XB answered in English although its contacts prefer Japanese: check template "
        "coverage. XA found the change within 6 minutes.",
    )
    results = [ObjectiveResult.MET, ObjectiveResult.PARTLY, ObjectiveResult.MET]
    for objective, result in zip(exercise.objectives.all(), results, strict=False):
        services.assess_objective(objective, by=None, result=result)
    services.set_lessons(
        exercise,
        by=None,
        text="Registry contacts answered quickly at night. The press statement was late: "
        "prepare holding statements in advance. XB missed the last inject: verify its "
        "24x7 mailbox.",
    )
    return services.end(exercise, by=None, now=start + timedelta(hours=4))


def _planned_exercise(organisations: list[Organisation]) -> Exercise:
    start = (timezone.now() + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    exercise = services.create_exercise(
        by=None,
        title=DGA_TITLE,
        planned_start=start,
        tlp=TLP.GREEN,
        scenario="A Conficker-like botnet generates 500 domains a day under xa., xb. and xc.; "
        "the registries must pre-register or block the coming days' domains.",
        objectives=["Each registry blocks the next day's domains within four hours"],
    )
    for organisation in organisations:
        services.add_participant(exercise, organisation, by=None)
    services.add_inject(
        exercise,
        by=None,
        title="DGA list for the next 3 days",
        body="Attached is the list of domains the reversed algorithm generates for your TLD "
        "over the next three days. Tell us how many you can block and by when.",
        expected_action="A count of blocked domains and a time.",
        offset=timedelta(minutes=0),
    )
    return exercise
