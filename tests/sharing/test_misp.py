"""The MISP feed: files that pymisp loads back with the same attributes and TLP tags of the
MISP taxonomy, and a subscription over HTTP as a MISP instance does it."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pymisp
import pytest
import requests
from pymisp import MISPEvent
from pytaxonomies import Taxonomies

from dnscert.core.choices import TLP
from dnscert.sharing import services
from tests.sharing.conftest import World, incident_with_indicators

EXPECTED = {
    ("domain", "shop.xa"),
    ("hostname", "ns1.evil-dns.test"),
    ("ip-dst", "192.0.2.66"),
    ("ip-dst", "2001:db8::66"),
    ("url", "http://www.shop.xa/login?x='1'"),
    ("email-src", "phish@evil-dns.test"),
}


def _auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Bearer " + token}


@pytest.mark.django_db
def test_it_round_trips_through_pymisp(client: Any, world: World, tmp_path: Path) -> None:
    share = services.share_incident(incident_with_indicators(TLP.CLEAR), by=world.analyst)
    body = client.get(f"/misp-feed/{share.uuid}.json").content
    path = tmp_path / f"{share.uuid}.json"
    path.write_bytes(body)
    event = MISPEvent()
    event.load_file(str(path))
    assert event.uuid == str(share.uuid) and event.info == share.title
    assert {(a.type, a.value) for a in event.attributes} == EXPECTED
    assert all(a.to_ids for a in event.attributes)
    assert [t.name for t in event.tags] == ["tlp:clear"]
    assert "_manifest" not in body.decode() and "_hashes" not in body.decode()
    schema = json.loads((Path(pymisp.__file__).parent / "data" / "schema-lax.json").read_text())
    jsonschema.validate(json.loads(body), schema)


@pytest.mark.parametrize("label", list(TLP))
def test_it_tags_every_label_with_the_misp_taxonomy(label: TLP) -> None:
    from dnscert.sharing.misp import tlp_tag

    taxonomies = Taxonomies()
    assert tlp_tag(label) in taxonomies["tlp"].machinetags()


@pytest.mark.django_db(transaction=True)
def test_it_is_subscribable_like_a_misp_instance_does(live_server: Any, world: World) -> None:
    clear = services.share_incident(incident_with_indicators(TLP.CLEAR), by=world.analyst)
    amber = services.share_incident(
        incident_with_indicators(TLP.AMBER, [world.org_a], title="Amber one"), by=world.analyst
    )
    for base, headers, expected in (
        (f"{live_server.url}/misp-feed/", {}, {str(clear.uuid)}),
        (
            f"{live_server.url}/misp-feed/org/{world.org_a.pk}/",
            {"Authorization": f"Bearer {world.token_a}"},
            {str(amber.uuid)},
        ),
    ):
        manifest = requests.get(base + "manifest.json", headers=headers, timeout=10).json()
        assert set(manifest) == expected
        hashes = requests.get(base + "hashes.csv", headers=headers, timeout=10).text.splitlines()
        seen = set()
        for event_uuid, summary in manifest.items():
            assert summary["Tag"][0]["name"].startswith("tlp:")
            document = requests.get(f"{base}{event_uuid}.json", headers=headers, timeout=10).json()
            event = MISPEvent()
            event.from_dict(**document)
            assert (
                event.info == summary["info"]
                and int(event.timestamp.timestamp()) == summary["timestamp"]
            )
            for attribute in event.attributes:
                seen.add(f"{hashlib.md5(attribute.value.encode()).hexdigest()},{event_uuid}")
        assert set(hashes) == seen and len(seen) == 6


@pytest.mark.django_db
def test_it_refuses_bad_feed_credentials(client: Any, world: World) -> None:
    bad = client.get("/misp-feed/manifest.json", HTTP_AUTHORIZATION="Bearer dc_forged")
    assert bad.status_code == 401 and bad["WWW-Authenticate"].startswith("Basic")
    basic = "Basic " + base64.b64encode(f"misp:{world.token_a}".encode()).decode()
    assert client.get("/misp-feed/manifest.json", HTTP_AUTHORIZATION=basic).status_code == 200
    assert (
        client.get("/misp-feed/org/999999/manifest.json", **_auth(world.token_a)).status_code == 404
    )
