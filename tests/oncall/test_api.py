"""The on-call API: every endpoint refuses members and anonymous callers; responders edit
their own shifts; hostile input gets a 400 naming the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.directory.oncall import services
from dnscert.directory.oncall.models import Shift
from tests.oncall.factories import person, policy, rota, shift
from tests.personas import login_verified, member, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> dict[str, Any]:
    now = timezone.now()
    main = rota("Main")
    alice = person("alice", "Europe/Paris")
    first = shift(main, alice, now - timedelta(hours=1), now + timedelta(hours=3))
    page = services.page(subject="Hijack", body="", url="", severity="high")
    return {"rota": main, "alice": alice, "shift": first, "page": page}


def _endpoints(setup: dict[str, Any]) -> list[tuple[str, str]]:
    main, first, page = setup["rota"], setup["shift"], setup["page"]
    return [
        ("get", "/api/oncall/policies/"),
        ("post", "/api/oncall/policies/"),
        ("get", "/api/oncall/rotas/"),
        ("get", f"/api/oncall/rotas/{main.pk}/"),
        ("post", "/api/oncall/rotas/"),
        ("patch", f"/api/oncall/rotas/{main.pk}/"),
        ("get", "/api/oncall/shifts/"),
        ("post", "/api/oncall/shifts/"),
        ("delete", f"/api/oncall/shifts/{first.pk}/"),
        ("get", "/api/oncall/patterns/"),
        ("post", "/api/oncall/patterns/"),
        ("get", "/api/oncall/coverage/"),
        ("get", "/api/oncall/now/"),
        ("get", "/api/oncall/pages/"),
        ("get", f"/api/oncall/pages/{page.pk}/"),
        ("post", f"/api/oncall/pages/{page.pk}/acknowledge/"),
    ]


def _call(client: Client, method: str, url: str, data: Any = None) -> Any:
    return getattr(client, method)(url, data or {}, content_type="application/json")


def test_every_endpoint_refuses_anonymous_callers_and_members(
    setup: dict[str, Any], client: Client
) -> None:
    for method, url in _endpoints(setup):
        assert _call(client, method, url).status_code in (401, 403), (method, url)
    login_verified(client, member())
    for method, url in _endpoints(setup):
        assert _call(client, method, url).status_code == 403, (method, url)
    setup["page"].refresh_from_db()
    assert setup["page"].acknowledged_at is None and Shift.objects.count() == 1


def test_responders_may_not_change_rotas_or_policies(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, setup["alice"])
    assert _call(client, "post", "/api/oncall/policies/", {"name": "X"}).status_code == 403
    answer = _call(client, "patch", f"/api/oncall/rotas/{setup['rota'].pk}/", {"name": "Mine"})
    assert answer.status_code == 403


def test_who_is_on_call_now_and_the_coverage_gaps(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, setup["alice"])
    (now,) = client.get("/api/oncall/now/").json()
    assert now["username"] == "alice" and now["time_zone"] == "Europe/Paris"
    gaps = client.get("/api/oncall/coverage/?weeks=1").json()
    assert gaps["uncovered_hours"] > 160 and gaps["gaps"][0]["responders"] == 0
    assert client.get("/api/oncall/coverage/?weeks=60").json() == {
        "weeks": ["must be between 1 and 52"]
    }
    assert client.get("/api/oncall/coverage/?weeks=many").status_code == 400
    assert client.get("/api/oncall/coverage/?rota=999999").json() == {
        "rota": ["no rota with id 999999"]
    }


def test_a_responder_creates_and_deletes_only_their_own_shifts(
    setup: dict[str, Any], client: Client
) -> None:
    login_verified(client, setup["alice"])
    body = {"rota": setup["rota"].pk, "responder": "alice",
            "start": "2026-07-01T08:00:00+02:00", "end": "2026-07-01T16:00:00+02:00"}  # fmt: skip
    created = _call(client, "post", "/api/oncall/shifts/", body)
    assert created.status_code == 201 and created.json()["start"].startswith("2026-07-01T06:00")

    person("bob", "UTC")
    other = _call(client, "post", "/api/oncall/shifts/", {**body, "responder": "bob"})
    assert other.status_code == 403
    bobs = shift(
        setup["rota"], person("carol", "UTC"), timezone.now(), timezone.now() + timedelta(hours=1)
    )
    assert _call(client, "delete", f"/api/oncall/shifts/{bobs.pk}/").status_code == 403
    assert _call(client, "delete", f"/api/oncall/shifts/{created.json()['id']}/").status_code == 204


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end": "2026-07-01T07:00:00+02:00"}, "end"),
        ({"end": "2026-07-03T08:00:00+02:00"}, "end"),
        ({"start": "not a date"}, "start"),
        ({"responder": "nobody-of-that-name"}, "responder"),
    ],
)
def test_bad_shifts_get_a_400_naming_the_field(
    setup: dict[str, Any], client: Client, change: dict[str, str], field: str
) -> None:
    login_verified(client, staff())
    body = {"rota": setup["rota"].pk, "responder": "alice",
            "start": "2026-07-01T08:00:00+02:00", "end": "2026-07-01T16:00:00+02:00"}  # fmt: skip
    answer = _call(client, "post", "/api/oncall/shifts/", {**body, **change})
    assert answer.status_code == 400 and field in answer.json()


def test_patterns_and_rotas_through_the_api(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, staff())
    pattern = _call(
        client, "post", "/api/oncall/patterns/",
        {"rota": setup["rota"].pk, "responder": "alice", "weekdays": [0, 1, 2, 3, 4],
         "start_time": "08:00", "end_time": "16:00", "weeks": 1},
    )  # fmt: skip
    assert pattern.status_code == 201 and pattern.json()["time_zone"] == "Europe/Paris"
    bad_zone = _call(
        client, "post", "/api/oncall/patterns/",
        {"rota": setup["rota"].pk, "responder": "alice", "weekdays": [0],
         "start_time": "08:00", "end_time": "16:00", "time_zone": "Moon/Base"},
    )  # fmt: skip
    assert bad_zone.status_code == 400 and "time_zone" in bad_zone.json()
    rota_answer = _call(
        client, "post", "/api/oncall/rotas/",
        {"name": "Asia", "kind": "primary", "time_zone": "Asia/Tokyo", "policy": policy().pk,
         "webhook_url": "https://chat.example/hook", "webhook_secret": "s3cret"},
    )  # fmt: skip
    assert rota_answer.status_code == 201 and "webhook_secret" not in rota_answer.json()
    bad_rota = _call(
        client,
        "post",
        "/api/oncall/rotas/",
        {"name": "X", "kind": "primary", "time_zone": "Asia/Nowhere", "policy": policy().pk},
    )
    assert bad_rota.status_code == 400 and "time_zone" in bad_rota.json()


def test_pages_are_listed_and_acknowledged_through_the_api(
    setup: dict[str, Any], client: Client
) -> None:
    login_verified(client, setup["alice"])
    (listed,) = client.get("/api/oncall/pages/?status=open").json()["results"]
    assert listed["subject"] == "Hijack" and "token" not in listed
    answer = _call(client, "post", f"/api/oncall/pages/{listed['id']}/acknowledge/")
    assert answer.json()["status"] == "acknowledged" and answer.json()["acknowledged_by"] == "alice"
    assert answer.json()["acknowledged_via"] == "api"

    login_verified(client, person("bob", "UTC"))
    assert client.get(f"/api/oncall/pages/{listed['id']}/").status_code == 404
