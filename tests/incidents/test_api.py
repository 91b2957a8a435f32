"""The incident API: every endpoint, its access-denied answers and TLP."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from dnscert.core.choices import TLP
from dnscert.incidents import services
from tests.incidents import factories
from tests.personas import make_org, member, outsider, responder, staff

pytestmark = pytest.mark.django_db
API = "/api/incidents"


def _client(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    analyst = staff()
    incident = factories.incident(analyst)
    registry = factories.registry("xa")
    participant = factories.participant(incident, registry, analyst)
    services.add_journal_entry(incident, text="internal", tlp=TLP.RED, author=analyst)
    services.add_indicator(incident, kind="domain", value="shop.xa", by=analyst)
    task = services.add_task(incident, title="Lock", by=analyst, owner_organisation=registry)
    return {
        "analyst": analyst,
        "incident": incident,
        "registry": registry,
        "participant": participant,
        "task": task,
        "member": member(registry),
    }


def test_staff_use_every_endpoint(world: Any) -> None:
    client = _client(world["analyst"])
    created = client.post(
        f"{API}/incidents/",
        {"title": "DDoS on .xa", "category": "dns-ddos", "severity": "low", "tlp": "GREEN"},
        format="json",
    )
    assert created.status_code == 201, created.content
    ref = created.json()["reference"]
    assert client.get(f"{API}/incidents/{ref}/").json()["allowed_transitions"] == [
        "triaged",
        "in_progress",
        "closed",
    ]
    moved = client.post(f"{API}/incidents/{ref}/transition/", {"status": "triaged"}, format="json")
    assert moved.json()["status"] == "triaged"
    edited = client.patch(f"{API}/incidents/{ref}/", {"severity": "medium"}, format="json")
    assert edited.json()["severity"] == "medium"
    person = responder()
    assigned = client.post(
        f"{API}/incidents/{ref}/assign/", {"assignee": person.username}, format="json"
    )
    assert assigned.json()["assignee"] == person.username
    assert client.get(f"{API}/incidents/lifecycle/").json()[-1] == {
        "status": "closed",
        "label": "Closed",
        "next": [],
    }
    body = {"incident": ref, "kind": "nameserver", "value": "ns1.evil.example"}
    indicator = client.post(f"{API}/indicators/", body, format="json").json()
    assert client.get(f"{API}/indicators/{indicator['id']}/suggestions/").json() == []
    org = make_org()
    participant = client.post(
        f"{API}/participants/", {"incident": ref, "organisation": org.short_name}, format="json"
    )
    assert participant.status_code == 201
    note = client.post(
        f"{API}/journal/", {"incident": ref, "text": "hi", "tlp": "RED"}, format="json"
    )
    assert note.status_code == 201
    task = client.post(f"{API}/tasks/", {"incident": ref, "title": "Do it"}, format="json").json()
    assert client.post(f"{API}/tasks/{task['id']}/done/", {}, format="json").json()["done_at"]
    assert client.delete(f"{API}/indicators/{indicator['id']}/").status_code == 204
    assert client.delete(f"{API}/participants/{participant.json()['id']}/").status_code == 204


def test_suggestions_name_the_registry(world: Any) -> None:
    indicator = world["incident"].indicators.get()
    answer = _client(world["analyst"]).get(f"{API}/indicators/{indicator.pk}/suggestions/")
    assert answer.json()[0]["organisation"] == world["registry"].short_name


def test_bad_input_names_the_field(world: Any) -> None:
    client = _client(world["analyst"])
    ref = world["incident"].reference
    assert (
        "category"
        in client.post(
            f"{API}/incidents/", {"title": "x", "category": "nope"}, format="json"
        ).json()
    )
    refused = client.post(
        f"{API}/incidents/{ref}/transition/", {"status": "closed2"}, format="json"
    )
    assert refused.status_code == 400 and "status" in refused.json()
    bad = client.post(
        f"{API}/indicators/",
        {"incident": ref, "kind": "url", "value": "javascript:alert(1)"},
        format="json",
    )
    assert bad.status_code == 400 and "value" in bad.json()
    unknown = client.post(
        f"{API}/journal/",
        {"incident": "DNSCERT-1999-0001", "text": "x", "tlp": "RED"},
        format="json",
    )
    assert unknown.status_code == 400 and "incident" in unknown.json()


def test_participant_members_read_scoped_and_update_their_status(world: Any) -> None:
    client = _client(world["member"])
    ref = world["incident"].reference
    assert [i["reference"] for i in client.get(f"{API}/incidents/").json()["results"]] == [ref]
    assert "reporter_email" not in client.get(f"{API}/incidents/{ref}/").json()
    texts = [e["text"] for e in client.get(f"{API}/journal/").json()["results"]]
    assert texts and "internal" not in texts
    assert client.get(f"{API}/journal/?tlp=RED").json()["results"] == []
    pk = world["participant"].pk
    updated = client.post(
        f"{API}/participants/{pk}/status/", {"status": "acknowledged"}, format="json"
    )
    assert updated.json()["status"] == "acknowledged"
    posted = client.post(
        f"{API}/journal/", {"incident": ref, "text": "ok", "tlp": "AMBER"}, format="json"
    )
    assert (
        posted.status_code == 201 and posted.json()["organisation"] == world["registry"].short_name
    )
    assert (
        client.post(f"{API}/tasks/{world['task'].pk}/done/", {}, format="json").status_code == 200
    )


ENDPOINTS_WRITE = [
    ("post", "/incidents/", {"title": "x", "category": "phishing"}),
    ("post", "/incidents/{ref}/transition/", {"status": "triaged"}),
    ("post", "/incidents/{ref}/assign/", {"assignee": None}),
    ("patch", "/incidents/{ref}/", {"title": "y"}),
    ("post", "/participants/", {"incident": "{ref}", "organisation": "{org}"}),
    ("delete", "/participants/{participant}/", None),
    ("post", "/tasks/", {"incident": "{ref}", "title": "t"}),
    ("post", "/indicators/", {"incident": "{ref}", "kind": "domain", "value": "a.xa"}),
    ("delete", "/indicators/{indicator}/", None),
    ("get", "/indicators/{indicator}/suggestions/", None),
]


def _fill(text: Any, world: Any) -> Any:
    if not isinstance(text, str):
        return text
    return text.format(
        ref=world["incident"].reference,
        org=world["registry"].short_name,
        participant=world["participant"].pk,
        indicator=world["incident"].indicators.get().pk,
    )


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS_WRITE)
def test_participant_members_cannot_manage(world: Any, method: str, path: str, body: Any) -> None:
    data = {k: _fill(v, world) for k, v in body.items()} if body else None
    answer = getattr(_client(world["member"]), method)(
        API + _fill(path, world), data, format="json"
    )
    assert answer.status_code == 403, answer.content


ENDPOINTS_READ = [
    "/incidents/",
    "/incidents/{ref}/",
    "/incidents/lifecycle/",
    "/journal/",
    "/participants/",
    "/tasks/",
    "/indicators/",
]


@pytest.mark.parametrize("path", ENDPOINTS_READ + [p for _m, p, _b in ENDPOINTS_WRITE])
def test_anonymous_callers_are_refused(world: Any, path: str) -> None:
    assert _client().get(API + _fill(path, world)).status_code in (401, 403)


@pytest.mark.parametrize("path", ENDPOINTS_READ)
def test_outsiders_see_nothing(world: Any, path: str) -> None:
    answer = _client(outsider()).get(API + _fill(path, world))
    if path == "/incidents/{ref}/":
        assert answer.status_code == 404
    elif path == "/incidents/lifecycle/":
        assert answer.status_code == 200
    else:
        assert answer.json()["results"] == []


def test_outsiders_cannot_post_or_change_status(world: Any) -> None:
    client = _client(outsider())
    ref = world["incident"].reference
    body = {"incident": ref, "text": "x", "tlp": "AMBER"}
    assert client.post(f"{API}/journal/", body, format="json").status_code == 400
    pk = world["participant"].pk
    status = client.post(f"{API}/participants/{pk}/status/", {"status": "done"}, format="json")
    assert status.status_code == 404
    done = client.post(f"{API}/tasks/{world['task'].pk}/done/", {}, format="json")
    assert done.status_code == 404


def test_an_unassigned_responder_cannot_manage_a_green_incident(world: Any) -> None:
    incident = factories.incident(tlp=TLP.GREEN)
    client = _client(responder())
    ref = incident.reference
    assert client.get(f"{API}/incidents/{ref}/").status_code == 200
    moved = client.post(f"{API}/incidents/{ref}/transition/", {"status": "triaged"}, format="json")
    assert moved.status_code == 403
    body = {"incident": ref, "text": "x", "tlp": "GREEN"}
    assert client.post(f"{API}/journal/", body, format="json").status_code == 403
