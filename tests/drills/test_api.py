"""The drill API: staff only for drills and phone answers, the token alone for the
response endpoint (GET never answers), and a 400 naming the field for bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from dnscert.directory.drills import services
from dnscert.directory.drills.choices import DrillStatus, Outcome, ResponseVia
from dnscert.directory.drills.models import Drill
from tests.drills import factories
from tests.personas import login_verified, member, responder, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> dict[str, Any]:
    xa = factories.registry("xa")
    factories.registry("xb")
    draft = factories.drill(title="Draft drill")
    running = factories.launched(title="Running drill")
    return {"xa": xa, "draft": draft, "running": running}


def _call(client: Client, method: str, url: str, data: Any = None) -> Any:
    return getattr(client, method)(url, data or {}, content_type="application/json")


def _staff_endpoints(setup: dict[str, Any]) -> list[tuple[str, str]]:
    draft, running = setup["draft"], setup["running"]
    probe = running.probes.first()
    return [
        ("get", "/api/drills/"),
        ("get", f"/api/drills/{running.pk}/"),
        ("post", "/api/drills/"),
        ("post", f"/api/drills/{draft.pk}/launch/"),
        ("post", f"/api/drills/{running.pk}/close/"),
        ("post", f"/api/drills/probes/{probe.pk}/phone/"),
    ]


def test_every_staff_endpoint_refuses_anonymous_members_and_responders(
    setup: dict[str, Any], client: Client
) -> None:
    for method, url in _staff_endpoints(setup):
        assert _call(client, method, url).status_code in (401, 403), (method, url)
    for user in (member(setup["xa"]), responder()):
        login_verified(client, user)
        for method, url in _staff_endpoints(setup):
            assert _call(client, method, url).status_code == 403, (user, method, url)
    setup["draft"].refresh_from_db()
    assert setup["draft"].status == DrillStatus.DRAFT
    assert Drill.objects.count() == 2


def test_staff_create_launch_read_and_close(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, staff())
    created = _call(
        client,
        "post",
        "/api/drills/",
        {"title": "API drill", "organisation_kinds": ["cctld_registry"], "response_minutes": 30},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["reference"].startswith("DRILL-")
    launched = _call(client, "post", f"/api/drills/{body['id']}/launch/")
    assert launched.status_code == 200 and len(launched.json()["probes"]) == 2
    assert "token" not in launched.json()["probes"][0]
    again = _call(client, "post", f"/api/drills/{body['id']}/launch/")
    assert again.status_code == 400 and "status" in again.json()
    listed = client.get("/api/drills/?status=running").json()
    assert {row["title"] for row in listed["results"]} == {"API drill", "Running drill"}
    assert listed["results"][0]["figures"]["probes"] == 2
    closed = _call(client, "post", f"/api/drills/{body['id']}/close/").json()
    assert closed["status"] == "closed"
    assert closed["figures"]["outcomes"]["no_answer"] == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "title"),
        ({"title": "X", "organisation_kinds": ["pirate"]}, "organisation_kinds"),
        ({"title": "X", "organisations": ["no-such-org"]}, "organisations"),
        ({"title": "X", "contact_scope": "everyone"}, "contact_scope"),
        ({"title": "X", "response_minutes": -5}, "response_minutes"),
        ({"title": "X", "late_minutes": "soon"}, "late_minutes"),
    ],
)
def test_bad_drill_input_names_the_field(
    setup: dict[str, Any], client: Client, data: dict[str, Any], field: str
) -> None:
    login_verified(client, staff())
    answer = _call(client, "post", "/api/drills/", data)
    assert answer.status_code == 400 and field in answer.json()


def test_staff_record_a_phone_answer(setup: dict[str, Any], client: Client) -> None:
    login_verified(client, staff())
    probe = setup["running"].probes.get(email="noc@nic.xa.example")
    at = (setup["running"].launched_at + timedelta(minutes=5)).isoformat()
    answer = _call(client, "post", f"/api/drills/probes/{probe.pk}/phone/", {"at": at})
    assert answer.status_code == 200 and answer.json()["responded_via"] == "phone"
    assert answer.json()["seconds_to_answer"] == 300
    future = _call(
        client, "post", f"/api/drills/probes/{probe.pk}/phone/", {"at": "2999-01-01T00:00:00Z"}
    )
    assert future.status_code == 200  # already answered: the first answer stands
    other = setup["running"].probes.get(email="noc@nic.xb.example")
    bad = _call(
        client, "post", f"/api/drills/probes/{other.pk}/phone/", {"at": "2999-01-01T00:00Z"}
    )
    assert bad.status_code == 400 and "at" in bad.json()


def test_the_respond_endpoint_answers_only_on_post(setup: dict[str, Any], client: Client) -> None:
    probe = setup["running"].probes.get(email="noc@nic.xa.example")
    state = client.get(f"/api/drills/respond/{probe.token}/")
    assert state.status_code == 200 and state.json()["responded_at"] is None
    probe.refresh_from_db()
    assert probe.responded_at is None
    done = _call(client, "post", f"/api/drills/respond/{probe.token}/confirm/")
    assert done.status_code == 200 and done.json()["outcome"] == Outcome.IN_TIME
    probe.refresh_from_db()
    assert probe.responded_via == ResponseVia.API
    assert "email" not in state.json() and "token" not in state.json()


@pytest.mark.parametrize("token", ["0" * 32, "xyz", "DRILL-" + "0" * 32, "a" * 500])
def test_the_respond_endpoint_refuses_unknown_tokens(
    setup: dict[str, Any], client: Client, token: str
) -> None:
    assert client.get(f"/api/drills/respond/{token}/").status_code == 404
    assert _call(client, "post", f"/api/drills/respond/{token}/confirm/").status_code == 404


def test_the_respond_endpoint_refuses_a_closed_drill(setup: dict[str, Any], client: Client) -> None:
    services.close_drill(None, setup["running"])
    probe = setup["running"].probes.first()
    answer = _call(client, "post", f"/api/drills/respond/{probe.token}/confirm/")
    assert answer.status_code == 409 and "drill" in answer.json()
