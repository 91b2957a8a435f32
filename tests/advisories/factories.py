"""Advisory builders for tests: drafts of each CSAF category, and the publish walk."""

from __future__ import annotations

from typing import Any

from dnscert.advisories import services
from dnscert.advisories.choices import CsafCategory, ProductStatus
from dnscert.advisories.models import Advisory
from dnscert.core.choices import TLP, Severity
from tests.personas import make_org, staff

REFERENCE = {"url": "https://example.org/notes/1", "summary": "Background"}


def vendor_product(name: str = "Resolvd") -> Any:
    from dnscert.directory.models import Organisation, Product

    vendor = Organisation.objects.filter(name=f"{name} Project").first()
    vendor = vendor or make_org("vendor", name=f"{name} Project")
    product, _created = Product.objects.get_or_create(
        name=name, vendor=vendor, defaults={"kind": "resolver"}
    )
    return product


def draft(
    *,
    by: Any = None,
    tlp: str = TLP.CLEAR,
    category: str = CsafCategory.SECURITY_ADVISORY,
    **fields: Any,
) -> Advisory:
    """A draft that passes the CSAF mandatory tests for its category."""
    values: dict[str, Any] = {
        "title": "Cache poisoning in Resolvd",
        "summary": "Resolvd caches out-of-bailiwick glue.",
        "details": "Details of the flaw.",
        "recommendations": "Upgrade to 9.4.3.",
        "severity": Severity.HIGH,
        "references": [REFERENCE],
    }
    if category == CsafCategory.SECURITY_ADVISORY and "affected" not in fields:
        product = vendor_product()
        values["affected"] = [
            {
                "product": product.pk,
                "versions": "9.0.0 - 9.4.2",
                "status": ProductStatus.KNOWN_AFFECTED,
            },
            {"product": product.pk, "versions": "9.4.3", "status": ProductStatus.FIXED},
        ]
        values["cve_ids"] = ["CVE-2026-41001"]
    values.update(fields)
    return services.create_draft(by=by or staff(), tlp=tlp, csaf_category=category, **values)


def published(advisory: Advisory, approver: Any = None) -> Advisory:
    """Submit and publish ``advisory`` with an approver other than its author."""
    services.submit_for_review(advisory, by=advisory.author)
    return services.publish(advisory, by=approver or staff())
