"""The write API of vulnerability coordination: core staff open and edit cases, add vendors,
see the vendors proposed from products, and set or lift the embargo, through the same
services as the web pages (same audit rows). Vendors get 403 on a case they can read;
everyone else still gets 404 for a hidden case; hostile input gets a 400 naming the field."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.core.models import AuditEvent
from dnscert.directory.choices import OrganisationKind
from dnscert.vulns import services
from dnscert.vulns.choices import CaseStatus, VendorStatus
from dnscert.vulns.models import Case
from tests.personas import login_verified, make_org, member, outsider, responder, staff
from tests.vulns import factories

pytestmark = pytest.mark.django_db

CVSS3 = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N"
CVSS4 = "CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:N/VI:H/VA:N/SC:N/SI:H/SA:N"
CASES = "/api/vulns/cases/"


@pytest.fixture
def world() -> dict[str, Any]:
    """A case with Alpha notified, Beta proposed from its product, and an unrelated case."""
    boss = staff()
    alpha = factories.vendor("Alpha DNS")
    beta = factories.vendor("Beta Labs")
    case = factories.case(by=boss)
    services.add_product(case, by=boss, name="Resolvd", versions="< 9.5")
    row = services.add_vendor(case, alpha, by=boss)
    services.notify_vendor(row, by=boss)
    other = factories.case(by=boss, title="Another flaw")
    return {
        "staff": boss,
        "case": case,
        "other": other,
        "alpha": alpha,
        "beta": beta,
        "alpha_member": member(alpha),
        "beta_member": member(beta),
    }


def _client(user: Any = None) -> Client:
    return login_verified(Client(), user) if user is not None else Client()


def _send(user: Any, method: str, url: str, payload: Any = None) -> Any:
    client = _client(user)
    if method == "get":
        return client.get(url)
    body = payload if isinstance(payload, str) else json.dumps(payload or {})
    return getattr(client, method)(url, body, content_type="application/json")


def _future(days: int = 10) -> str:
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0).isoformat()


def _new_case(**fields: Any) -> dict[str, Any]:
    return {"title": "Resolver accepts forged referrals", **fields}


# --- creating a case ---------------------------------------------------------------------------


def test_it_creates_a_case_with_products_and_embargo(world: dict[str, Any]) -> None:
    payload = _new_case(
        description="A forged referral poisons the cache.",
        affected_software="Resolvd",
        affected_versions="< 9.5",
        cvss3_vector=CVSS3,
        cvss4_vector=CVSS4,
        cwe="345",
        cve_ids=["cve-2008-1447"],
        tlp="AMBER",
        products=[{"name": "Resolvd", "versions": "< 9.5"}],
        embargo_at=_future(),
    )
    response = _send(world["staff"], "post", CASES, payload)
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(reference=data["reference"])
    assert data["status"] == CaseStatus.NEW and data["tlp"] == "AMBER"
    assert data["cvss3_score"] == "6.8" and data["cvss4_score"] == "8.9"
    assert data["severity"] == "high" and data["cwe"] == "CWE-345"
    assert data["cve_ids"] == ["CVE-2008-1447"]
    assert case.created_by == world["staff"] and case.embargo_at is not None
    assert [(p.name, p.versions) for p in case.products.all()] == [("Resolvd", "< 9.5")]


def test_it_creates_a_case_from_a_directory_product(world: dict[str, Any]) -> None:
    product = world["beta"].products.get()
    response = _send(world["staff"], "post", CASES, _new_case(products=[{"product": product.pk}]))
    assert response.status_code == 201, response.content
    item = Case.objects.get(reference=response.json()["reference"]).products.get()
    assert item.product == product and item.name == product.name


def test_a_case_created_by_api_appears_on_the_web_pages(world: dict[str, Any]) -> None:
    response = _send(world["staff"], "post", CASES, _new_case(cvss3_vector=CVSS3))
    reference = response.json()["reference"]
    web = _client(world["staff"])
    page = web.get(f"/vulns/{reference}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert reference in text and "Resolver accepts forged referrals" in text and CVSS3 in text
    assert reference in web.get("/vulns/").content.decode()


def _trail(case: Case) -> list[tuple[str, str, list[str]]]:
    rows = AuditEvent.objects.filter(object_type="vulns.case", object_id=str(case.pk))
    return [(e.action, e.actor_label, sorted(e.changes)) for e in rows.order_by("id")]


def test_the_audit_trail_is_the_same_as_the_web_path(world: dict[str, Any]) -> None:
    fields = {
        "title": "Same flaw, two paths",
        "description": "d",
        "severity": "high",
        "cvss3_vector": CVSS3,
        "cwe": "CWE-345",
        "tlp": "AMBER+STRICT",
    }
    form = {**fields, "cve_ids": "CVE-2008-1447"}
    web = _client(world["staff"]).post("/vulns/new/", form)
    assert web.status_code == 302
    api = _send(world["staff"], "post", CASES, {**fields, "cve_ids": ["CVE-2008-1447"]})
    assert api.status_code == 201
    by_web = Case.objects.get(reference=web["Location"].strip("/").split("/")[-1])
    by_api = Case.objects.get(reference=api.json()["reference"])
    assert _trail(by_api) == _trail(by_web) != []
    edit = {"title": "Renamed", "cwe": "CWE-20"}
    edited = _client(world["staff"]).post(f"/vulns/{by_web.reference}/edit/", {**form, **edit})
    assert edited.status_code == 302
    assert _send(world["staff"], "patch", f"{CASES}{by_api.reference}/", edit).status_code == 200
    assert _trail(by_api)[-1] == _trail(by_web)[-1]
    assert AuditEvent.objects.filter(object_id=str(by_api.pk), via="api").exists()


@pytest.mark.parametrize("who", ["vendor", "outsider", "responder"])
def test_creating_a_case_is_refused_to_everyone_but_staff(world: dict[str, Any], who: str) -> None:
    user = {"vendor": world["alpha_member"], "outsider": outsider(), "responder": responder()}[who]
    before = Case.objects.count()
    assert _send(user, "post", CASES, _new_case()).status_code == 403
    assert _send(None, "post", CASES, _new_case()).status_code in (401, 403)
    assert Case.objects.count() == before


def _case_events() -> int:
    return AuditEvent.objects.filter(object_type="vulns.case").count()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": ["a", "list"]}, "title"),
        ({"title": {"nested": "object"}}, "title"),
        ({}, "title"),
        (_new_case(description="x" * 20_001), "description"),
        (_new_case(affected_software="x" * 301), "affected_software"),
        (_new_case(cvss3_vector="CVSS:3.1/AV:Q"), "cvss3_vector"),
        (_new_case(cvss3_vector="AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "cvss3_vector"),
        (_new_case(cvss3_vector="CVSS:3.1/" + "AV:N/" * 40), "cvss3_vector"),
        (_new_case(cvss4_vector="CVSS:4.0/AV:N"), "cvss4_vector"),
        (_new_case(cvss4_vector=42), "cvss4_vector"),
        (_new_case(cwe="XSS"), "cwe"),
        (_new_case(cve_ids="CVE-2008-1447"), "cve_ids"),
        (_new_case(cve_ids=["CVE-1990-1234"]), "cve_ids"),
        (_new_case(cve_ids=["<script>"]), "cve_ids"),
        (_new_case(cve_ids=[f"CVE-2024-{n:05}" for n in range(51)]), "cve_ids"),
        (_new_case(tlp="PURPLE"), "tlp"),
        (_new_case(severity=5), "severity"),
        (_new_case(embargo_at="2001-01-01T00:00:00Z"), "embargo_at"),
        (_new_case(embargo_at="2099-01-01T00:00:00"), "embargo_at"),
        (_new_case(embargo_at="next tuesday"), "embargo_at"),
        (_new_case(products="Resolvd"), "products"),
        (_new_case(products=[{"versions": "1.0"}]), "products"),
        (_new_case(products=[{"product": 999_999}]), "products"),
        (_new_case(products=[{"product": 10**30}]), "products"),
        (_new_case(products=[{"name": "x" * 201}]), "products"),
        (_new_case(products=[{"name": f"P{n}"} for n in range(51)]), "products"),
        (_new_case(status="published"), "status"),
        (_new_case(reference="DNSCERT-VU-1999-0001"), "reference"),
    ],
)
def test_bad_case_input_gets_a_400_naming_the_field(
    world: dict[str, Any], payload: dict[str, Any], field: str
) -> None:
    before = (Case.objects.count(), _case_events())
    response = _send(world["staff"], "post", CASES, payload)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert (Case.objects.count(), _case_events()) == before


def test_a_refused_embargo_leaves_no_half_made_case(world: dict[str, Any]) -> None:
    before = Case.objects.count()
    payload = _new_case(products=[{"name": "Resolvd"}], embargo_at="2001-01-01T00:00:00+00:00")
    response = _send(world["staff"], "post", CASES, payload)
    assert response.json() == {"embargo_at": ["the embargo must end in the future"]}
    assert Case.objects.count() == before


def test_malformed_json_is_refused(world: dict[str, Any]) -> None:
    response = _send(world["staff"], "post", CASES, '{"title": ')
    assert response.status_code == 400 and "JSON" in response.json()["detail"]


# --- editing a case ---------------------------------------------------------------------------


def test_staff_edit_the_fields_the_web_form_edits(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    url = f"{CASES}{case.reference}/"
    response = _send(world["staff"], "patch", url, {"cvss4_vector": CVSS4, "tlp": "RED"})
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert str(case.cvss4_score) == "8.9" and case.tlp == "RED" and case.severity == "high"
    assert case.title == "Cache poisoning by source port prediction"
    event = AuditEvent.objects.filter(object_id=str(case.pk), action="update").latest("id")
    assert set(event.changes) == {"cvss4_vector", "cvss4_score", "severity", "tlp"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"cvss3_vector": "CVSS:3.1/AV:N"}, "cvss3_vector"),
        ({"cve_ids": [1, 2]}, "cve_ids"),
        ({"status": "published"}, "status"),
        ({"embargo_at": "2099-01-01T00:00:00Z"}, "embargo_at"),
        ({"products": [{"name": "Other"}]}, "products"),
    ],
)
def test_bad_edits_are_refused(world: dict[str, Any], payload: dict[str, Any], field: str) -> None:
    case: Case = world["case"]
    response = _send(world["staff"], "patch", f"{CASES}{case.reference}/", payload)
    assert response.status_code == 400 and field in response.json(), response.content
    case.refresh_from_db()
    assert case.title == "Cache poisoning by source port prediction" and case.embargo_at is None


def test_editing_refuses_vendors_hides_the_case_from_others(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    url = f"{CASES}{case.reference}/"
    assert _send(world["alpha_member"], "get", url).status_code == 200
    assert _send(world["alpha_member"], "patch", url, {"title": "x"}).status_code == 403
    assert _send(world["beta_member"], "patch", url, {"title": "x"}).status_code == 404
    assert _send(outsider(), "patch", url, {"title": "x"}).status_code == 404
    assert _send(None, "patch", url, {"title": "x"}).status_code in (401, 403)
    assert _send(world["staff"], "put", url, {"title": "x"}).status_code == 405
    case.refresh_from_db()
    assert case.title == "Cache poisoning by source port prediction"


# --- vendors ----------------------------------------------------------------------------------


def _vendors_url(case: Case) -> str:
    return f"{CASES}{case.reference}/vendors/"


def test_staff_add_a_directory_vendor(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    response = _send(world["staff"], "post", _vendors_url(case), {"organisation": world["beta"].pk})
    assert response.status_code == 201, response.content
    assert response.json()["organisation"] == "Beta Labs"
    assert response.json()["status"] == VendorStatus.NOT_CONTACTED
    row = case.vendors.get(organisation=world["beta"])
    assert [p.name for p in row.products.all()] == ["Resolvd"]
    event = AuditEvent.objects.filter(object_id=str(case.pk)).latest("id")
    assert event.changes == {"vendor_added": "Beta Labs"} and event.via == "api"
    assert _send(world["beta_member"], "get", f"{CASES}{case.reference}/").status_code == 404


def _registry() -> Any:
    return make_org(OrganisationKind.CCTLD_REGISTRY, "A Registry")


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"organisation": "alpha"}, "valid integer"),
        ({"organisation": None}, "null"),
        ({"organisation": 999_999}, "no organisation with id 999999"),
        ({"organisation": 10**30}, "less than or equal"),
        ({"organisation": 0}, "greater than or equal"),
        ({}, "required"),
        ({"organisation": "alpha-dns", "status": "fixed"}, "not a field"),
    ],
)
def test_bad_vendor_input_is_refused(
    world: dict[str, Any], payload: dict[str, Any], problem: str
) -> None:
    case: Case = world["case"]
    response = _send(world["staff"], "post", _vendors_url(case), payload)
    assert response.status_code == 400
    assert problem in json.dumps(response.json()), response.json()
    assert case.vendors.count() == 1


def test_a_duplicate_or_non_vendor_organisation_is_refused(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    url = _vendors_url(case)
    duplicate = _send(world["staff"], "post", url, {"organisation": world["alpha"].pk})
    assert duplicate.json() == {"organisation": ["Alpha DNS is already on this case"]}
    registry = _send(world["staff"], "post", url, {"organisation": _registry().pk})
    assert registry.status_code == 400
    assert registry.json() == {"organisation": ["A Registry is not a DNS software vendor"]}
    assert case.vendors.count() == 1


def test_adding_vendors_refuses_vendors_and_hides_the_case(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    url, payload = _vendors_url(case), {"organisation": world["beta"].pk}
    assert _send(world["alpha_member"], "post", url, payload).status_code == 403
    assert _send(world["beta_member"], "post", url, payload).status_code == 404
    assert _send(outsider(), "post", url, payload).status_code == 404
    assert _send(None, "post", url, payload).status_code in (401, 403)
    hidden = _vendors_url(world["other"])
    assert _send(world["alpha_member"], "post", hidden, payload).status_code == 404
    assert case.vendors.count() == 1


def test_proposed_vendors_come_from_the_case_products(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    url = f"{_vendors_url(case)}proposed/"
    response = _send(world["staff"], "get", url)
    assert response.status_code == 200, response.content
    [product] = response.json()
    assert product["name"] == "Resolvd" and product["versions"] == "< 9.5"
    assert [v["name"] for v in product["vendors"]] == ["Beta Labs"]
    assert product["vendors"][0]["id"] == world["beta"].pk
    _send(world["staff"], "post", _vendors_url(case), {"organisation": world["beta"].pk})
    assert _send(world["staff"], "get", url).json()[0]["vendors"] == []


def test_proposed_vendors_refuse_vendors_and_hide_the_case(world: dict[str, Any]) -> None:
    url = f"{_vendors_url(world['case'])}proposed/"
    assert _send(world["alpha_member"], "get", url).status_code == 403
    assert _send(world["beta_member"], "get", url).status_code == 404
    assert _send(outsider(), "get", url).status_code == 404
    assert _send(None, "get", url).status_code in (401, 403)


# --- embargo ----------------------------------------------------------------------------------


def test_staff_set_and_move_the_embargo(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    url = f"{CASES}{case.reference}/embargo/"
    first = _send(world["staff"], "post", url, {"embargo_at": _future(10)})
    assert first.status_code == 200, first.content
    assert first.json()["status"] == CaseStatus.EMBARGOED
    moved = _send(world["staff"], "post", url, {"embargo_at": "2099-03-01T15:00:00+01:00"})
    assert moved.json()["embargo_at"].startswith("2099-03-01T14:00:00")
    case.refresh_from_db()
    assert case.embargo_at is not None and case.embargo_at.hour == 14
    events = AuditEvent.objects.filter(object_id=str(case.pk), changes__has_key="embargo_at")
    assert events.count() == 2
    assert case.messages.filter(body__startswith="Embargo set to 2099-03-01 14:00").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"embargo_at": "2001-01-01T00:00:00Z"}, "embargo_at"),
        ({"embargo_at": "2099-01-01T00:00:00"}, "embargo_at"),
        ({"embargo_at": "soon"}, "embargo_at"),
        ({"embargo_at": 1735689600}, "embargo_at"),
        ({}, "embargo_at"),
        ({"embargo_at": "2099-01-01T00:00:00Z", "reason": "x"}, "reason"),
    ],
)
def test_bad_embargo_is_refused(world: dict[str, Any], payload: dict[str, Any], field: str) -> None:
    case: Case = world["case"]
    response = _send(world["staff"], "post", f"{CASES}{case.reference}/embargo/", payload)
    assert response.status_code == 400 and field in response.json(), response.content
    case.refresh_from_db()
    assert case.embargo_at is None


def test_early_release_publishes_with_the_reason(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    services.set_vendor_status(case.vendors.get(), by=world["staff"], status="fixed")
    _send(world["staff"], "post", f"{CASES}{case.reference}/embargo/", {"embargo_at": _future()})
    url = f"{CASES}{case.reference}/early-release/"
    response = _send(world["staff"], "post", url, {"reason": "Exploited in the wild."})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.PUBLISHED
    case.refresh_from_db()
    assert case.early_release_reason == "Exploited in the wild." and case.advisory is not None
    event = AuditEvent.objects.filter(object_id=str(case.pk), changes__has_key="early_release")
    assert event.get().changes["early_release"] == "Exploited in the wild."
    again = _send(world["staff"], "post", url, {"reason": "twice"})
    assert again.status_code == 400 and "status" in again.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"reason": ""}, "reason"), ({"reason": "x" * 4001}, "reason"), ({}, "reason")],
)
def test_bad_early_release_is_refused(
    world: dict[str, Any], payload: dict[str, Any], field: str
) -> None:
    case: Case = world["case"]
    response = _send(world["staff"], "post", f"{CASES}{case.reference}/early-release/", payload)
    assert response.status_code == 400 and field in response.json()
    case.refresh_from_db()
    assert case.status != CaseStatus.PUBLISHED and case.advisory is None


@pytest.mark.parametrize("suffix", ["embargo/", "early-release/"])
def test_embargo_actions_refuse_vendors_and_hide_the_case(
    world: dict[str, Any], suffix: str
) -> None:
    case: Case = world["case"]
    url = f"{CASES}{case.reference}/{suffix}"
    payload = {"embargo_at": _future(), "reason": "x"}
    assert _send(world["alpha_member"], "post", url, payload).status_code == 403
    assert _send(world["beta_member"], "post", url, payload).status_code == 404
    assert _send(outsider(), "post", url, payload).status_code == 404
    assert _send(None, "post", url, payload).status_code in (401, 403)
    case.refresh_from_db()
    assert case.embargo_at is None and case.status == CaseStatus.VENDORS_NOTIFIED


# --- products ---------------------------------------------------------------------------------


def _products_url(case: Case) -> str:
    return f"{CASES}{case.reference}/products/"


def test_staff_add_a_product_then_its_proposed_vendors(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    factories.vendor("Gamma Auth", product="Authd")
    payload = {"name": "Authd", "versions": "2"}
    response = _send(world["staff"], "post", _products_url(case), payload)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["name"], data["versions"]) == ("Authd", "2")
    assert [v["name"] for v in data["vendors"]] == ["Gamma Auth"]
    added = _send(world["staff"], "post", f"{_products_url(case)}{data['id']}/add-vendors/")
    assert added.status_code == 200, added.content
    assert [row["organisation"] for row in added.json()] == ["Gamma Auth"]
    assert case.vendors.filter(organisation__name="Gamma Auth").exists()
    changes = [e.changes for e in AuditEvent.objects.filter(object_id=str(case.pk))]
    assert {"product_added": "Authd"} in changes and {"vendor_added": "Gamma Auth"} in changes
    again = _send(world["staff"], "post", f"{_products_url(case)}{data['id']}/add-vendors/")
    assert again.json() == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "Resolvd"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Authd", "versions": "x" * 301}, "versions"),
        ({"product": "Resolvd"}, "product"),
        ({"product": 10**30}, "product"),
        ({"name": "Authd", "vendor": 1}, "vendor"),
    ],
)
def test_bad_product_input_is_refused(
    world: dict[str, Any], payload: dict[str, Any], field: str
) -> None:
    case: Case = world["case"]
    response = _send(world["staff"], "post", _products_url(case), payload)
    assert response.status_code == 400 and field in response.json(), response.content
    assert case.products.count() == 1


def test_a_directory_product_already_on_the_case_is_refused(world: dict[str, Any]) -> None:
    product = world["beta"].products.get()
    response = _send(world["staff"], "post", _products_url(world["case"]), {"product": product.pk})
    assert response.json() == {"name": ["Resolvd is already on this case"]}


def test_adding_proposed_vendors_needs_a_product_of_this_case(world: dict[str, Any]) -> None:
    other = world["other"]
    foreign = services.add_product(other, by=world["staff"], name="Elsewhere")[0]
    url = _products_url(world["case"])
    assert _send(world["staff"], "post", f"{url}{foreign.pk}/add-vendors/").status_code == 404
    assert _send(world["staff"], "post", f"{url}abc/add-vendors/").status_code == 404
    assert world["case"].vendors.count() == 1


def test_products_refuse_vendors_and_hide_the_case(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    item = case.products.get()
    for url in (_products_url(case), f"{_products_url(case)}{item.pk}/add-vendors/"):
        assert _send(world["alpha_member"], "post", url, {"name": "Authd"}).status_code == 403
        assert _send(world["beta_member"], "post", url, {"name": "Authd"}).status_code == 404
        assert _send(outsider(), "post", url, {"name": "Authd"}).status_code == 404
        assert _send(None, "post", url, {"name": "Authd"}).status_code in (401, 403)
    assert case.products.count() == 1 and case.vendors.count() == 1
