"""Questions other apps ask the directory: who runs this TLD, zone, host, address or product?

Names may be given with or without the trailing dot, in any case, and IDNs in Unicode.
Functions return ``None`` (or an empty list) when nothing matches, and never raise for a
malformed name or address: a lookup is a question, not input to validate.
"""

from __future__ import annotations

import ipaddress

import dns.name
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, QuerySet, Value, When

from dnscert.directory import validators
from dnscert.directory.choices import OrganisationKind, ZoneKind
from dnscert.directory.models import (
    AutonomousSystem,
    Contact,
    NameserverHost,
    NetworkPrefix,
    Organisation,
    Zone,
)


def _zone_name(name: str) -> str | None:
    try:
        return validators.normalise_zone_name(name)
    except ValidationError:
        return None


def organisation_for_tld(name: str) -> Organisation | None:
    """The registry of the TLD ``name`` (``xa``, ``xa.`` or ``.xa``)."""
    text = name.strip().lstrip(".")
    zone_name = _zone_name(text) if text else None
    if zone_name is None:
        return None
    zone = Zone.objects.select_related("organisation").filter(name=zone_name).first()
    if zone is None or zone.kind != ZoneKind.TLD:
        return None
    return zone.organisation


def _enclosing_names(zone_name: str) -> list[str]:
    """``shop.xa.``, ``xa.`` for ``www.shop.xa.``; the name itself first, the root excluded."""
    name = dns.name.from_text(zone_name)
    names = []
    while len(name.labels) > 1:
        names.append(name.to_text().lower())
        name = name.parent()
    return names


def organisation_for_zone(name: str) -> Organisation | None:
    """The organisation running the closest enclosing zone in the directory.

    A name below a TLD that no constituent registered falls back to the TLD's registry. The
    root zone's operator is returned only for the root itself: it does not answer for every
    name in the DNS.
    """
    zone_name = _zone_name(name)
    if zone_name is None:
        return None
    if zone_name == ".":
        zone = Zone.objects.select_related("organisation").filter(name=".").first()
        return zone.organisation if zone else None
    candidates = _enclosing_names(zone_name)
    zones = {
        zone.name: zone
        for zone in Zone.objects.select_related("organisation").filter(name__in=candidates)
    }
    for candidate in candidates:
        if candidate in zones:
            return zones[candidate].organisation
    return None


def organisation_for_nameserver(hostname: str) -> Organisation | None:
    """The operator of nameserver ``hostname``."""
    try:
        host = validators.normalise_hostname(hostname)
    except ValidationError:
        return None
    found = NameserverHost.objects.select_related("organisation").filter(hostname=host).first()
    return found.organisation if found else None


def organisation_for_ip(address: str) -> Organisation | None:
    """The organisation whose registered prefix is the longest match for ``address``."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    best: tuple[int, NetworkPrefix] | None = None
    for prefix in NetworkPrefix.objects.select_related("organisation"):
        network = ipaddress.ip_network(prefix.prefix)
        matches = network.version == ip.version and ip in network
        if matches and (best is None or network.prefixlen > best[0]):
            best = (network.prefixlen, prefix)
    return best[1].organisation if best else None


def organisation_for_asn(asn: int | str) -> Organisation | None:
    """The operator of AS ``asn`` (``64496`` or ``AS64496``)."""
    try:
        number = validators.normalise_asn(asn)
    except ValidationError:
        return None
    found = AutonomousSystem.objects.select_related("organisation").filter(asn=number).first()
    return found.organisation if found else None


def registrar_by_iana_id(iana_id: int | str) -> Organisation | None:
    """The registrar with IANA registrar id ``iana_id``."""
    try:
        number = int(iana_id)
    except (TypeError, ValueError):
        return None
    return Organisation.objects.filter(kind=OrganisationKind.REGISTRAR, iana_id=number).first()


def vendors_for_product(name: str) -> list[Organisation]:
    """Vendors shipping a product called ``name``: exact matches (any case) first, then partial."""
    text = name.strip()
    if not text:
        return []
    vendors = (
        Organisation.objects.filter(products__name__icontains=text)
        .annotate(
            exact=Case(
                When(products__name__iexact=text, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("exact", "name")
    )
    seen: dict[int, Organisation] = {}
    for vendor in vendors:
        seen.setdefault(vendor.pk, vendor)
    return list(seen.values())


def contacts_24x7(organisation: Organisation) -> QuerySet[Contact]:
    """The organisation's round-the-clock contacts, role mailboxes before people."""
    return organisation.contacts.filter(is_24x7=True).order_by("-is_role_mailbox", "name")
