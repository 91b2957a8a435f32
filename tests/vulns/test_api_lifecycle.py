"""The rest of a case's life cycle over the API: status transitions, notifying one vendor or
all of them (signed e-mail through a real SMTP listener), publication, CVE requests and the
reserved id, reporters, and removing a vendor added by mistake.

Only coordinators change a case: a vendor or reporter who reads the case gets 403, anyone
else 404 (the case stays hidden), an anonymous client 401/403. Bad input gets a 400 naming
the field and changes nothing (no row, no audit event, no e-mail).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import run_pending
from dnscert.core.models import AuditEvent
from dnscert.delivery.models import OutboundMessage
from dnscert.vulns import embargo, messaging, services
from dnscert.vulns.choices import Audience, CaseStatus, Credit, CveState, VendorStatus
from dnscert.vulns.models import Case, CaseParticipant, CaseVendor, CveReservation
from tests.personas import login_verified, member, outsider, staff
from tests.vulns import factories

pytestmark = pytest.mark.django_db

CASES = "/api/vulns/cases/"


@pytest.fixture
def world() -> dict[str, Any]:
    """A case with Alpha notified, Beta added but not contacted, a reporter with an account,
    and an unrelated case."""
    boss = staff()
    alpha, beta = factories.vendor("Alpha DNS"), factories.vendor("Beta Labs")
    case = factories.case(by=boss)
    alpha_row = services.add_vendor(case, alpha, by=boss)
    services.notify_vendor(alpha_row, by=boss)
    beta_row = services.add_vendor(case, beta, by=boss)
    reporter = outsider()
    services.add_reporter(case, by=boss, user=reporter, name="Dan K.")
    return {
        "staff": boss,
        "case": case,
        "other": factories.case(by=boss, title="Another flaw"),
        "alpha_row": alpha_row,
        "beta_row": beta_row,
        "alpha_member": member(alpha),
        "beta_member": member(beta),
        "reporter": reporter,
    }


def _send(user: Any, method: str, url: str, payload: Any = None) -> Any:
    client = login_verified(Client(), user) if user is not None else Client()
    if method == "get":
        return client.get(url)
    body = payload if isinstance(payload, str) else json.dumps(payload or {})
    return getattr(client, method)(url, body, content_type="application/json")


def _url(case: Case, suffix: str) -> str:
    return f"{CASES}{case.reference}/{suffix}"


def _events(case: Case) -> int:
    return AuditEvent.objects.filter(object_type="vulns.case", object_id=str(case.pk)).count()


def _last_change(case: Case) -> dict[str, Any]:
    rows = AuditEvent.objects.filter(object_type="vulns.case", object_id=str(case.pk))
    return dict(rows.latest("id").changes)


def _state(case: Case) -> tuple[Any, ...]:
    """Everything the endpoints of this file may change, to prove a refusal changed nothing."""
    case.refresh_from_db()
    vendors = tuple(case.vendors.order_by("pk").values_list("pk", "status", "deadline"))
    reservations = tuple(case.cve_reservations.values_list("pk", "state", "cve_id"))
    reporters = tuple(case.participants.values_list("pk", "credit"))
    return (
        case.status,
        case.advisory_id,
        tuple(case.cve_ids),
        vendors,
        reservations,
        reporters,
        _events(case),
        OutboundMessage.objects.count(),
    )


# --- status transitions -----------------------------------------------------------------------


def test_a_coordinator_moves_the_case_through_its_statuses(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    url = _url(case, "status/")
    response = _send(world["staff"], "post", url, {"status": "closed"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.CLOSED
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert _last_change(case) == {"status": [CaseStatus.VENDORS_NOTIFIED, CaseStatus.CLOSED]}
    again = _send(world["staff"], "post", url, {"status": "triaged"})
    assert again.json() == {"status": ["a case cannot go from closed to triaged"]}


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"status": "bogus"}, '"bogus" is not a valid choice'),
        ({"status": "published"}, "cannot go from vendors_notified to published"),
        ({"status": "embargoed"}, "set an embargo date before embargoing the case"),
        ({"status": ["closed"]}, "not a valid choice"),
        ({"status": None}, "may not be null"),
        ({}, "required"),
    ],
)
def test_a_refused_transition_names_the_status(
    world: dict[str, Any], payload: dict[str, Any], problem: str
) -> None:
    case: Case = world["case"]
    before = _state(case)
    response = _send(world["staff"], "post", _url(case, "status/"), payload)
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["status"] and problem in response.json()["status"][0]
    assert _state(case) == before


def test_unknown_fields_are_refused_by_name(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    before = _state(case)
    cases = [
        ("status/", {"status": "closed", "reason": "x"}, "reason"),
        ("publish/", {"force": True}, "force"),
        ("vendors/notify-all/", {"answer_days": 3}, "answer_days"),
        (f"vendors/{world['beta_row'].pk}/notify/", {"deadline": "2099-01-01"}, "deadline"),
        ("cve/", {"cve_id": "CVE-2026-12345"}, "cve_id"),
        ("reporters/", {"email": "r@example.org", "user": 1}, "user"),
    ]
    for suffix, payload, field in cases:
        response = _send(world["staff"], "post", _url(case, suffix), payload)
        assert response.status_code == 400, (suffix, response.content)
        assert response.json() == {field: ["not a field of this request"]}, suffix
    assert _state(case) == before


# --- notifying vendors ------------------------------------------------------------------------


def test_a_coordinator_notifies_one_vendor_by_signed_mail(
    world: dict[str, Any], smtp_server: Any
) -> None:
    case: Case = world["case"]
    beta: CaseVendor = world["beta_row"]
    start = timezone.now()
    url = _url(case, f"vendors/{beta.pk}/notify/")
    response = _send(world["staff"], "post", url, {"answer_days": 30})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["organisation"] == "Beta Labs" and data["status"] == VendorStatus.NOTIFIED
    beta.refresh_from_db()
    assert beta.deadline is not None
    assert timedelta(days=29, hours=23) < beta.deadline - start < timedelta(days=30, hours=1)
    assert _last_change(case) == {"vendor_notified": "Beta Labs"}
    run_pending(["delivery.send"])
    [mail] = [m for m in smtp_server.wait_for(1) if m["To"] == "security@" + _slug(beta)]
    assert mail["X-DNSCERT-Ref"] == case.reference and f"[{case.reference}]" in mail["Subject"]
    assert mail.get_content_type() == "multipart/signed"
    page = _send(world["beta_member"], "get", f"{CASES}{case.reference}/")
    assert page.status_code == 200


def _slug(vendor: CaseVendor) -> str:
    return f"{vendor.organisation.short_name}.example"


def test_notifying_without_a_body_gives_the_default_deadline(world: dict[str, Any]) -> None:
    beta: CaseVendor = world["beta_row"]
    response = _send(world["staff"], "post", _url(world["case"], f"vendors/{beta.pk}/notify/"))
    assert response.status_code == 200, response.content
    beta.refresh_from_db()
    assert beta.notified_at is not None and beta.deadline is not None
    assert (beta.deadline - beta.notified_at).days == services.DEFAULT_ANSWER_DAYS


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"answer_days": 0}, "greater than or equal to 1"),
        ({"answer_days": 366}, "less than or equal to 365"),
        ({"answer_days": "soon"}, "valid integer"),
        ({"answer_days": 10**30}, "less than or equal to 365"),
    ],
)
def test_a_bad_answer_deadline_is_refused(
    world: dict[str, Any], payload: dict[str, Any], problem: str
) -> None:
    case: Case = world["case"]
    before = _state(case)
    url = _url(case, f"vendors/{world['beta_row'].pk}/notify/")
    response = _send(world["staff"], "post", url, payload)
    assert response.status_code == 400
    assert problem in response.json()["answer_days"][0], response.json()
    assert _state(case) == before


def test_an_unknown_or_foreign_vendor_is_not_found(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    foreign = services.add_vendor(world["other"], factories.vendor("Gamma Soft"), by=world["staff"])
    before = _state(case)
    for pk in (999_999, foreign.pk):
        for method, suffix in (("post", f"vendors/{pk}/notify/"), ("delete", f"vendors/{pk}/")):
            response = _send(world["staff"], method, _url(case, suffix))
            assert response.status_code == 404, response.content
            assert response.json() == {"detail": f"no vendor {pk} on case {case.reference}"}
    assert _send(world["staff"], "post", _url(case, "vendors/abc/notify/")).status_code == 404
    assert _state(case) == before
    foreign.refresh_from_db()
    assert foreign.status == VendorStatus.NOT_CONTACTED


def test_notify_all_tells_every_vendor_not_contacted(
    world: dict[str, Any], smtp_server: Any
) -> None:
    case: Case = world["case"]
    services.add_vendor(case, factories.vendor("Gamma Soft"), by=world["staff"])
    alpha: CaseVendor = world["alpha_row"]
    alpha_deadline = alpha.deadline
    url = _url(case, "vendors/notify-all/")
    response = _send(world["staff"], "post", url)
    assert response.status_code == 200, response.content
    assert [row["organisation"] for row in response.json()] == ["Beta Labs", "Gamma Soft"]
    assert set(case.vendors.values_list("status", flat=True)) == {VendorStatus.NOTIFIED}
    alpha.refresh_from_db()
    assert alpha.deadline == alpha_deadline
    run_pending(["delivery.send"])
    received = smtp_server.wait_for(3)
    to = {m["To"] for m in received if m["X-DNSCERT-Ref"] == case.reference}
    assert {"security@" + _slug(row) for row in case.vendors.exclude(pk=alpha.pk)} <= to
    events_before = _events(case)
    assert _send(world["staff"], "post", url).json() == []
    assert _events(case) == events_before


# --- publication ------------------------------------------------------------------------------


def test_a_coordinator_publishes_a_case_without_a_running_embargo(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    services.set_vendor_status(world["alpha_row"], by=world["staff"], status="fixed")
    response = _send(world["staff"], "post", _url(case, "publish/"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.PUBLISHED
    assert response.json()["published_at"] is not None
    case.refresh_from_db()
    assert case.advisory is not None and case.advisory.status == "draft"
    assert _last_change(case)["status"] == [CaseStatus.VENDORS_NOTIFIED, CaseStatus.PUBLISHED]
    again = _send(world["staff"], "post", _url(case, "publish/"))
    assert again.status_code == 400
    assert again.json() == {"status": ["the case is already Published"]}


def test_publishing_during_the_embargo_is_refused(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    embargo.set_embargo(case, by=world["staff"], embargo_at=timezone.now() + timedelta(days=5))
    before = _state(case)
    response = _send(world["staff"], "post", _url(case, "publish/"))
    assert response.status_code == 400
    assert response.json() == {"embargo_at": ["the embargo has not ended; use early release"]}
    assert _state(case) == before and case.status == CaseStatus.EMBARGOED


# --- CVE ids ----------------------------------------------------------------------------------


def test_a_coordinator_requests_a_cve_then_records_the_reserved_id(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    response = _send(world["staff"], "post", _url(case, "cve/"), {"note": "via MITRE"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["state"], data["note"], data["cve_id"]) == (CveState.REQUESTED, "via MITRE", "")
    assert _last_change(case) == {"cve": "requested"}
    listed = _send(world["staff"], "get", _url(case, "cve/")).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    url = _url(case, f"cve/{data['id']}/reserved/")
    reserved = _send(world["staff"], "post", url, {"cve_id": " cve-2026-12345 "})
    assert reserved.status_code == 200, reserved.content
    assert reserved.json()["cve_id"] == "CVE-2026-12345"
    assert reserved.json()["state"] == CveState.RESERVED
    case.refresh_from_db()
    assert case.cve_ids == ["CVE-2026-12345"]
    assert _last_change(case) == {"cve_reserved": "CVE-2026-12345"}
    twice = _send(world["staff"], "post", url, {"cve_id": "CVE-2026-12346"})
    assert twice.json() == {"state": ["the reservation is already reserved"]}
    assert _send(world["staff"], "post", _url(case, "cve/"), {}).status_code == 201


@pytest.mark.parametrize(
    ("cve_id", "problem"),
    [
        ("CVE-26-1", "'CVE-26-1' is not a CVE id (e.g. CVE-2008-1447)"),
        ("CVE-1990-1234", "'CVE-1990-1234' is not a CVE id (e.g. CVE-2008-1447)"),
        ("<script>", "'<script>' is not a CVE id (e.g. CVE-2008-1447)"),
        ("CVE-2026-1 CVE-2026-2", "is not a CVE id"),
        ("", "may not be blank"),
        ("CVE-2026-" + "1" * 16, "no more than 24 characters"),
        (["CVE-2026-12345"], "Not a valid string"),
    ],
)
def test_a_malformed_cve_id_is_refused(world: dict[str, Any], cve_id: Any, problem: str) -> None:
    case: Case = world["case"]
    reservation = services.request_cve(case, by=world["staff"])
    before = _state(case)
    url = _url(case, f"cve/{reservation.pk}/reserved/")
    response = _send(world["staff"], "post", url, {"cve_id": cve_id})
    assert response.status_code == 400
    assert list(response.json()) == ["cve_id"] and problem in response.json()["cve_id"][0]
    assert _state(case) == before


def test_bad_cve_requests_are_refused(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    foreign = services.request_cve(world["other"], by=world["staff"])
    before = _state(case)
    too_long = _send(world["staff"], "post", _url(case, "cve/"), {"note": "x" * 301})
    assert too_long.status_code == 400 and "note" in too_long.json()
    for pk in (foreign.pk, 999_999):
        url = _url(case, f"cve/{pk}/reserved/")
        response = _send(world["staff"], "post", url, {"cve_id": "CVE-2026-12345"})
        assert response.status_code == 404
        assert response.json() == {"detail": f"no CVE request {pk} on case {case.reference}"}
    assert _state(case) == before
    foreign.refresh_from_db()
    assert foreign.state == CveState.REQUESTED


# --- reporters --------------------------------------------------------------------------------


def test_a_coordinator_adds_a_reporter_with_their_credit(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    payload = {
        "email": "eve@research.example",
        "name": "Eve",
        "credit": Credit.CUSTOM,
        "credit_text": "Eve of Research Lab",
    }
    response = _send(world["staff"], "post", _url(case, "reporters/"), payload)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["credit_line"] == "Eve of Research Lab" and data["email"] == payload["email"]
    assert _last_change(case) == {"reporter_added": "Eve"}
    listed = _send(world["staff"], "get", _url(case, "reporters/")).json()
    assert [row["name"] for row in listed["results"]] == ["Dan K.", "Eve"]
    anonymous = {"email": "anon@research.example", "credit": Credit.ANONYMOUS}
    second = _send(world["staff"], "post", _url(case, "reporters/"), anonymous)
    assert second.status_code == 201 and second.json()["credit_line"] == ""


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({}, "email"),
        ({"email": "r@example.org", "credit": "famous"}, "credit"),
        ({"email": "r@example.org", "credit": "custom"}, "credit_text"),
        ({"email": "r@example.org", "credit": "custom", "credit_text": "  "}, "credit_text"),
        ({"email": "r@example.org", "name": "x" * 201}, "name"),
        ({"email": "r@example.org", "credit_text": "x" * 301}, "credit_text"),
    ],
)
def test_a_bad_reporter_is_refused(
    world: dict[str, Any], payload: dict[str, Any], field: str
) -> None:
    case: Case = world["case"]
    before = (_state(case), CaseParticipant.objects.count())
    response = _send(world["staff"], "post", _url(case, "reporters/"), payload)
    assert response.status_code == 400 and list(response.json()) == [field], response.content
    assert (_state(case), CaseParticipant.objects.count()) == before


# --- removing a vendor ------------------------------------------------------------------------


def test_a_vendor_added_by_mistake_is_removed(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    beta: CaseVendor = world["beta_row"]
    response = _send(world["staff"], "delete", _url(case, f"vendors/{beta.pk}/"))
    assert response.status_code == 204, response.content
    assert not CaseVendor.objects.filter(pk=beta.pk).exists()
    event = AuditEvent.objects.filter(object_id=str(case.pk)).latest("id")
    assert event.changes == {"vendor_removed": "Beta Labs"} and event.via == "api"
    listed = _send(world["staff"], "get", _url(case, "vendors/")).json()
    assert [row["organisation"] for row in listed["results"]] == ["Alpha DNS"]


def test_a_notified_vendor_stays_on_the_case(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    before = _state(case)
    url = _url(case, f"vendors/{world['alpha_row'].pk}/")
    response = _send(world["staff"], "delete", url)
    assert response.status_code == 400
    assert response.json() == {
        "vendor": ["Alpha DNS has been notified; its history stays on the case"]
    }
    assert _state(case) == before


def test_a_vendor_with_messages_stays_on_the_case(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    beta: CaseVendor = world["beta_row"]
    messaging.post_message(
        case, by=world["staff"], body="Beta: heads-up", audience=Audience.VENDOR, vendor=beta
    )
    before = _state(case)
    response = _send(world["staff"], "delete", _url(case, f"vendors/{beta.pk}/"))
    assert response.status_code == 400
    assert response.json() == {
        "vendor": ["Beta Labs has messages on the case; its history stays on the case"]
    }
    assert _state(case) == before and case.messages.filter(audience_vendor=beta).count() == 1


def test_a_vendor_that_wrote_stays_on_the_case(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    beta: CaseVendor = world["beta_row"]
    messaging.post_message(case, by=world["alpha_member"], body="Alpha here", audience="all")
    CaseVendor.objects.filter(pk=world["alpha_row"].pk).update(
        status=VendorStatus.NOT_CONTACTED, notified_at=None
    )
    alpha = CaseVendor.objects.get(pk=world["alpha_row"].pk)
    with pytest.raises(InvalidInput) as refused:
        services.remove_vendor(alpha, by=world["staff"])
    assert refused.value.field == "vendor" and "Alpha DNS has messages" in refused.value.problem
    services.remove_vendor(beta, by=world["staff"])
    assert list(case.vendors.values_list("organisation__name", flat=True)) == ["Alpha DNS"]


# --- who may do it ----------------------------------------------------------------------------

ACTIONS = [
    ("post", "status/", {"status": "closed"}),
    ("post", "publish/", None),
    ("post", "vendors/{beta}/notify/", None),
    ("post", "vendors/notify-all/", None),
    ("delete", "vendors/{beta}/", None),
    ("get", "cve/", None),
    ("post", "cve/", {"note": "x"}),
    ("post", "cve/{cve}/reserved/", {"cve_id": "CVE-2026-12345"}),
    ("get", "reporters/", None),
    ("post", "reporters/", {"email": "r@example.org"}),
]


def _action_url(world: dict[str, Any], case: Case, suffix: str, cve: CveReservation) -> str:
    return _url(case, suffix.format(beta=world["beta_row"].pk, cve=cve.pk))


@pytest.mark.parametrize(("method", "suffix", "payload"), ACTIONS)
def test_only_coordinators_take_the_actions(
    world: dict[str, Any], method: str, suffix: str, payload: Any
) -> None:
    case: Case = world["case"]
    cve = services.request_cve(case, by=world["staff"])
    url = _action_url(world, case, suffix, cve)
    before = _state(case)
    for reader in ("alpha_member", "reporter"):
        assert _send(world[reader], "get", f"{CASES}{case.reference}/").status_code == 200
        response = _send(world[reader], method, url, payload)
        assert response.status_code == 403, (reader, response.content)
    assert _send(world["beta_member"], method, url, payload).status_code == 404
    assert _send(outsider(), method, url, payload).status_code == 404
    assert _send(None, method, url, payload).status_code in (401, 403)
    hidden = _action_url(world, world["other"], suffix, cve)
    assert _send(world["alpha_member"], method, hidden, payload).status_code == 404
    assert _state(case) == before


def test_a_vendor_cannot_remove_itself(world: dict[str, Any]) -> None:
    case: Case = world["case"]
    url = _url(case, f"vendors/{world['alpha_row'].pk}/")
    assert _send(world["alpha_member"], "delete", url).status_code == 403
    assert case.vendors.filter(pk=world["alpha_row"].pk).exists()
