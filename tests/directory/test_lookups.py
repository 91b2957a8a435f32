"""Lookups other apps use: who runs this TLD, zone, host, address, AS or product."""

from __future__ import annotations

import pytest

from dnscert.directory import lookups, services
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import Organisation
from tests.personas import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def constituency() -> dict[str, Organisation]:
    root = make_org(OrganisationKind.ROOT_OPERATOR, "Root Ops")
    registry = make_org(OrganisationKind.CCTLD_REGISTRY, "Registre XA")
    shop = make_org(OrganisationKind.DNS_OPERATOR, "Shop Hosting")
    isp = make_org(OrganisationKind.ISP, "Big ISP")
    registrar = make_org(OrganisationKind.REGISTRAR, "Names Registrar")
    vendor = make_org(OrganisationKind.VENDOR, "Resolvd Project")
    other_vendor = make_org(OrganisationKind.VENDOR, "Resolvd Plus Inc")
    services.create_zone(None, root, name=".")
    services.create_zone(None, registry, name="xa.")
    services.create_zone(None, shop, name="shop.xa.")
    services.create_nameserver(None, registry, hostname="a.nic.xa.")
    services.create_prefix(None, isp, prefix="192.0.2.0/24")
    services.create_prefix(None, shop, prefix="192.0.2.128/25")
    services.create_prefix(None, registry, prefix="2001:db8::/32")
    services.create_asn(None, isp, asn=64496)
    services.update_organisation(None, registrar, iana_id=9001)
    services.create_product(None, vendor, name="Resolvd", kind="resolver")
    services.create_product(None, other_vendor, name="Resolvd Plus", kind="resolver")
    return {
        "root": root,
        "registry": registry,
        "shop": shop,
        "isp": isp,
        "registrar": registrar,
        "vendor": vendor,
        "other_vendor": other_vendor,
    }


def test_it_finds_the_registry_of_a_tld(constituency: dict[str, Organisation]) -> None:
    for name in ("xa", "XA.", ".xa"):
        assert lookups.organisation_for_tld(name) == constituency["registry"]
    assert lookups.organisation_for_tld("shop.xa") is None
    assert lookups.organisation_for_tld("xz") is None
    assert lookups.organisation_for_tld("") is None


def test_it_finds_the_closest_enclosing_zone(constituency: dict[str, Organisation]) -> None:
    assert lookups.organisation_for_zone("www.shop.xa") == constituency["shop"]
    assert lookups.organisation_for_zone("shop.xa.") == constituency["shop"]
    assert lookups.organisation_for_zone("other.xa") == constituency["registry"]
    assert lookups.organisation_for_zone(".") == constituency["root"]


def test_it_does_not_blame_the_root_for_unknown_tlds(
    constituency: dict[str, Organisation],
) -> None:
    assert lookups.organisation_for_zone("example.zz") is None
    assert lookups.organisation_for_zone("not a name..") is None


def test_it_finds_nameserver_operators(constituency: dict[str, Organisation]) -> None:
    assert lookups.organisation_for_nameserver("A.NIC.XA") == constituency["registry"]
    assert lookups.organisation_for_nameserver("b.nic.xa") is None
    assert lookups.organisation_for_nameserver("..") is None


def test_it_matches_the_longest_prefix(constituency: dict[str, Organisation]) -> None:
    assert lookups.organisation_for_ip("192.0.2.200") == constituency["shop"]
    assert lookups.organisation_for_ip("192.0.2.5") == constituency["isp"]
    assert lookups.organisation_for_ip("2001:db8::53") == constituency["registry"]
    assert lookups.organisation_for_ip("198.51.100.1") is None
    assert lookups.organisation_for_ip("not-an-ip") is None


def test_it_finds_as_operators(constituency: dict[str, Organisation]) -> None:
    assert lookups.organisation_for_asn(64496) == constituency["isp"]
    assert lookups.organisation_for_asn("AS64496") == constituency["isp"]
    assert lookups.organisation_for_asn(64497) is None
    assert lookups.organisation_for_asn("junk") is None


def test_it_finds_registrars_by_iana_id(constituency: dict[str, Organisation]) -> None:
    assert lookups.registrar_by_iana_id(9001) == constituency["registrar"]
    assert lookups.registrar_by_iana_id("9001") == constituency["registrar"]
    assert lookups.registrar_by_iana_id(9002) is None
    assert lookups.registrar_by_iana_id("x") is None


def test_it_finds_vendors_exact_match_first(constituency: dict[str, Organisation]) -> None:
    found = lookups.vendors_for_product("resolvd")
    assert found == [constituency["vendor"], constituency["other_vendor"]]
    assert lookups.vendors_for_product("PLUS") == [constituency["other_vendor"]]
    assert lookups.vendors_for_product("  ") == []
    assert lookups.vendors_for_product("AuthNS") == []


def test_it_lists_24x7_contacts_role_mailboxes_first() -> None:
    org = make_org()
    services.create_contact(None, org, name="Alice", email="alice@x.example", is_24x7=True)
    services.create_contact(
        None, org, name="noc", email="noc@x.example", is_24x7=True, is_role_mailbox=True
    )
    services.create_contact(None, org, name="Bob", email="bob@x.example")
    names = [contact.name for contact in lookups.contacts_24x7(org)]
    assert names == ["noc", "Alice"]
