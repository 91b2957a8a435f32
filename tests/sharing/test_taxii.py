"""A TAXII 2.1 client session (taxii2-client) against the platform's own server, and the
server's answers to hostile or unauthorised requests."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from taxii2client.v21 import Collection, Server, as_pages

from dnscert.core.choices import TLP
from dnscert.sharing import audiences, services, stix
from tests.sharing.conftest import World, incident_with_indicators

TAXII = "application/taxii+json;version=2.1"


def _server(live_server: Any, token: str | None = None) -> Server:
    url = f"{live_server.url}/taxii2/"
    return Server(url, user="anyone", password=token) if token else Server(url)


def _green_incident(world: World, count: int) -> Any:
    domains = [f"host{n:03d}.phish.test" for n in range(count)]
    incident = incident_with_indicators(TLP.GREEN, values={"domain": domains}, title="Green")
    return services.share_incident(incident, by=world.analyst)


@pytest.mark.django_db(transaction=True)
def test_it_serves_a_taxii_session_with_pagination_and_added_after(
    live_server: Any, world: World
) -> None:
    _green_incident(world, 7)
    server = _server(live_server, world.token_a)
    assert server.title.endswith("TAXII 2.1")
    root = server.default
    assert root.versions == [TAXII]
    titles = {c.title: c for c in root.collections}
    assert set(titles) == {"Public", "Community", "Registry A (TLP:AMBER)"}
    community = titles["Community"]
    assert community.can_read and not community.can_write
    pages = list(as_pages(community.get_objects, per_request=3))
    assert [len(p["objects"]) for p in pages] == [3, 3, 3]  # identity, marking, 7 indicators
    ids = [o["id"] for p in pages for o in p["objects"]]
    assert len(set(ids)) == 9
    first_page = community.get_objects(limit=3)
    later = community.get_objects(added_after=_added_last(community, 3))
    assert len(later["objects"]) == 6
    only = community.get_objects(type="indicator", limit=100)
    assert {o["type"] for o in only["objects"]} == {"indicator"}
    one = community.get_object(ids[4])
    assert one["objects"][0]["id"] == ids[4]
    manifest = community.get_manifest()
    assert {e["id"] for e in manifest["objects"]} == set(ids)
    assert first_page["more"] is True


def _added_last(collection: Collection, limit: int) -> str:
    response = requests.get(
        collection.url + f"objects/?limit={limit}",
        headers={"Accept": TAXII},
        auth=collection._conn.session.auth,
        timeout=10,
    )
    assert response.headers["Content-Type"] == TAXII
    return response.headers["X-TAXII-Date-Added-Last"]


@pytest.mark.django_db(transaction=True)
def test_it_lets_staff_add_objects_and_refuses_members(live_server: Any, world: World) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    good = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": now,
        "modified": now,
        "pattern": "[domain-name:value = 'x.test']",
        "pattern_type": "stix",
        "valid_from": now,
        "object_marking_refs": [stix.marking_id(TLP.CLEAR)],
    }
    amber = {
        **good,
        "id": f"indicator--{uuid.uuid4()}",
        "object_marking_refs": [stix.marking_id(TLP.AMBER)],
    }
    broken = {"type": "indicator", "spec_version": "2.1", "id": "indicator--nope"}
    envelope = json.dumps({"objects": [good, amber, broken]})
    public = str(audiences.PUBLIC_ID)
    staff_collection = Collection(
        f"{live_server.url}/taxii2/api/collections/{public}/", user="x", password=world.token_staff
    )
    assert staff_collection.can_write
    status = staff_collection.add_objects(envelope)
    assert (status.status, status.success_count, status.failure_count) == ("complete", 1, 2)
    reasons = " ".join(f["message"] for f in status.failures)
    assert "more restricted" in reasons and "not valid STIX" in reasons
    anonymous = Collection(f"{live_server.url}/taxii2/api/collections/{public}/")
    assert [o["id"] for o in anonymous.get_objects()["objects"]] == [good["id"]]
    member_collection = Collection(
        f"{live_server.url}/taxii2/api/collections/{public}/", user="x", password=world.token_a
    )
    assert not member_collection.can_write
    refused = requests.post(
        member_collection.url + "objects/",
        data=envelope,
        headers={"Accept": TAXII, "Content-Type": TAXII},
        auth=("x", world.token_a),
        timeout=10,
    )
    assert refused.status_code == 403 and refused.headers["Content-Type"] == TAXII


def _get(client: Any, path: str, **headers: str) -> Any:
    return client.get(path, HTTP_ACCEPT=TAXII, **headers)


def _basic(token: str) -> str:
    return "Basic " + base64.b64encode(f"me:{token}".encode()).decode()


@pytest.mark.django_db
def test_it_answers_hostile_queries_with_taxii_errors(client: Any, world: World) -> None:
    _green_incident(world, 3)
    base = f"/taxii2/api/collections/{audiences.COMMUNITY_ID}/objects/"
    auth = {"HTTP_AUTHORIZATION": _basic(world.token_a)}
    cases = {
        "?added_after=yesterday": (400, "added_after"),
        "?added_after=2026-01-01T00:00:00": (400, "added_after"),
        "?limit=abc": (400, "limit"),
        "?limit=0": (400, "limit"),
        "?next=garbage!": (400, "next"),
        "?match[version]=sometime": (400, "match[version]"),
    }
    for query, (status, word) in cases.items():
        response = _get(client, base + query, **auth)
        assert response.status_code == status, query
        assert response["Content-Type"] == TAXII
        body = response.json()
        assert body["http_status"] == str(status) and word in body["title"] + body["description"]
    huge = _get(client, base + "?limit=1000000000", **auth)
    assert huge.status_code == 200 and len(huge.json()["objects"]) == 5
    unknown = _get(client, f"/taxii2/api/collections/{uuid.uuid4()}/objects/", **auth)
    assert unknown.status_code == 404 and unknown["Content-Type"] == TAXII
    wrong_accept = client.get(base, HTTP_ACCEPT="text/html", **auth)
    assert wrong_accept.status_code == 406


@pytest.mark.django_db
def test_it_refuses_bad_credentials(client: Any, world: World) -> None:
    base = f"/taxii2/api/collections/{audiences.COMMUNITY_ID}/objects/"
    for header in (_basic("dc_wrong"), "Bearer dc_wrong", "Basic %%%", "Digest abc"):
        response = _get(client, base, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response["Content-Type"] == TAXII
        assert response["WWW-Authenticate"].startswith("Basic")
    anonymous = _get(client, base)
    assert anonymous.status_code == 401
    bearer = _get(client, base, HTTP_AUTHORIZATION=f"Bearer {world.token_a}")
    assert bearer.status_code == 200
    status = _get(
        client, f"/taxii2/api/status/{uuid.uuid4()}/", HTTP_AUTHORIZATION=_basic(world.token_a)
    )
    assert status.status_code == 403


@pytest.mark.django_db
def test_it_serves_versions_of_an_object(client: Any, world: World) -> None:
    public = audiences.public()
    services.ensure_support_objects(public, TLP.CLEAR)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": stix.stix_time(first),
        "pattern": "[domain-name:value = 'v.test']",
        "pattern_type": "stix",
        "valid_from": stix.stix_time(first),
    }
    versions = [{**obj, "modified": stix.stix_time(first + timedelta(days=n))} for n in range(3)]
    services.add_uploaded_objects(public, versions, by=world.analyst)
    base = f"/taxii2/api/collections/{public.id}/objects/{obj['id']}/"
    listed = _get(client, base + "versions/").json()["versions"]
    assert listed == [v["modified"] for v in versions]
    assert _get(client, base).json()["objects"][0]["modified"] == versions[-1]["modified"]
    first_only = _get(client, base + "?match[version]=first").json()["objects"]
    assert first_only[0]["modified"] == versions[0]["modified"]
    assert len(_get(client, base + "?match[version]=all").json()["objects"]) == 3
    missing = _get(
        client, f"/taxii2/api/collections/{public.id}/objects/indicator--{uuid.uuid4()}/"
    )
    assert missing.status_code == 404


@pytest.mark.django_db
def test_it_refuses_malformed_uploads(client: Any, world: World, settings: Any) -> None:
    url = f"/taxii2/api/collections/{audiences.PUBLIC_ID}/objects/"
    auth = {"HTTP_AUTHORIZATION": _basic(world.token_staff), "HTTP_ACCEPT": TAXII}
    cases = [
        ("{not json", TAXII, 400),
        ('{"objects": {}}', TAXII, 400),
        ("[]", TAXII, 400),
        ('{"objects": []}', "text/plain", 415),
    ]
    for body, kind, status in cases:
        response = client.post(url, body, content_type=kind, **auth)
        assert response.status_code == status, body
        assert response["Content-Type"] == TAXII
    settings.DNSCERT_TAXII_MAX_CONTENT_LENGTH = 10
    too_big = client.post(url, '{"objects": []}', content_type=TAXII, **auth)
    assert too_big.status_code == 413
    assert client.delete(url, **auth).status_code == 405


@pytest.mark.django_db
def test_it_does_not_let_a_browser_session_write(client: Any, world: World) -> None:
    from tests.personas import login_verified

    login_verified(client, world.analyst)
    url = f"/taxii2/api/collections/{audiences.PUBLIC_ID}/objects/"
    assert client.get(url, HTTP_ACCEPT=TAXII).status_code == 200
    response = client.post(url, '{"objects": []}', content_type=TAXII, HTTP_ACCEPT=TAXII)
    assert response.status_code == 401
