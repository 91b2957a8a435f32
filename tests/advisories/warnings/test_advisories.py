"""Published advisories reach the subscribers whose filters match, within the TLP rule."""

from __future__ import annotations

from typing import Any

import pytest

from dnscert.advisories.models import Advisory
from dnscert.advisories.services import create_draft
from dnscert.advisories.signals import advisory_published
from dnscert.advisories.warnings.choices import ChannelKind, WarningKind
from dnscert.advisories.warnings.models import Subscription, Warning, WarningDelivery
from dnscert.core.choices import Severity
from dnscert.directory.choices import OrganisationKind, ProductKind
from dnscert.directory.models import Product
from tests.advisories.warnings.conftest import committed, contact, registry
from tests.personas import make_org, staff

pytestmark = pytest.mark.django_db


def _publish(capture: Any, *, tlp: str, **audience: Any) -> Advisory:
    advisory = create_draft(
        title="Cache poisoning in resolvers",
        summary="Upgrade your resolvers.",
        recommendations="Apply the vendor patches.",
        severity=Severity.HIGH,
        tlp=tlp,
        csaf_category="csaf_informational_advisory",
        by=staff(),
        **audience,
    )
    Advisory.objects.filter(pk=advisory.pk).update(status="published", current_release=1)
    with committed(capture):
        advisory_published.send(sender=Advisory, advisory=advisory, revision=1)
    return advisory


def _subscribe(org: Any, **fields: Any) -> Subscription:
    return Subscription.objects.create(
        organisation=org, name="all", channels=[ChannelKind.EMAIL], **fields
    )


def _mailed() -> set[str]:
    return set(WarningDelivery.objects.values_list("recipient", flat=True))


def test_a_clear_advisory_reaches_matching_subscribers_only(
    django_capture_on_commit_callbacks: Any,
) -> None:
    xa, xb, xc = registry("xa"), registry("xb"), registry("xc")
    _subscribe(xa, kinds=[WarningKind.ADVISORY], tlds=["xa"])
    _subscribe(xb, kinds=[WarningKind.DNS_HEALTH])  # does not want advisories
    _subscribe(xc, min_severity=Severity.CRITICAL)  # too severe a threshold

    advisory = _publish(django_capture_on_commit_callbacks, tlp="CLEAR", audience_tlds=["xa"])

    (warning,) = Warning.objects.all()
    assert warning.organisation == xa and warning.source == advisory
    assert warning.title.startswith(advisory.reference)
    assert _mailed() == {"noc@nic.xa.example"}


def test_an_amber_advisory_never_reaches_a_subscriber_outside_its_audience(
    django_capture_on_commit_callbacks: Any,
) -> None:
    xa, xb = registry("xa"), registry("xb")
    vendor = make_org(OrganisationKind.VENDOR, "Resolver Vendor")
    contact(vendor, "psirt@vendor.example")
    _subscribe(xa)
    _subscribe(vendor)  # subscribes to everything, but is not in the audience

    _publish(
        django_capture_on_commit_callbacks,
        tlp="AMBER",
        audience_kinds=[OrganisationKind.CCTLD_REGISTRY],
    )

    assert set(Warning.objects.values_list("organisation__name", flat=True)) == {
        xa.name,
        xb.name,
    }
    assert set(Warning.objects.values_list("tlp", flat=True)) == {"AMBER"}
    # xb has no subscription: the default (24x7 contacts by e-mail) applies.
    assert _mailed() == {"noc@nic.xa.example", "noc@nic.xb.example"}
    assert "psirt@vendor.example" not in _mailed()


def test_a_red_advisory_raises_no_organisation_warning(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _subscribe(registry("xa"))
    _publish(django_capture_on_commit_callbacks, tlp="RED", audience_kinds=["cctld_registry"])
    assert not Warning.objects.exists()


def test_a_product_filter_and_a_new_revision(django_capture_on_commit_callbacks: Any) -> None:
    vendor = make_org(OrganisationKind.VENDOR, "Vendor")
    product = Product.objects.create(name="Resolvd", kind=ProductKind.RESOLVER, vendor=vendor)
    other = Product.objects.create(name="Authd", kind=ProductKind.AUTHORITATIVE, vendor=vendor)
    operator = make_org(OrganisationKind.ISP, "ISP")
    contact(operator, "noc@isp.example")
    wanted = _subscribe(operator, email="dns@isp.example")
    wanted.products.set([product])
    unwanted = _subscribe(operator, email="auth@isp.example")
    unwanted.products.set([other])

    advisory = _publish(
        django_capture_on_commit_callbacks,
        tlp="GREEN",
        affected=[{"product": product, "versions": "< 9.1", "status": "known_affected"}],
    )
    assert Warning.objects.get(organisation=operator).kind == WarningKind.VENDOR_ADVISORY
    assert "dns@isp.example" in _mailed() and "auth@isp.example" not in _mailed()

    with committed(django_capture_on_commit_callbacks):
        advisory_published.send(sender=Advisory, advisory=advisory, revision=1)
        advisory_published.send(sender=Advisory, advisory=advisory, revision=2)
    assert Warning.objects.filter(organisation=operator).count() == 2
