"""Pages and API of sharing: who may use them, the share actions, hostile input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dnscert.core.choices import TLP
from dnscert.core.models import AuditEvent
from dnscert.sharing.models import Share
from tests.personas import login_verified
from tests.sharing.conftest import World, incident_with_indicators

pytestmark = pytest.mark.django_db


def test_it_shows_the_console_to_staff_only(client: Client, world: World) -> None:
    assert client.get("/sharing/").status_code == 302
    login_verified(client, world.member_a)
    assert client.get("/sharing/").status_code == 403
    assert client.post("/sharing/share/incident/", {"reference": "X"}).status_code == 403
    login_verified(client, world.analyst)
    page = client.get("/sharing/")
    assert page.status_code == 200
    assert b"taxii2/" in page.content and b"misp-feed/" in page.content


def test_it_shares_and_withdraws_from_the_console(client: Client, world: World) -> None:
    incident = incident_with_indicators(TLP.GREEN)
    login_verified(client, world.analyst)
    response = client.post("/sharing/share/incident/", {"reference": incident.reference.lower()})
    share = Share.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sharing/shares/{share.uuid}/"
    assert share.item_count == 6 and share.shared_by == world.analyst
    assert AuditEvent.objects.filter(object_type="sharing.share", action="create").exists()
    listing = client.get("/sharing/?tlp=GREEN&format=json").json()
    assert [s["uuid"] for s in listing["shares"]] == [str(share.uuid)]
    assert client.get(f"/sharing/shares/{share.uuid}/stix.json").status_code == 200
    client.post(f"/sharing/shares/{share.uuid}/unshare/")
    assert not Share.objects.exists()


def test_it_names_the_problem_with_bad_share_input(client: Client, world: World) -> None:
    red = incident_with_indicators(TLP.RED, [world.org_a])
    login_verified(client, world.analyst)
    page = client.post("/sharing/share/incident/", {"reference": "DNSCERT-1999-0001"}, follow=True)
    assert b"No incident DNSCERT-1999-0001" in page.content
    page = client.post("/sharing/share/incident/", {"reference": red.reference}, follow=True)
    assert b"TLP:RED" in page.content
    page = client.post("/sharing/share/intel/", {"feed": "", "day": "not-a-day"}, follow=True)
    assert b"day:" in page.content and b"feed:" in page.content
    assert not Share.objects.exists()


def test_it_shows_constituents_their_collections(client: Client, world: World) -> None:
    assert client.get("/sharing/mine/").status_code == 302
    login_verified(client, world.member_a)
    page = client.get("/sharing/mine/")
    assert page.status_code == 200 and b"Registry A (TLP:AMBER)" in page.content
    assert b"Registry B" not in page.content
    assert client.get("/sharing/about/").status_code == 200


def test_it_hides_amber_share_pages_from_other_organisations(client: Client, world: World) -> None:
    from dnscert.sharing import services

    share = services.share_incident(
        incident_with_indicators(TLP.AMBER, [world.org_a]), by=world.analyst
    )
    login_verified(client, world.member_b)
    assert client.get(f"/sharing/shares/{share.uuid}/").status_code == 404
    assert client.get(f"/sharing/shares/{share.uuid}/stix.json").status_code == 404
    login_verified(client, world.member_a)
    assert client.get(f"/sharing/shares/{share.uuid}/").status_code == 200


def _api(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_it_serves_the_api_with_access_control(client: Client, world: World) -> None:
    amber = incident_with_indicators(TLP.AMBER, [world.org_a])
    assert client.get("/api/sharing/shares/").status_code in (401, 403)
    assert client.get("/api/sharing/objects/").status_code in (401, 403)
    refused = client.post(
        "/api/sharing/shares/incident/", {"reference": amber.reference}, **_api(world.token_a)
    )
    assert refused.status_code == 403
    created = client.post(
        "/api/sharing/shares/incident/", {"reference": amber.reference}, **_api(world.token_staff)
    )
    assert created.status_code == 201 and created.json()["tlp"] == "AMBER"
    uuid = created.json()["uuid"]
    assert [
        s["uuid"]
        for s in client.get("/api/sharing/shares/", **_api(world.token_a)).json()["results"]
    ] == [uuid]
    assert client.get("/api/sharing/shares/", **_api(world.token_b)).json()["results"] == []
    objects_b = client.get("/api/sharing/objects/", **_api(world.token_b)).json()["results"]
    assert not [o for o in objects_b if o["stix_type"] == "indicator"]
    assert client.delete(f"/api/sharing/shares/{uuid}/", **_api(world.token_a)).status_code == 403
    bad = client.post(
        "/api/sharing/shares/incident/", {"reference": "nope"}, **_api(world.token_staff)
    )
    assert bad.status_code == 400 and "reference" in bad.json()
    bad = client.post(
        "/api/sharing/shares/dga-list/", {"registry_list": 0}, **_api(world.token_staff)
    )
    assert bad.status_code == 400 and "registry_list" in bad.json()
    bad = client.post(
        "/api/sharing/shares/intel/", {"feed": "x", "day": "2026-13-01"}, **_api(world.token_staff)
    )
    assert bad.status_code == 400 and "day" in bad.json()
    assert (
        client.delete(f"/api/sharing/shares/{uuid}/", **_api(world.token_staff)).status_code == 204
    )
