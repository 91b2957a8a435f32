"""The DNS health API: scoping and refusals on every endpoint, filters, writes, schema."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.core.choices import Severity
from dnscert.dnshealth.choices import SignalKind, SignalState
from dnscert.dnshealth.models import MonitoringTarget, PlannedChange, ZoneResult
from tests.dnshealth.web.factories import Bed, plan, run, signal
from tests.personas import login_verified, member

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/dns/targets/",
    "/api/dns/runs/",
    "/api/dns/results/",
    "/api/dns/signals/",
    "/api/dns/delegation-changes/",
    "/api/dns/planned-changes/",
]


def rows(client: Client, path: str) -> list[dict[str, Any]]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("path", LISTS)
def test_it_refuses_anonymous_callers(client: Client, bed: Bed, path: str) -> None:
    assert client.get(path).status_code in (401, 403)


def test_it_refuses_anonymous_writes_and_checks(client: Client, bed: Bed) -> None:
    assert client.post("/api/dns/check-now/", {"zone": "xa."}).status_code in (401, 403)
    assert client.get(f"/api/dns/check-now/{run().pk}/events/").status_code in (401, 403)
    assert client.post("/api/dns/planned-changes/", {}).status_code in (401, 403)
    assert client.patch(f"/api/dns/targets/{bed.xa.pk}/").status_code in (401, 403)


def test_it_lists_only_the_members_own_targets(member_a_client: Client) -> None:
    assert {row["name"] for row in rows(member_a_client, "/api/dns/targets/")} == {
        "xa.",
        "shop.xa.",
    }


def test_it_answers_404_for_another_organisations_objects(
    member_a_client: Client, bed: Bed
) -> None:
    bank_result = ZoneResult.objects.filter(target=bed.bank).first()
    assert bank_result is not None
    bank_plan = plan(bed.bank)
    for path in (
        f"/api/dns/targets/{bed.bank.pk}/",
        f"/api/dns/results/{bank_result.pk}/",
        f"/api/dns/signals/{bed.broken_signal.pk}/",
        f"/api/dns/delegation-changes/{bed.hijack.pk}/",
        f"/api/dns/planned-changes/{bank_plan.pk}/",
        f"/api/dns/runs/{bank_result.run_id}/",
        f"/api/dns/check-now/{bank_result.run_id}/events/",
    ):
        assert member_a_client.get(path).status_code == 404, path
    assert member_a_client.post("/api/dns/check-now/", {"zone": "bank.xb."}).status_code == 404


@pytest.mark.parametrize("path", LISTS[1:])
def test_it_hides_other_organisations_rows_in_every_list(
    member_a_client: Client, bed: Bed, path: str
) -> None:
    plan(bed.bank)
    for row in rows(member_a_client, path):
        assert "bank.xb." not in str(row) and row.get("zone") != "xb."


def test_it_lets_staff_patch_a_schedule(staff_client: Client, bed: Bed) -> None:
    response = staff_client.patch(
        f"/api/dns/targets/{bed.xb.pk}/",
        {"full_interval": 15, "watch_delegation": False},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["full_interval"] == 15
    target = MonitoringTarget.objects.get(pk=bed.xb.pk)
    assert (target.full_interval, target.watch_delegation) == (15, False)


def test_it_names_the_wrong_schedule_field(staff_client: Client, bed: Bed) -> None:
    response = staff_client.patch(
        f"/api/dns/targets/{bed.xb.pk}/", {"full_interval": 0}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "full_interval" in response.json()


def test_it_refuses_schedule_writes_by_members_and_responders(
    member_a_client: Client, responder_client: Client, bed: Bed
) -> None:
    for client in (member_a_client, responder_client):
        response = client.patch(
            f"/api/dns/targets/{bed.xa.pk}/", {"full_interval": 1}, content_type="application/json"
        )
        assert response.status_code == 403
    assert MonitoringTarget.objects.get(pk=bed.xa.pk).full_interval != 1


def test_it_filters_results(staff_client: Client, bed: Bed) -> None:
    assert {row["zone"] for row in rows(staff_client, "/api/dns/results/?status=red")} == {
        "bank.xb."
    }
    assert [row["zone"] for row in rows(staff_client, "/api/dns/results/?zone=BANK.XB")] == [
        "bank.xb."
    ]
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert rows(staff_client, f"/api/dns/results/?since={future.replace('+', '%2B')}") == []
    first = rows(staff_client, "/api/dns/results/?zone=bank.xb.")[0]
    assert first["messages"][0]["tag"] == "DS04_RRSIG_EXPIRED"
    assert first["nameservers"][1]["serial"] == 9


def test_it_filters_signals(staff_client: Client, bed: Bed) -> None:
    signal(bed.xb, SignalKind.RRSIG_EXPIRING, Severity.MEDIUM)
    signal(bed.shop, SignalKind.ZONE_RECOVERED, Severity.INFO, state=SignalState.RESOLVED)
    assert len(rows(staff_client, "/api/dns/signals/")) == 3
    assert [r["zone"] for r in rows(staff_client, "/api/dns/signals/?kind=rrsig_expiring")] == [
        "xb."
    ]
    assert [r["zone"] for r in rows(staff_client, "/api/dns/signals/?state=resolved")] == [
        "shop.xa."
    ]
    assert [r["zone"] for r in rows(staff_client, "/api/dns/signals/?severity=high")] == [
        "bank.xb."
    ]
    assert [r["zone"] for r in rows(staff_client, "/api/dns/signals/?zone=xb")] == ["xb."]


def test_it_filters_delegation_changes_and_shows_the_diff(staff_client: Client, bed: Bed) -> None:
    (change,) = rows(staff_client, "/api/dns/delegation-changes/?expected=no&severity=high")
    assert change["zone"] == "bank.xb."
    assert change["diff"]["ns_added"] == ["ns1.evil.xc.", "ns2.evil.xc."]
    assert change["old"]["ds"] == ["12345 13 2 AABB"] and change["new"]["ds"] == []
    assert rows(staff_client, "/api/dns/delegation-changes/?expected=yes") == []
    assert rows(staff_client, "/api/dns/delegation-changes/?zone=shop.xa.") == []


def test_it_lets_only_staff_acknowledge_a_change(
    staff_client: Client, member_b_client: Client, bed: Bed
) -> None:
    path = f"/api/dns/delegation-changes/{bed.hijack.pk}/acknowledge/"
    assert member_b_client.post(path).status_code == 403
    response = staff_client.post(path)
    assert response.status_code == 200
    assert response.json()["acknowledged_at"] is not None


def planned_body(zone: str) -> dict[str, Any]:
    start = timezone.now() + timedelta(hours=1)
    return {
        "zone": zone,
        "window_start": start.isoformat(),
        "window_end": (start + timedelta(hours=2)).isoformat(),
        "expected_ns": ["ns1.new.xd."],
        "note": "provider move",
    }


def test_it_lets_a_member_plan_for_their_own_zone(member_a_client: Client, bed: Bed) -> None:
    response = member_a_client.post(
        "/api/dns/planned-changes/", planned_body("shop.xa"), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["zone_name"] == "shop.xa."
    assert PlannedChange.objects.get().target == bed.shop


def test_it_refuses_plans_for_zones_the_caller_may_not_plan(
    member_a_client: Client, responder_client: Client, bed: Bed
) -> None:
    body = planned_body("bank.xb.")
    response = member_a_client.post(
        "/api/dns/planned-changes/", body, content_type="application/json"
    )
    assert response.status_code == 404
    response = responder_client.post(
        "/api/dns/planned-changes/", body, content_type="application/json"
    )
    assert response.status_code == 403
    assert not PlannedChange.objects.exists()


def test_it_names_a_bad_window(member_a_client: Client, bed: Bed) -> None:
    body = planned_body("shop.xa.")
    body["window_end"] = body["window_start"]
    response = member_a_client.post(
        "/api/dns/planned-changes/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "window_end" in response.json()


def test_it_refuses_to_check_a_host_or_an_unknown_zone(staff_client: Client, bed: Bed) -> None:
    response = staff_client.post(
        "/api/dns/check-now/", {"zone": "nowhere.xz."}, content_type="application/json"
    )
    assert response.status_code == 404
    response = staff_client.post("/api/dns/check-now/", {}, content_type="application/json")
    assert response.status_code == 400 and "zone" in response.json()


def test_it_lists_runs_for_staff(staff_client: Client, bed: Bed) -> None:
    assert len(rows(staff_client, "/api/dns/runs/")) == 5
    member_runs = rows(login_verified(Client(), member(bed.reg_a)), "/api/dns/runs/")
    assert member_runs == []


def test_it_generates_the_schema_for_every_endpoint(staff_client: Client) -> None:
    response = staff_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/dns/targets/{id}/",
        "/api/dns/results/",
        "/api/dns/signals/",
        "/api/dns/delegation-changes/{id}/acknowledge/",
        "/api/dns/planned-changes/",
        "/api/dns/check-now/",
        "/api/dns/check-now/{id}/events/",
    ):
        assert path in paths, path
