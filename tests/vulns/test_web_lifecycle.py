"""The web side of the life-cycle actions the API shares: the coordinator's "Remove from case"
button on the vendor list (a POST form with its CSRF token), refused once the vendor was told
or has messages; publishing by hand, refused while the embargo runs; notifying every vendor."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.core.models import AuditEvent
from dnscert.vulns import embargo, messaging, services
from dnscert.vulns.choices import Audience, CaseStatus, VendorStatus
from dnscert.vulns.models import Case, CaseVendor
from tests.personas import login_verified, member, outsider, staff
from tests.vulns import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    """A case with Alpha notified and Beta added but not contacted."""
    boss = staff()
    alpha, beta = factories.vendor("Alpha DNS"), factories.vendor("Beta Labs")
    case = factories.case(by=boss)
    alpha_row = services.add_vendor(case, alpha, by=boss)
    services.notify_vendor(alpha_row, by=boss)
    return {
        "staff": boss,
        "case": case,
        "alpha_row": alpha_row,
        "beta_row": services.add_vendor(case, beta, by=boss),
        "alpha_member": member(alpha),
    }


def _web(user: Any) -> Client:
    return login_verified(Client(enforce_csrf_checks=True), user)


def _csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None, "no CSRF token on the page"
    return match.group(1)


def _remove_url(case: Case, vendor: CaseVendor) -> str:
    return f"/vulns/{case.reference}/vendors/{vendor.pk}/remove/"


@pytest.mark.parametrize("page", ["vendors/", ""])
def test_coordinators_see_a_remove_button_for_untold_vendors_only(
    world: dict[str, Any], page: str
) -> None:
    case: Case = world["case"]
    html = _web(world["staff"]).get(f"/vulns/{case.reference}/{page}").content.decode()
    beta = world["beta_row"]
    assert f'action="{_remove_url(case, beta)}" data-remove="' in html
    assert _remove_url(case, world["alpha_row"]) not in html


def test_a_vendor_sees_no_remove_button(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    html = _web(world["alpha_member"]).get(f"/vulns/{case.reference}/vendors/").content.decode()
    assert "Alpha DNS" in html and "/remove/" not in html


def test_the_button_removes_the_vendor(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    client = _web(world["staff"])
    token = _csrf(client.get(f"/vulns/{case.reference}/vendors/").content.decode())
    url = _remove_url(case, world["beta_row"])
    assert client.post(url).status_code == 403  # no CSRF token: refused
    assert case.vendors.filter(pk=world["beta_row"].pk).exists()
    response = client.post(url, {"csrfmiddlewaretoken": token}, follow=True)
    assert response.status_code == 200
    assert "Beta Labs removed." in response.content.decode()
    assert list(case.vendors.values_list("organisation__name", flat=True)) == ["Alpha DNS"]
    event = AuditEvent.objects.get(object_id=str(case.pk), changes__has_key="vendor_removed")
    assert event.changes == {"vendor_removed": "Beta Labs"} and event.via == "web"


def test_a_notified_vendor_or_one_with_messages_is_not_removed(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    beta: CaseVendor = world["beta_row"]
    messaging.post_message(case, by=world["staff"], body="b", audience=Audience.VENDOR, vendor=beta)
    client = login_verified(Client(), world["staff"])
    for row, reason in (
        (world["alpha_row"], "vendor: Alpha DNS has been notified; its history stays on the case"),
        (beta, "vendor: Beta Labs has messages on the case; its history stays on the case"),
    ):
        response = client.post(_remove_url(case, row), follow=True)
        assert reason in response.content.decode()
    assert case.vendors.count() == 2


def test_only_coordinators_remove_vendors(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    url = _remove_url(case, world["beta_row"])
    assert login_verified(Client(), world["alpha_member"]).post(url).status_code == 403
    assert login_verified(Client(), outsider()).post(url).status_code == 403
    assert Client().post(url).status_code == 302
    assert login_verified(Client(), world["staff"]).get(url).status_code == 405
    other = factories.case(by=world["staff"], title="Another flaw")
    foreign = f"/vulns/{other.reference}/vendors/{world['beta_row'].pk}/remove/"
    assert login_verified(Client(), world["staff"]).post(foreign).status_code == 404
    assert case.vendors.count() == 2


def test_publishing_by_hand_waits_for_the_embargo(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    client = login_verified(Client(), world["staff"])
    embargo.set_embargo(case, by=world["staff"], embargo_at=timezone.now() + timedelta(days=3))
    refused = client.post(f"/vulns/{case.reference}/publish/", follow=True).content.decode()
    assert "embargo_at: the embargo has not ended; use early release" in refused
    case.refresh_from_db()
    assert case.status == CaseStatus.EMBARGOED and case.advisory is None


def test_a_case_never_embargoed_is_published_by_hand(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    client = login_verified(Client(), world["staff"])
    done = client.post(f"/vulns/{case.reference}/publish/", follow=True).content.decode()
    assert "Draft advisory created." in done
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED and case.advisory is not None
    assert case.messages.filter(body__startswith="The case is published").exists()
    again = client.post(f"/vulns/{case.reference}/publish/", follow=True).content.decode()
    assert "status: the case is already Published" in again


def test_notify_all_from_the_web_notifies_the_untold_vendors(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    client = login_verified(Client(), world["staff"])
    done = client.post(f"/vulns/{case.reference}/vendors/notify-all/", follow=True)
    assert "1 vendors notified." in done.content.decode()
    assert set(case.vendors.values_list("status", flat=True)) == {VendorStatus.NOTIFIED}
