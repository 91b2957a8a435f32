"""Factories of the vulnerability tests: vendors with a product and a contact, cases."""

from __future__ import annotations

from typing import Any

from dnscert.directory.choices import OrganisationKind, ProductKind
from dnscert.directory.models import Contact, Organisation, Product
from dnscert.vulns import services
from dnscert.vulns.models import Case
from tests.personas import make_org, member, staff


def vendor(name: str, product: str = "Resolvd", language: str = "en") -> Organisation:
    """A vendor shipping ``product``, with a 24x7 security contact."""
    org = make_org(OrganisationKind.VENDOR, name)
    Product.objects.create(name=product, kind=ProductKind.RESOLVER, vendor=org)
    slug = org.short_name
    Contact.objects.create(
        organisation=org,
        name="Security",
        email=f"security@{slug}.example",
        is_24x7=True,
        is_role_mailbox=True,
        languages=[language],
    )
    return org


def contact_email(org: Organisation) -> str:
    return str(org.contacts.first().email)  # type: ignore[union-attr]


def case(by: Any = None, **fields: Any) -> Case:
    fields.setdefault("title", "Cache poisoning by source port prediction")
    return services.create_case(by=by or staff(), **fields)


def vendor_member(org: Organisation) -> Any:
    return member(org)
