"""Demo data of watch and warning: subscriptions of demo organisations and a few warnings.

Idempotent: subscriptions are found by name, warnings by their deduplication key.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from dnscert.advisories.warnings import services
from dnscert.advisories.warnings.choices import ChannelKind, WarningKind
from dnscert.advisories.warnings.models import Subscription, Warning
from dnscert.core.choices import TLP, Role, Severity
from dnscert.directory.choices import REGISTRY_KINDS, OrganisationKind
from dnscert.directory.models import Organisation

DEMO_SUBSCRIPTION = "Demo: DNS health and advisories"
DEMO_KINDS = [
    WarningKind.DNS_HEALTH,
    WarningKind.RRSIG_EXPIRY,
    WarningKind.DELEGATION_CHANGE,
    WarningKind.ADVISORY,
    WarningKind.VENDOR_ADVISORY,
]


def _demo_organisations() -> list[Organisation]:
    kinds = [*REGISTRY_KINDS, OrganisationKind.REGISTRAR, OrganisationKind.DNS_OPERATOR]
    return list(Organisation.objects.filter(kind__in=kinds).order_by("name")[:4])


def _subscription(organisation: Organisation, by: Any) -> bool:
    if Subscription.objects.filter(organisation=organisation, name=DEMO_SUBSCRIPTION).exists():
        return False
    Subscription.objects.create(
        organisation=organisation,
        name=DEMO_SUBSCRIPTION,
        kinds=[
            WarningKind.DNS_HEALTH,
            WarningKind.RRSIG_EXPIRY,
            WarningKind.DELEGATION_CHANGE,
            WarningKind.ADVISORY,
            WarningKind.VENDOR_ADVISORY,
        ],
        min_severity=Severity.LOW,
        channels=[ChannelKind.EMAIL, ChannelKind.ATOM],
        language=(organisation.languages or ["en"])[0] if organisation.languages else "en",
        created_by=by,
    )
    return True


def _warning(organisation: Organisation, index: int) -> bool:
    key = f"demo:{organisation.short_name}:{index}"
    if Warning.objects.filter(dedupe_key=key).exists():
        return False
    rule, title, severity = [
        ("dnshealth.rrsig_expiry", "Signatures of the zone expire in 2 days", Severity.HIGH),
        ("dnshealth.delegation_change", "The delegation of the zone changed", Severity.HIGH),
    ][index % 2]
    draft = services.Draft(
        organisation=organisation,
        title=f"{title} ({organisation.short_name})",
        body="Demo warning: re-sign the zone, or confirm the change was planned.",
        severity=severity,
        tlp=TLP.AMBER,
        dedupe_key=key,
    )
    return services.raise_warning(rule, draft) is not None


def load_demo_warnings() -> dict[str, int]:
    """Create the demo subscriptions and warnings; return how many were new."""
    by = get_user_model().objects.filter(role=Role.STAFF).order_by("pk").first()
    created = {"subscriptions": 0, "warnings": 0}
    with transaction.atomic():
        for index, organisation in enumerate(_demo_organisations()):
            created["subscriptions"] += _subscription(organisation, by)
            if index < 2:
                created["warnings"] += _warning(organisation, index)
    return created
