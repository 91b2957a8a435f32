"""REST API of the directory: access per endpoint, filters, validation, lookup and schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from dnscert.directory import services
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import Contact, Organisation, Zone
from tests.personas import make_org, member, responder, staff

pytestmark = pytest.mark.django_db

BASE = "/api/directory"
ENDPOINTS = ["organisations", "contacts", "zones", "nameservers", "prefixes", "asns", "products"]


@pytest.fixture
def world() -> dict[str, Any]:
    registry = make_org(OrganisationKind.CCTLD_REGISTRY, "Registre XA")
    vendor = make_org(OrganisationKind.VENDOR, "Resolvd Project")
    services.update_organisation(None, registry, country="FR", membership="operational")
    services.update_organisation(None, vendor, country="NL")
    services.create_zone(None, registry, name="xa.")
    services.create_zone(None, vendor, name="resolvd.xa.")
    services.create_nameserver(None, registry, hostname="a.nic.xa.", addresses=["192.0.2.1"])
    services.create_nameserver(None, vendor, hostname="ns.resolvd.xa.")
    services.create_prefix(None, registry, prefix="192.0.2.0/24")
    services.create_prefix(None, vendor, prefix="198.51.100.0/24")
    services.create_asn(None, registry, asn=64496)
    services.create_asn(None, vendor, asn=64497)
    services.create_product(None, registry, name="Registry Box", kind="registry_system")
    services.create_product(None, vendor, name="Resolvd", kind="resolver")
    noc = services.create_contact(
        None, registry, name="noc", email="noc@xa.example", is_24x7=True, is_role_mailbox=True
    )
    psirt = services.create_contact(None, vendor, name="psirt", email="psirt@resolvd.example")
    return {"registry": registry, "vendor": vendor, "noc": noc, "psirt": psirt}


def api(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "lookup"])
def test_it_refuses_anonymous_callers(world: dict[str, Any], endpoint: str) -> None:
    response = api().get(f"{BASE}/{endpoint}/", {"tld": "xa"})
    assert response.status_code == 401
    assert api().post(f"{BASE}/{endpoint}/", {}).status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_shows_members_only_their_organisation(world: dict[str, Any], endpoint: str) -> None:
    registry = world["registry"]
    rows = results(api(member(registry)).get(f"{BASE}/{endpoint}/"))
    assert len(rows) == 1
    owner = rows[0].get("organisation", rows[0].get("vendor", rows[0]["id"]))
    assert owner == registry.pk


def vendor_object(world: dict[str, Any], endpoint: str) -> Any:
    """The vendor's object behind ``endpoint`` (the registry member must not reach it)."""
    vendor = world["vendor"]
    return {
        "organisations": vendor,
        "contacts": world["psirt"],
        "zones": vendor.zones.first(),
        "nameservers": vendor.nameservers.first(),
        "prefixes": vendor.prefixes.first(),
        "asns": vendor.asns.first(),
        "products": vendor.products.first(),
    }[endpoint]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_hides_other_organisations_objects_by_id(world: dict[str, Any], endpoint: str) -> None:
    client = api(member(world["registry"]))
    target = vendor_object(world, endpoint)
    url = f"{BASE}/{endpoint}/{target.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "x"}, format="json").status_code in (403, 404)
    assert client.delete(url).status_code in (403, 404)
    assert type(target).objects.filter(pk=target.pk).exists()
    assert api(staff()).get(url).status_code == 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lets_responders_read_but_not_write(world: dict[str, Any], endpoint: str) -> None:
    client = api(responder())
    rows = results(client.get(f"{BASE}/{endpoint}/"))
    assert len(rows) == 2
    assert client.post(f"{BASE}/{endpoint}/", {"name": "x"}).status_code == 403
    assert client.delete(f"{BASE}/{endpoint}/{rows[0]['id']}/").status_code == 403
    assert len(results(client.get(f"{BASE}/{endpoint}/"))) == 2


def test_it_refuses_a_member_another_organisations_contact(world: dict[str, Any]) -> None:
    client = api(member(world["registry"]))
    psirt = world["psirt"]
    assert client.get(f"{BASE}/contacts/{psirt.pk}/").status_code == 404
    assert client.delete(f"{BASE}/contacts/{psirt.pk}/").status_code == 404
    created = client.post(
        f"{BASE}/contacts/",
        {"organisation": world["vendor"].pk, "name": "Spy", "email": "spy@x.example"},
        format="json",
    )
    assert created.status_code == 403
    assert not Contact.objects.filter(email="spy@x.example").exists()


def test_it_lets_a_member_maintain_own_contacts(world: dict[str, Any]) -> None:
    registry = world["registry"]
    client = api(member(registry))
    created = client.post(
        f"{BASE}/contacts/",
        {
            "organisation": registry.pk,
            "name": "Night shift",
            "email": "Night@XA.example",
            "phone": "+33 1 99 00 10 09",
            "languages": ["fr", "en"],
            "is_24x7": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["email"], body["phone"]) == ("night@xa.example", "+33199001009")
    patched = client.patch(f"{BASE}/contacts/{body['id']}/", {"role": "Duty"}, format="json")
    assert patched.status_code == 200 and patched.json()["role"] == "Duty"
    moved = client.patch(
        f"{BASE}/contacts/{body['id']}/", {"organisation": world["vendor"].pk}, format="json"
    )
    assert moved.status_code == 403
    assert client.delete(f"{BASE}/contacts/{body['id']}/").status_code == 204
    assert (
        client.post(f"{BASE}/zones/", {"organisation": registry.pk, "name": "z.xa."}).status_code
        == 403
    )


def test_it_rejects_bad_input_naming_the_field_and_changes_nothing(world: dict[str, Any]) -> None:
    client = api(staff())
    response = client.post(
        f"{BASE}/contacts/",
        {
            "organisation": world["registry"].pk,
            "name": "X",
            "email": "x@xa.example",
            "phone": "+33 CALL",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "letters" in response.json()["phone"][0]
    response = client.post(
        f"{BASE}/organisations/",
        {
            "name": "Bad",
            "short_name": "bad",
            "kind": "isp",
            "country": "ZZ",
            "time_zone": "Mars/Base",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "country" in response.json()
    response = client.post(
        f"{BASE}/organisations/",
        {"name": "Bad", "short_name": "bad", "kind": "isp", "time_zone": "Mars/Base"},
        format="json",
    )
    assert response.status_code == 400 and "time_zone" in response.json()
    duplicate = client.post(
        f"{BASE}/zones/", {"organisation": world["vendor"].pk, "name": "XA"}, format="json"
    )
    assert duplicate.status_code == 400 and "name" in duplicate.json()
    bad_prefix = client.post(
        f"{BASE}/prefixes/", {"organisation": world["vendor"].pk, "prefix": "10.0.0.1/8"}
    )
    assert bad_prefix.status_code == 400 and "host bits" in bad_prefix.json()["prefix"][0]
    assert not Organisation.objects.filter(short_name="bad").exists()
    assert Zone.objects.count() == 2
    assert not Contact.objects.filter(email="x@xa.example").exists()


def test_it_lets_staff_create_update_and_delete(world: dict[str, Any]) -> None:
    client = api(staff())
    created = client.post(
        f"{BASE}/organisations/",
        {
            "name": "XB Registry",
            "short_name": "XB-Registry",
            "kind": "cctld_registry",
            "country": "jp",
            "languages": ["ja"],
            "time_zone": "Asia/Tokyo",
            "clients": [world["registry"].short_name],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    org = created.json()
    assert (org["short_name"], org["country"], org["clients"]) == (
        "xb-registry",
        "JP",
        [world["registry"].short_name],
    )
    zone = client.post(f"{BASE}/zones/", {"organisation": org["id"], "name": "XB"}, format="json")
    assert zone.status_code == 201 and zone.json()["name"] == "xb." and zone.json()["kind"] == "tld"
    detail = client.get(f"{BASE}/organisations/{org['id']}/").json()
    assert [z["name"] for z in detail["zones"]] == ["xb."]
    renamed = client.patch(f"{BASE}/organisations/{org['id']}/", {"name": "XB Reg"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "XB Reg"
    moved = client.patch(
        f"{BASE}/zones/{zone.json()['id']}/", {"organisation": world["vendor"].pk}, format="json"
    )
    assert moved.status_code == 400
    assert client.delete(f"{BASE}/zones/{zone.json()['id']}/").status_code == 204
    assert client.delete(f"{BASE}/organisations/{org['id']}/").status_code == 204
    assert not Organisation.objects.filter(short_name="xb-registry").exists()


def test_it_filters_and_searches(world: dict[str, Any]) -> None:
    client = api(staff())

    def names(endpoint: str, **params: str) -> list[str]:
        rows = results(client.get(f"{BASE}/{endpoint}/", params))
        return [row.get("short_name") or row.get("name") or row.get("email") for row in rows]

    registry, vendor = world["registry"].short_name, world["vendor"].short_name
    assert names("organisations", kind="vendor") == [vendor]
    assert names("organisations", country="fr") == [registry]
    assert names("organisations", membership="operational") == [registry]
    assert names("organisations", has_24x7="true") == [registry]
    assert names("organisations", has_24x7="false") == [vendor]
    assert names("organisations", q="xa") == [registry]
    assert names("organisations", search="resolvd.xa.") == [vendor]
    assert names("contacts", is_24x7="true") == ["noc"]
    assert names("contacts", organisation=vendor) == ["psirt"]
    assert names("zones", organisation=str(world["vendor"].pk)) == ["resolvd.xa."]
    assert names("products", organisation=vendor) == ["Resolvd"]
    invalid = client.get(f"{BASE}/organisations/", {"kind": "spaceship"})
    assert invalid.status_code == 400


def test_it_looks_up_who_runs_what(world: dict[str, Any]) -> None:
    client = api(responder())
    registry, vendor = world["registry"].short_name, world["vendor"].short_name

    def found(**params: str) -> list[str]:
        response = client.get(f"{BASE}/lookup/", params)
        assert response.status_code == 200, response.content
        return [org["short_name"] for org in response.json()["organisations"]]

    assert found(tld="xa") == [registry]
    assert found(zone="www.resolvd.xa") == [vendor]
    assert found(nameserver="A.NIC.XA") == [registry]
    assert found(ip="198.51.100.7") == [vendor]
    assert found(asn="AS64496") == [registry]
    assert found(product="resolvd") == [vendor]
    assert found(zone="nowhere.zz") == []
    match = client.get(f"{BASE}/lookup/", {"tld": "xa"}).json()["organisations"][0]
    assert [c["email"] for c in match["contacts_24x7"]] == ["noc@xa.example"]
    assert client.get(f"{BASE}/lookup/").status_code == 400
    assert client.get(f"{BASE}/lookup/", {"tld": "xa", "ip": "192.0.2.1"}).status_code == 400


def test_it_narrows_lookups_to_what_a_member_may_see(world: dict[str, Any]) -> None:
    client = api(member(world["registry"]))
    assert client.get(f"{BASE}/lookup/", {"product": "resolvd"}).json()["organisations"] == []
    own = client.get(f"{BASE}/lookup/", {"tld": "xa"}).json()["organisations"]
    assert [org["short_name"] for org in own] == [world["registry"].short_name]


def test_it_describes_the_endpoints_in_a_valid_schema() -> None:
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    for endpoint in [*ENDPOINTS, "lookup"]:
        assert f"{BASE}/{endpoint}/" in schema["paths"]
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [problem for problem in problems if "directory" in problem] == []


@pytest.mark.parametrize("endpoint", ["organisations", "contacts"])
def test_it_lists_in_a_constant_number_of_queries(world: dict[str, Any], endpoint: str) -> None:
    client = api(staff())

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            results(client.get(f"{BASE}/{endpoint}/"))
        return len(captured)

    few = count()
    for _ in range(5):
        org = make_org()
        services.create_zone(None, org, name=f"{org.short_name}.xa.")
        services.create_contact(None, org, name="noc", email=f"noc@{org.short_name}.example")
    assert count() == few
