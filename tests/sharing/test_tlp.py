"""TLP: an AMBER object of organisation A never reaches organisation B, the public
collection or the public MISP feed; RED is never shared; withdrawing removes everything."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from dnscert.core.choices import TLP
from dnscert.sharing import audiences, services
from dnscert.sharing.models import SharedObject
from tests.sharing.conftest import World, incident_with_indicators

TAXII = "application/taxii+json;version=2.1"
pytestmark = pytest.mark.django_db


def _auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"u:{token}".encode()).decode()}


def _ids(client: Any, collection_id: Any, token: str | None) -> tuple[int, set[str]]:
    headers = _auth(token) if token else {}
    response = client.get(
        f"/taxii2/api/collections/{collection_id}/objects/?limit=1000", HTTP_ACCEPT=TAXII, **headers
    )
    if response.status_code != 200:
        return response.status_code, set()
    return 200, {o["id"] for o in response.json()["objects"] if o["type"] == "indicator"}


def test_it_keeps_amber_of_one_organisation_from_everyone_else(client: Any, world: World) -> None:
    amber = services.share_incident(
        incident_with_indicators(TLP.AMBER, [world.org_a]), by=world.analyst
    )
    amber_ids = set(SharedObject.objects.filter(share=amber).values_list("stix_id", flat=True))
    org_a = audiences.org_collection_id(world.org_a.pk)
    org_b = audiences.org_collection_id(world.org_b.pk)
    assert _ids(client, org_a, world.token_a) == (200, amber_ids)
    assert _ids(client, org_a, world.token_b)[0] == 404
    assert _ids(client, org_a, None)[0] == 401
    assert _ids(client, org_b, world.token_b) == (200, set())
    for token in (None, world.token_a, world.token_b):
        assert not _ids(client, audiences.PUBLIC_ID, token)[1] & amber_ids
        assert not _ids(client, audiences.COMMUNITY_ID, token)[1] & amber_ids
    listed = client.get(
        "/taxii2/api/collections/", HTTP_ACCEPT=TAXII, **_auth(world.token_b)
    ).json()
    assert str(org_a) not in {c["id"] for c in listed["collections"]}
    for token in (None, world.token_a, world.token_b):
        headers = _auth(token) if token else {}
        manifest = client.get("/misp-feed/manifest.json", **headers).json()
        assert str(amber.uuid) not in manifest
        assert client.get(f"/misp-feed/{amber.uuid}.json", **headers).status_code == 404
        assert (
            str(amber.uuid) not in client.get("/misp-feed/hashes.csv", **headers).content.decode()
        )
    assert (
        str(amber.uuid)
        in client.get(
            f"/misp-feed/org/{world.org_a.pk}/manifest.json", **_auth(world.token_a)
        ).json()
    )
    assert (
        client.get(
            f"/misp-feed/org/{world.org_a.pk}/manifest.json", **_auth(world.token_b)
        ).status_code
        == 404
    )
    assert client.get(f"/misp-feed/org/{world.org_a.pk}/manifest.json").status_code == 401


def test_it_puts_green_in_the_community_only(client: Any, world: World) -> None:
    green = services.share_incident(incident_with_indicators(TLP.GREEN), by=world.analyst)
    ids = set(SharedObject.objects.filter(share=green).values_list("stix_id", flat=True))
    assert _ids(client, audiences.COMMUNITY_ID, world.token_b) == (200, ids)
    assert _ids(client, audiences.COMMUNITY_ID, None)[0] == 401
    assert not _ids(client, audiences.PUBLIC_ID, None)[1]
    assert str(green.uuid) not in client.get("/misp-feed/manifest.json").json()
    assert str(green.uuid) in client.get("/misp-feed/manifest.json", **_auth(world.token_b)).json()


def test_it_moves_objects_when_the_label_changes_and_withdraws(client: Any, world: World) -> None:
    incident = incident_with_indicators(TLP.GREEN, [world.org_a])
    share = services.share_incident(incident, by=world.analyst)
    incident.tlp = TLP.AMBER
    incident.save()
    share = services.share_incident(incident, by=world.analyst)
    assert set(SharedObject.objects.filter(share=share).values_list("collection", flat=True)) == {
        audiences.org_collection_id(world.org_a.pk)
    }
    assert not _ids(client, audiences.COMMUNITY_ID, world.token_b)[1]
    services.unshare(share, by=world.analyst)
    assert not SharedObject.objects.filter(stix_type="indicator").exists()
    assert _ids(client, audiences.org_collection_id(world.org_a.pk), world.token_a) == (200, set())


def test_it_refuses_uploads_marked_red_or_above_the_collection(world: World) -> None:
    from dnscert.sharing import stix

    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "pattern": "[domain-name:value = 'r.test']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00.000Z",
    }
    red = {**obj, "object_marking_refs": [stix.marking_id(TLP.RED)]}
    tlp1_red = {
        **obj,
        "object_marking_refs": ["marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"],
    }
    org = audiences.for_organisation(world.org_a)
    status = services.add_uploaded_objects(org, [red, tlp1_red], by=world.analyst)
    assert len(status.failures) == 2 and not status.successes
