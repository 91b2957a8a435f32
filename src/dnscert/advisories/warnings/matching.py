"""Which subscriptions a warning goes to: kinds, TLDs, products, minimum severity, TLP."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from dnscert.advisories.warnings.choices import severity_rank
from dnscert.advisories.warnings.models import Subscription, Warning, WarningDelivery
from dnscert.core.visibility import can_see


def matches(
    subscription: Subscription,
    *,
    kind: str,
    severity: str,
    tlds: Iterable[str] = (),
    product_ids: Iterable[int] = (),
) -> bool:
    """True when the subscription's filters let through a warning with these properties.

    An empty filter lets everything through; a TLD or product filter also lets through a
    warning that names no TLD or product (it is not about one in particular).
    """
    if subscription.kinds and kind not in subscription.kinds:
        return False
    if severity_rank(severity) < severity_rank(subscription.min_severity):
        return False
    wanted_tlds = {tld.lower().strip(".") for tld in subscription.tlds}
    given_tlds = {tld.lower().strip(".") for tld in tlds if tld}
    if wanted_tlds and given_tlds and not wanted_tlds & given_tlds:
        return False
    wanted_products = {product.pk for product in subscription.products.all()}
    given_products = set(product_ids)
    return not (wanted_products and given_products and not wanted_products & given_products)


def active_subscriptions() -> QuerySet[Subscription]:
    """Active subscriptions with what matching reads, prefetched."""
    return (
        Subscription.objects.filter(active=True)
        .select_related("organisation", "user")
        .prefetch_related("products")
    )


def for_warning(warning: Warning) -> list[Subscription]:
    """The subscriptions ``warning`` is delivered to.

    The organisation's own subscriptions whose filters match, and the personal subscriptions
    of team members whose filters match and who may see the warning under its TLP.
    """
    candidates = active_subscriptions().filter(
        Q(organisation=warning.organisation) | Q(organisation__isnull=True, user__isnull=False)
    )
    chosen = []
    for subscription in candidates:
        if not _matches_warning(subscription, warning):
            continue
        if subscription.user is not None and not _personal_wants(subscription, warning):
            continue
        chosen.append(subscription)
    return chosen


def _personal_wants(subscription: Subscription, warning: Warning) -> bool:
    """A personal subscription gets what its user may see, once per condition.

    One advisory raises a warning per organisation with the same deduplication key: a team
    member subscribed to advisories gets it once, not once per organisation.
    """
    if not can_see(subscription.user, warning):
        return False
    already = WarningDelivery.objects.filter(
        subscription=subscription, warning__dedupe_key=warning.dedupe_key
    ).exclude(warning=warning)
    return not already.exists()


def _matches_warning(subscription: Subscription, warning: Warning) -> bool:
    return matches(
        subscription,
        kind=warning.kind,
        severity=warning.severity,
        tlds=warning.tlds,
        product_ids=warning.product_ids,
    )


def has_own_subscription(warning: Warning) -> bool:
    """True when the warning's organisation set up any active subscription."""
    return Subscription.objects.filter(organisation=warning.organisation, active=True).exists()
