"""Published advisories become warnings to the organisations they concern.

TLP decides who may get one: a TLP:CLEAR or TLP:GREEN advisory goes to its audience and to
every organisation with a subscription whose filters match it (kinds, TLDs, products,
severity); a TLP:AMBER or TLP:AMBER+STRICT advisory only to its audience organisations
(named ones and those its audience kinds, TLDs and products match); a TLP:RED advisory is
for named people only and raises no organisation warning. Each revision is news again.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from dnscert.advisories.models import Advisory
from dnscert.advisories.services import audience_organisations
from dnscert.advisories.warnings import matching
from dnscert.advisories.warnings.choices import WarningKind
from dnscert.advisories.warnings.models import Subscription
from dnscert.advisories.warnings.services import Draft
from dnscert.core.choices import TLP
from dnscert.directory.models import Organisation

OPEN_LABELS = frozenset({TLP.CLEAR, TLP.GREEN})


def rule_for(advisory: Advisory) -> str:
    """``advisories.vendor`` when the advisory lists affected products, else the general rule."""
    return "advisories.vendor" if advisory.affected.exists() else "advisories.published"


def product_ids(advisory: Advisory) -> list[int]:
    """The directory products the advisory is about: its audience and affected products."""
    audience = set(advisory.audience_products.values_list("pk", flat=True))
    affected = advisory.affected.exclude(product=None).values_list("product_id", flat=True)
    return sorted(audience | {pk for pk in affected if pk is not None})


def _subscribed(advisory: Advisory, kind: str, products: list[int]) -> set[int]:
    found = set()
    subscriptions = matching.active_subscriptions().filter(organisation__isnull=False)
    for subscription in subscriptions:
        if _wants(subscription, advisory, kind, products):
            assert subscription.organisation_id is not None
            found.add(subscription.organisation_id)
    return found


def _wants(subscription: Subscription, advisory: Advisory, kind: str, products: list[int]) -> bool:
    return matching.matches(
        subscription,
        kind=kind,
        severity=advisory.severity,
        tlds=advisory.audience_tlds,
        product_ids=products,
    )


def target_organisations(advisory: Advisory, kind: str, products: list[int]) -> list[Organisation]:
    """The organisations that get a warning about ``advisory`` under its TLP."""
    label = TLP.parse(advisory.tlp)
    if label == TLP.RED:
        return []
    ids = set(audience_organisations(advisory).values_list("pk", flat=True))
    if label in OPEN_LABELS:
        ids |= _subscribed(advisory, kind, products)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def _body(advisory: Advisory) -> str:
    parts = [advisory.summary]
    if advisory.recommendations:
        parts += ["", _("Recommendations:"), advisory.recommendations]
    if advisory.cve_ids:
        parts += ["", "CVE: " + ", ".join(advisory.cve_ids)]
    return "\n".join(parts)


def drafts(advisory: Advisory, revision: int) -> tuple[str, list[Draft]]:
    """The rule and one draft per target organisation for revision ``revision``."""
    rule = rule_for(advisory)
    kind = WarningKind.VENDOR_ADVISORY if rule == "advisories.vendor" else WarningKind.ADVISORY
    products = product_ids(advisory)
    title = f"{advisory.reference}: {advisory.title}"
    body = _body(advisory)
    return rule, [
        Draft(
            organisation=organisation,
            title=title,
            body=body,
            severity=advisory.severity,
            tlp=advisory.tlp,
            dedupe_key=f"advisory:{advisory.pk}:r{revision}",
            tlds=list(advisory.audience_tlds),
            product_ids=products,
            source=advisory,
        )
        for organisation in target_organisations(advisory, kind, products)
    ]
