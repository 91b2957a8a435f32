"""A demo vulnerability case on top of the demo directory (``dnscert demo-vulns``), idempotent.

One embargoed case modelled on the 2008 cache-poisoning flaw, with the demo directory's DNS
software vendors (none is added to the directory): the resolver products are added, their
vendors proposed and notified, and each vendor is at a different step. Everything goes
through the services, so audit rows, messages and queued e-mails are the real thing. A case
with the demo title already present is left alone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from dnscert.core.exceptions import DnscertError
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import Product
from dnscert.vulns import embargo, messaging, services
from dnscert.vulns.choices import Audience, Credit, VendorStatus
from dnscert.vulns.models import Case

TITLE = "Resolver cache poisoning through predictable source ports"
PRODUCTS = ("Resolvd", "Both-DNS")


class DemoDirectoryMissing(DnscertError):
    """The demo directory must be loaded first."""


def _products() -> list[Product]:
    found = list(Product.objects.filter(name__in=PRODUCTS, vendor__kind=OrganisationKind.VENDOR))
    if not found:
        raise DemoDirectoryMissing(
            "no demo vendor ships Resolvd or Both-DNS: run 'dnscert demo-directory' first"
        )
    return found


def load_demo_vulns(by: Any = None) -> list[str]:
    """Create the demo case unless present; return the references created."""
    if Case.objects.filter(title=TITLE).exists():
        return []
    products = _products()
    now = timezone.now()
    with transaction.atomic():
        case = services.create_case(
            by=by,
            title=TITLE,
            description="Answers forged by an off-path attacker are accepted when the resolver "
            "uses a fixed source port, poisoning the cache for every client.",
            affected_software="Resolvd, Both-DNS",
            affected_versions="Resolvd < 9.5.1; Both-DNS < 3.2",
            cvss3_vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N",
            cvss4_vector="CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:N/VI:H/VA:N/SC:N/SI:H/SA:N",
            cwe="CWE-330",
        )
        services.add_reporter(
            case,
            by=by,
            email="researcher@lab.example",
            name="A. Researcher",
            credit=Credit.CUSTOM,
            credit_text="A. Researcher (DNS Lab)",
        )
        for product in products:
            item, _ = services.add_product(case, by=by, product=product)
            services.add_vendors_for_product(case, item, by=by)
        _advance(case, by, now)
        embargo.set_embargo(case, by=by, embargo_at=now + timedelta(days=10))
        services.request_cve(case, by=by, note="to be reserved through the CNA")
    return [case.reference]


def _advance(case: Case, by: Any, now: Any) -> None:
    vendors = list(case.vendors.select_related("organisation").order_by("organisation__name"))
    for vendor in vendors:
        services.notify_vendor(vendor, by=by)
    steps = [
        (VendorStatus.FIXED, "Fixed in 3.2: source ports and query ids are randomised."),
        (VendorStatus.ACKNOWLEDGED, None),
    ]
    for vendor, (status, statement) in zip(vendors, steps, strict=False):
        services.set_vendor_status(vendor, by=by, status=status, statement=statement)
    messaging.post_message(
        case,
        by=by,
        body="Proof of concept attached to the report; please confirm which releases are affected.",
        audience=Audience.ALL,
        author_label="DNS-CERT",
        notify=False,
    )
    if vendors:
        messaging.post_message(
            case,
            by=by,
            body=f"Private to {vendors[0].organisation.name}: "
            "your patch changes the EDNS buffer size too.",
            audience=Audience.VENDOR,
            vendor=vendors[0],
            author_label="DNS-CERT",
            notify=False,
        )
