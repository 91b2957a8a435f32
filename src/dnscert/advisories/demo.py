"""Demo advisories for ``make demo``: two TLP:CLEAR, one TLP:AMBER to the TLD registries, a draft.

Idempotent: an advisory whose title already exists is left alone. Needs the demo directory.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from dnscert.advisories import services
from dnscert.advisories.choices import CsafCategory, ProductStatus
from dnscert.advisories.models import Advisory
from dnscert.core.choices import TLP, Role, Severity
from dnscert.core.exceptions import DnscertError
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import Organisation, Product

DESK_USERNAME = "advisory-desk"


class DemoDirectoryMissing(DnscertError):
    """The demo directory (vendors and registries) is not loaded."""


def _desk() -> Any:
    """The staff account that approves the demo advisories (it cannot sign in)."""
    users = get_user_model()
    desk = users.objects.filter(username=DESK_USERNAME).first()
    if desk is None:
        desk = users(
            username=DESK_USERNAME, role=Role.STAFF, first_name="Advisory", last_name="desk"
        )
        desk.set_unusable_password()
        desk.save()
    return desk


def _product(vendor: str, name: str) -> Product:
    try:
        return Product.objects.get(vendor__short_name=vendor, name=name)
    except Product.DoesNotExist:
        raise DemoDirectoryMissing(
            f"demo product {name} of {vendor} not found; run 'dnscert demo-directory' first"
        ) from None


def _cache_poisoning() -> dict[str, Any]:
    resolvd = _product("vendor-resolvd", "Resolvd")
    bothdns = _product("vendor-bothdns", "Both-DNS")
    authns = _product("vendor-authns", "AuthNS")
    return {
        "title": "Resolvd: cache poisoning through unchecked glue in referrals",
        "summary": (
            "Resolvd accepts out-of-bailiwick glue records from referrals under some "
            "conditions, so an off-path attacker can poison its cache."
        ),
        "details": (
            "When a referral carries glue for names outside the delegated zone and the "
            "resolver's query for those names is in flight, Resolvd 9.0.0 to 9.4.2 caches the "
            "glue. An attacker who wins the race redirects resolution of the victim names."
        ),
        "recommendations": (
            "Upgrade to Resolvd 9.4.3. Until then, set 'harden-glue: yes' and enable DNSSEC "
            "validation."
        ),
        "severity": Severity.HIGH,
        "tlp": TLP.CLEAR,
        "csaf_category": CsafCategory.SECURITY_ADVISORY,
        "cve_ids": ["CVE-2026-41001"],
        "references": [
            {"url": "https://resolvd.example/security/2026-01", "summary": "Vendor advisory"}
        ],
        "credits": [{"name": "DNS Measurement Lab", "summary": "reported the issue"}],
        "affected": [
            {
                "product": resolvd.pk,
                "versions": "9.0.0 - 9.4.2",
                "status": ProductStatus.KNOWN_AFFECTED,
            },
            {
                "product": resolvd.pk,
                "versions": "9.4.3",
                "status": ProductStatus.FIXED,
                "statement": "Fixed in Resolvd 9.4.3.",
            },
            {"product": bothdns.pk, "versions": "3.2", "status": ProductStatus.UNDER_INVESTIGATION},
            {
                "product": authns.pk,
                "status": ProductStatus.KNOWN_NOT_AFFECTED,
                "statement": "AuthNS is authoritative only and does not follow referrals.",
            },
        ],
        "audience_kinds": [OrganisationKind.RESOLVER_OPERATOR, OrganisationKind.ISP],
        "audience_products": [resolvd.pk],
        "translation": {
            "language": "fr",
            "title": "Resolvd : empoisonnement de cache par des glue non vérifiées",
            "summary": (
                "Resolvd accepte dans certains cas des enregistrements glue hors bailliage "
                "venant de délégations : un attaquant hors chemin peut empoisonner son cache."
            ),
            "recommendations": (
                "Mettez à jour vers Resolvd 9.4.3. D'ici là, activez 'harden-glue: yes' et la "
                "validation DNSSEC."
            ),
        },
    }


def _ksk_rollover() -> dict[str, Any]:
    return {
        "title": "Preparing resolvers for the root zone KSK rollover",
        "summary": (
            "The root zone key signing key will be rolled. Validating resolvers that do not "
            "follow RFC 5011 trust anchor updates must be configured with the new key."
        ),
        "details": (
            "Check that every validating resolver trusts the new KSK before the rollover date, "
            "and watch for SERVFAIL increases afterwards."
        ),
        "recommendations": (
            "Enable automated trust anchor updates (RFC 5011) or install the new trust anchor "
            "from IANA, then verify with a test query."
        ),
        "severity": Severity.INFO,
        "tlp": TLP.CLEAR,
        "csaf_category": CsafCategory.INFORMATIONAL_ADVISORY,
        "references": [
            {
                "url": "https://www.iana.org/dnssec/files",
                "summary": "IANA root zone trust anchors",
            }
        ],
        "audience_kinds": [OrganisationKind.RESOLVER_OPERATOR, OrganisationKind.ISP],
    }


def _registry_campaign() -> dict[str, Any]:
    return {
        "title": "Credential phishing against TLD registry staff",
        "summary": (
            "A phishing campaign targets staff of TLD registries with fake registry-lock "
            "notices to obtain EPP and portal credentials."
        ),
        "details": "Messages come from look-alike domains and ask to confirm a lock change.",
        "recommendations": (
            "Warn registry staff, require a second factor for registry portals and review "
            "recent registry-lock changes."
        ),
        "severity": Severity.HIGH,
        "tlp": TLP.AMBER,
        "csaf_category": CsafCategory.SECURITY_INCIDENT_RESPONSE,
        "references": [
            {"url": "https://www.first.org/tlp/", "summary": "FIRST TLP 2.0 sharing rules"}
        ],
        "audience_kinds": [OrganisationKind.CCTLD_REGISTRY, OrganisationKind.GTLD_REGISTRY],
    }


def _draft() -> dict[str, Any]:
    return {
        "title": "AuthNS: zone transfer memory growth",
        "summary": "Large IXFR sequences make AuthNS grow its memory until restarted.",
        "severity": Severity.MEDIUM,
        "tlp": TLP.GREEN,
        "csaf_category": CsafCategory.SECURITY_ADVISORY,
        "affected": [{"product": _product("vendor-authns", "AuthNS").pk, "versions": "5.1"}],
    }


def _create(spec: dict[str, Any], author: Any) -> Advisory:
    translation = spec.pop("translation", None)
    advisory = services.create_draft(by=author, **spec)
    if translation:
        services.set_translation(advisory, by=author, **translation)
    return advisory


@transaction.atomic
def load_demo_advisories() -> list[str]:
    """Create the missing demo advisories; return the references created."""
    if not Organisation.objects.filter(short_name="vendor-resolvd").exists():
        raise DemoDirectoryMissing("the demo directory is missing; run 'dnscert demo-directory'")
    desk = _desk()
    created = []
    for builder, publish in (
        (_cache_poisoning, True),
        (_ksk_rollover, True),
        (_registry_campaign, True),
        (_draft, False),
    ):
        spec = builder()
        if Advisory.objects.filter(title=spec["title"]).exists():
            continue
        advisory = _create(spec, None)
        if publish:
            services.submit_for_review(advisory, by=None)
            services.publish(advisory, by=desk)
        created.append(advisory.reference)
    return created
