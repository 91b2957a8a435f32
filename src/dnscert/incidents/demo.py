"""Demo incidents on top of the demo directory (``dnscert demo-incidents``), idempotent.

A delegation hijack of ``shop.xa`` (the registry of ``.xa`` and the zone's DNS operator take
part), a phishing campaign abusing registrations at a demo registrar, and a resolved DNSSEC
failure. Each is created through the services, so journals, audit rows and notifications are
the real thing. An incident whose title already exists is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from dnscert.core.choices import TLP, Severity
from dnscert.core.exceptions import DnscertError
from dnscert.directory.models import Organisation
from dnscert.incidents import services
from dnscert.incidents.choices import IncidentStatus, ParticipantRole, ParticipantStatus
from dnscert.incidents.models import Incident

S = IncidentStatus
HIJACK = "Delegation hijack of shop.xa"
PHISHING = "Phishing campaign abusing new registrations at Domaines Exemple"
DNSSEC = "DNSSEC signatures expired on .xc"
NEEDED = ("registry-xa", "shop-hosting-xa", "registrar-domaines", "registry-xb", "registry-xc")


class DemoDirectoryMissing(DnscertError):
    """The demo directory must be loaded first."""


def _orgs() -> dict[str, Organisation]:
    found = {o.short_name: o for o in Organisation.objects.filter(short_name__in=NEEDED)}
    missing = sorted(set(NEEDED) - set(found))
    if missing:
        raise DemoDirectoryMissing(
            f"demo organisations missing ({', '.join(missing)}): run 'dnscert demo-directory' first"
        )
    return found


def _walk(incident: Incident, statuses: list[IncidentStatus], by: Any) -> None:
    for status in statuses:
        services.transition(incident, status, by=by)


def _hijack(orgs: dict[str, Organisation], by: Any) -> Incident:
    incident = services.create_incident(
        title=HIJACK,
        summary=(
            "The NS set of shop.xa changed to ns1.evil-dns.test at 02:10 UTC without a planned "
            "change; the new servers answer with a phishing page for www.shop.xa."
        ),
        category="delegation-hijack",
        severity=Severity.HIGH,
        tlp=TLP.AMBER,
        by=by,
    )
    for kind, value in (
        ("domain", "shop.xa"),
        ("nameserver", "ns1.evil-dns.test"),
        ("ip", "203.0.113.66"),
    ):
        services.add_indicator(incident, kind=kind, value=value, by=by)
    _walk(incident, [S.TRIAGED, S.IN_PROGRESS, S.COORDINATING], by)
    registry = services.add_participant(incident, orgs["registry-xa"], by=by)
    services.add_participant(incident, orgs["shop-hosting-xa"], by=by)
    services.add_journal_entry(
        incident,
        text="Registrar account of shop.xa accessed from an unknown network: keep internal.",
        tlp=TLP.RED,
        author=by,
    )
    services.set_participant_status(
        registry,
        ParticipantStatus.ACTING,
        by=None,
        note="Registry lock applied; restoring the previous NS set from the last zone.",
    )
    services.add_task(
        incident,
        title="Restore the NS set of shop.xa",
        by=by,
        owner_organisation=orgs["registry-xa"],
        due_at=timezone.now() + timedelta(hours=2),
    )
    return incident


def _phishing(orgs: dict[str, Organisation], by: Any) -> Incident:
    incident = services.create_incident(
        title=PHISHING,
        summary="About 400 look-alike bank domains registered in two days, most under .xb.",
        category="registration-abuse-campaign",
        severity=Severity.MEDIUM,
        tlp=TLP.AMBER,
        by=by,
    )
    for kind, value in (
        ("registrar_id", "9003"),
        ("domain", "secure-login-bank.xb"),
        ("url", "https://secure-login-bank.xb/verify"),
    ):
        services.add_indicator(incident, kind=kind, value=value, by=by)
    _walk(incident, [S.TRIAGED], by)
    services.add_participant(incident, orgs["registrar-domaines"], by=by)
    services.add_participant(
        incident, orgs["registry-xb"], by=by, role=ParticipantRole.HELPING, notify=False
    )
    return incident


def _dnssec(orgs: dict[str, Organisation], by: Any) -> Incident:
    incident = services.create_incident(
        title=DNSSEC,
        summary="RRSIGs of the .xc DNSKEY set expired; validating resolvers returned SERVFAIL.",
        category="dnssec-failure",
        severity=Severity.LOW,
        tlp=TLP.GREEN,
        by=by,
    )
    services.add_indicator(incident, kind="domain", value="xc", by=by)
    services.add_participant(incident, orgs["registry-xc"], by=by, notify=False)
    _walk(incident, [S.TRIAGED, S.IN_PROGRESS, S.RESOLVED], by)
    return incident


DEMOS: dict[str, Callable[[dict[str, Organisation], Any], Incident]] = {
    HIJACK: _hijack,
    PHISHING: _phishing,
    DNSSEC: _dnssec,
}


def load_demo_incidents(by: Any = None) -> list[str]:
    """Create the demo incidents that do not exist yet; their references."""
    orgs = _orgs()
    created = []
    for title, build in DEMOS.items():
        if Incident.objects.filter(title=title).exists():
            continue
        with transaction.atomic():
            created.append(build(orgs, by).reference)
    return created
