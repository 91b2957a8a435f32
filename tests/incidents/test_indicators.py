"""Indicators: normalised values, hostile input refused, directory suggestions."""

from __future__ import annotations

import pytest

from dnscert.core.exceptions import InvalidInput
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import NetworkPrefix
from dnscert.incidents import indicators, services
from tests.incidents import factories
from tests.personas import make_org, staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "value", "canonical"),
    [
        ("domain", "Shop.XA.", "shop.xa"),
        ("domain", "bücher.xa", "xn--bcher-kva.xa"),
        ("nameserver", "NS1.Operator.Example", "ns1.operator.example"),
        ("ip", "2001:DB8:0::1", "2001:db8::1"),
        ("url", "https://login.shop.xa/p?a=1", "https://login.shop.xa/p?a=1"),
        ("registrar_id", "0042", "42"),
        ("email", "Abuse@Shop.XA", "Abuse@shop.xa"),
    ],
)
def test_values_are_normalised(kind: str, value: str, canonical: str) -> None:
    assert indicators.normalise(kind, value) == canonical


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        ("domain", "", "value"),
        ("domain", "bad..name", "value"),
        ("domain", ".", "value"),
        ("ip", "10.0.0.256", "value"),
        ("url", "javascript:alert(1)", "value"),
        ("registrar_id", "-3", "value"),
        ("email", "no-at-sign", "value"),
        ("domain", "a" * 3000, "value"),
        ("colour", "red", "kind"),
    ],
)
def test_hostile_values_are_refused(kind: str, value: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        indicators.normalise(kind, value)
    assert caught.value.field == field


def test_each_kind_suggests_its_organisations() -> None:
    analyst = staff()
    incident = factories.incident()
    registry = factories.registry("xa")
    operator = factories.dns_operator("ns1.operator.example.")
    isp = make_org(OrganisationKind.ISP)
    NetworkPrefix.objects.create(prefix="192.0.2.0/24", organisation=isp)
    registrar = make_org(OrganisationKind.REGISTRAR)
    registrar.iana_id = 9999
    registrar.save()
    found = {}
    for kind, value in [
        ("domain", "shop.xa"),
        ("nameserver", "ns1.operator.example"),
        ("ip", "192.0.2.7"),
        ("registrar_id", "9999"),
        ("url", "http://192.0.2.8/login"),
        ("email", "x@mail.xa"),
    ]:
        indicator = services.add_indicator(incident, kind=kind, value=value, by=analyst)
        found[kind] = [s.organisation for s in indicators.suggestions_for(indicator)]
    assert found["domain"] == [registry]
    assert found["nameserver"] == [operator]
    assert found["ip"] == found["url"] == [isp]
    assert found["registrar_id"] == [registrar]
    assert found["email"] == [registry]
    factories.participant(incident, registry)
    assert {s.organisation for s in indicators.suggestions(incident)} == {operator, isp, registrar}


def test_a_duplicate_indicator_is_refused() -> None:
    incident = factories.incident()
    services.add_indicator(incident, kind="domain", value="shop.xa", by=staff())
    with pytest.raises(InvalidInput, match="already an indicator"):
        services.add_indicator(incident, kind="domain", value="SHOP.xa.", by=staff())
