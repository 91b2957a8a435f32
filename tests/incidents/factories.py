"""Factories for incident tests: incidents, directory data for lookups, 24x7 contacts."""

from __future__ import annotations

from typing import Any

from dnscert.core.choices import TLP, Severity
from dnscert.directory.choices import OrganisationKind, ZoneKind
from dnscert.directory.models import Contact, NameserverHost, Organisation, Zone
from dnscert.incidents import services
from dnscert.incidents.models import Incident, Participant
from tests.personas import make_org


def incident(
    by: Any = None,
    *,
    title: str = "Delegation of shop.xa changed",
    category: str = "delegation-hijack",
    severity: str = Severity.MEDIUM,
    tlp: str = TLP.AMBER,
    **fields: Any,
) -> Incident:
    """Open an incident through the service (so it has a reference and a journal)."""
    return services.create_incident(
        title=title,
        summary=fields.pop("summary", "NS records point to unknown servers."),
        category=category,
        severity=severity,
        tlp=tlp,
        by=by,
        **fields,
    )


def registry(tld: str = "xa", *, contact_language: str = "en", key: str = "") -> Organisation:
    """A ccTLD registry running ``tld`` with one 24x7 role mailbox."""
    org = make_org(OrganisationKind.CCTLD_REGISTRY, name=f"Registry of .{tld}")
    Zone.objects.create(name=f"{tld}.", kind=ZoneKind.TLD, organisation=org)
    Contact.objects.create(
        organisation=org,
        name="NOC",
        is_role_mailbox=True,
        email=f"noc@nic.{tld}.example",
        is_24x7=True,
        languages=[contact_language],
        pgp_key=key,
    )
    return org


def dns_operator(hostname: str = "ns1.operator.example.") -> Organisation:
    """A DNS operator running name server ``hostname``."""
    org = make_org(OrganisationKind.DNS_OPERATOR, name=f"Operator of {hostname}")
    NameserverHost.objects.create(hostname=hostname, organisation=org)
    return org


def participant(incident_: Incident, org: Organisation, by: Any = None) -> Participant:
    """Add ``org`` without notifying it."""
    return services.add_participant(incident_, org, by=by, notify=False)
