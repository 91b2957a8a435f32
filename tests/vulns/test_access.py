"""Access: a vendor never sees another case, another vendor's private messages, or a case
before being notified; every web page and API endpoint refuses outsiders."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dnscert.vulns import messaging, services
from dnscert.vulns.choices import Audience
from dnscert.vulns.models import Case
from tests.personas import login_verified, member, outsider, responder, staff
from tests.vulns import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    boss = staff()
    alpha, beta, late = (factories.vendor(n) for n in ("Alpha DNS", "Beta Labs", "Late Vendor"))
    case = factories.case(by=boss)
    other = factories.case(by=boss, title="Another flaw")
    rows = {org.name: services.add_vendor(case, org, by=boss) for org in (alpha, beta, late)}
    services.notify_vendor(rows["Alpha DNS"], by=boss)
    services.notify_vendor(rows["Beta Labs"], by=boss)
    services.notify_vendor(services.add_vendor(other, beta, by=boss), by=boss)
    messaging.post_message(case, by=boss, body="for everyone", audience=Audience.ALL)
    messaging.post_message(
        case, by=boss, body="alpha secret", audience=Audience.VENDOR, vendor=rows["Alpha DNS"]
    )
    messaging.post_message(case, by=boss, body="coordinator note", audience=Audience.STAFF)
    return {
        "staff": boss,
        "case": case,
        "other": other,
        "rows": rows,
        "alpha": member(alpha),
        "beta": member(beta),
        "late": member(late),
    }


def _get(user: Any, url: str) -> Any:
    return login_verified(Client(), user).get(url)


def test_a_vendor_sees_its_case_and_only_messages_addressed_to_it(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    alpha_page = _get(world["alpha"], case.get_absolute_url()).content.decode()
    beta_page = _get(world["beta"], case.get_absolute_url()).content.decode()
    assert "for everyone" in alpha_page and "alpha secret" in alpha_page
    assert "for everyone" in beta_page and "alpha secret" not in beta_page
    assert "coordinator note" not in alpha_page + beta_page


def test_a_vendor_never_sees_another_case_nor_one_before_being_notified(
    world: dict[str, Any],
) -> None:
    assert _get(world["alpha"], world["other"].get_absolute_url()).status_code == 404
    assert _get(world["late"], world["case"].get_absolute_url()).status_code == 404
    services.notify_vendor(world["rows"]["Late Vendor"], by=world["staff"])
    assert _get(world["late"], world["case"].get_absolute_url()).status_code == 200


def test_a_vendor_cannot_write_privately_as_another_vendor(world: dict[str, Any]) -> None:
    client = login_verified(Client(), world["beta"])
    case = world["case"]
    client.post(
        f"/vulns/{case.reference}/messages/",
        {"body": "spoof", "audience": "vendor", "vendor": world["rows"]["Alpha DNS"].pk},
    )
    assert not case.messages.filter(body="spoof").exists()
    response = client.post(
        f"/vulns/{case.reference}/vendors/{world['rows']['Alpha DNS'].pk}/status/",
        {"status": "fixed", "statement": "x"},
    )
    assert response.status_code == 404


STAFF_POSTS = [
    "edit/",
    "products/",
    "vendors/add/",
    "vendors/notify-all/",
    "embargo/",
    "early-release/",
    "publish/",
    "status/",
    "cve/",
    "reporters/",
]


@pytest.mark.parametrize("suffix", STAFF_POSTS)
def test_staff_actions_refuse_vendors(world: dict[str, Any], suffix: str) -> None:
    response = login_verified(Client(), world["alpha"]).post(
        f"/vulns/{world['case'].reference}/{suffix}"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("suffix", ["", "vendors/", "checklist/"])
def test_case_pages_refuse_outsiders_and_the_public(world: dict[str, Any], suffix: str) -> None:
    url = f"/vulns/{world['case'].reference}/{suffix}"
    assert _get(outsider(), url).status_code == 404
    assert _get(responder(), url).status_code == 404
    assert Client().get(url).status_code == 302


@pytest.mark.parametrize("url", ["/vulns/", "/vulns/metrics/", "/vulns/new/"])
def test_staff_pages_refuse_members(world: dict[str, Any], url: str) -> None:
    assert _get(world["alpha"], url).status_code == 403


def test_my_cases_lists_only_the_members_cases(world: dict[str, Any]) -> None:
    page = _get(world["alpha"], "/vulns/mine/").content.decode()
    assert world["case"].reference in page and world["other"].reference not in page


def test_attachments_follow_their_message(world: dict[str, Any]) -> None:
    case = world["case"]
    message = messaging.post_message(
        case,
        by=world["staff"],
        body="patch",
        audience=Audience.VENDOR,
        vendor=world["rows"]["Alpha DNS"],
        attachments=[("fix.diff", b"+x", "text/x-diff")],
    )
    item = message.attachments.get()
    url = f"/vulns/{case.reference}/attachments/{item.pk}/"
    assert _get(world["alpha"], url).status_code == 200
    assert _get(world["beta"], url).status_code == 404


# --- API -------------------------------------------------------------------------------------


def test_api_cases_are_scoped(world: dict[str, Any]) -> None:
    refs = {row["reference"] for row in _get(world["alpha"], "/api/vulns/cases/").json()["results"]}
    assert refs == {world["case"].reference}
    assert _get(world["alpha"], f"/api/vulns/cases/{world['other'].reference}/").status_code == 404
    assert Client().get("/api/vulns/cases/").status_code in (401, 403)


def test_api_messages_and_vendors_are_scoped(world: dict[str, Any]) -> None:
    ref = world["case"].reference
    bodies = {
        m["body"]
        for m in _get(world["beta"], f"/api/vulns/cases/{ref}/messages/").json()["results"]
    }
    assert bodies == {"for everyone"}
    vendors = _get(world["beta"], f"/api/vulns/cases/{ref}/vendors/").json()["results"]
    assert [v["organisation"] for v in vendors] == ["Beta Labs"]
    assert _get(world["late"], f"/api/vulns/cases/{ref}/messages/").status_code == 404
    assert _get(outsider(), f"/api/vulns/cases/{ref}/vendors/").status_code == 404


def test_api_status_update_only_for_own_row(world: dict[str, Any]) -> None:
    ref = world["case"].reference
    client = login_verified(Client(), world["beta"])
    alpha_id = world["rows"]["Alpha DNS"].pk
    beta_id = world["rows"]["Beta Labs"].pk
    assert (
        client.post(
            f"/api/vulns/cases/{ref}/vendors/{alpha_id}/status/", {"status": "fixed"}
        ).status_code
        == 404
    )
    ok = client.post(
        f"/api/vulns/cases/{ref}/vendors/{beta_id}/status/",
        {"status": "not_affected", "statement": "no"},
    )
    assert ok.status_code == 200 and ok.json()["status"] == "not_affected"
    bad = client.post(
        f"/api/vulns/cases/{ref}/vendors/{beta_id}/status/", {"status": "not_contacted"}
    )
    assert bad.status_code == 400


def test_api_message_post_refuses_outsiders_and_bad_audience(world: dict[str, Any]) -> None:
    ref = world["case"].reference
    assert (
        login_verified(Client(), outsider())
        .post(f"/api/vulns/cases/{ref}/messages/", {"body": "x"})
        .status_code
        == 404
    )
    bad = login_verified(Client(), world["beta"]).post(
        f"/api/vulns/cases/{ref}/messages/",
        {"body": "x", "audience": "vendor", "vendor": world["rows"]["Alpha DNS"].pk},
    )
    assert bad.status_code == 400 and "vendor" in bad.json()


def test_api_metrics_staff_only(world: dict[str, Any]) -> None:
    assert _get(world["alpha"], "/api/vulns/metrics/").status_code == 403
    assert _get(world["staff"], "/api/vulns/metrics/").status_code == 200


def test_staff_open_a_case_from_an_intake_report() -> None:
    from dnscert.incidents.intake.models import Report

    Client().post(
        "/report/vulnerability/",
        {
            "reporter_email": "r@x.example",
            "reporter_name": "Rae",
            "software": "Resolvd",
            "versions": "1.x",
            "subject": "flaw in resolvd",
            "body": "details",
            "credit": "name",
        },
    )
    report = Report.objects.get()
    boss = staff()
    page = login_verified(Client(), boss).get(f"/intake/{report.reference}/").content.decode()
    assert 'id="create-case"' in page
    assert (
        login_verified(Client(), responder())
        .post(f"/intake/{report.reference}/create-case/")
        .status_code
        == 403
    )
    response = login_verified(Client(), boss).post(
        f"/intake/{report.reference}/create-case/", {"title": "", "tlp": "AMBER+STRICT"}
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.affected_software == "Resolvd" and case.affected_versions == "1.x"
    assert case.title == "flaw in resolvd" and case.participants.get().credit_line == "Rae"
    report.refresh_from_db()
    assert report.status == "triaged"


def test_coordinators_see_who_saw_a_message(world: dict[str, Any]) -> None:
    case = world["case"]
    _get(world["alpha"], case.get_absolute_url())
    message = case.messages.get(body="alpha secret")
    url = f"/vulns/{case.reference}/messages/{message.pk}/views/"
    page = _get(world["staff"], url).content.decode()
    assert world["alpha"].get_username() in page and world["beta"].get_username() not in page
    assert _get(world["alpha"], url).status_code == 403


def test_a_reporter_with_an_account_reads_messages_to_all_only(world: dict[str, Any]) -> None:
    from dnscert.directory.choices import OrganisationKind
    from tests.personas import make_org

    researcher = member(make_org(OrganisationKind.RESEARCHER))
    case = world["case"]
    assert _get(researcher, case.get_absolute_url()).status_code == 404
    services.add_reporter(case, by=world["staff"], user=researcher, credit="anonymous")
    page = _get(researcher, case.get_absolute_url()).content.decode()
    assert "for everyone" in page and "alpha secret" not in page and "coordinator note" not in page
    login_verified(Client(), researcher).post(
        f"/vulns/{case.reference}/messages/",
        {"body": "reporter to coordinators", "audience": "staff"},
    )
    assert case.messages.get(body="reporter to coordinators").audience == "staff"


def test_an_embargo_in_an_unknown_time_zone_is_refused(world: dict[str, Any]) -> None:
    case = world["case"]
    response = login_verified(Client(), world["staff"]).post(
        f"/vulns/{case.reference}/embargo/",
        {"embargo_at": "2099-01-01T10:00", "time_zone": "Mars/Olympus"},
        follow=True,
    )
    assert "time_zone" in response.content.decode()
    case.refresh_from_db()
    assert case.embargo_at is None
