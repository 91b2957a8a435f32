"""STIX 2.1 output: the OASIS TLP 2.0 markings, and bundles that stix2-validator accepts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from stix2validator import ValidationOptions, validate_string

from dnscert.core.choices import TLP
from dnscert.intel.models import Event, Feed
from dnscert.intel.patterns import blobs
from dnscert.intel.patterns.models import DgaCampaign, RegistryList
from dnscert.sharing import services, stix
from dnscert.sharing.models import SharedObject
from tests.sharing.conftest import World, incident_with_indicators

OASIS = Path(__file__).parent / "fixtures" / "oasis-tlp2"
pytestmark = pytest.mark.django_db


def _validate(objects: list[dict]) -> None:
    text = json.dumps(stix.bundle(objects))
    result = validate_string(text, ValidationOptions(version="2.1", strict=True))
    assert result.is_valid, [str(e) for e in result.errors]


def _share_objects(share) -> list[dict]:
    rows = {row.stix_id: row.payload for row in SharedObject.objects.filter(share=share)}
    return [stix.platform_identity(), stix.tlp_markings()[TLP.parse(share.tlp)], *rows.values()]


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("tlp-clear.json", TLP.CLEAR),
        ("tlp-amber.json", TLP.AMBER),
        ("tlp-amber+strict.json", TLP.AMBER_STRICT),
    ],
)
def test_it_emits_the_oasis_tlp2_objects_verbatim(name: str, label: TLP) -> None:
    published = json.loads((OASIS / name).read_text())["objects"][0]
    assert stix.tlp_markings()[label] == published


def test_it_emits_five_markings_valid_against_the_oasis_extension_schema() -> None:
    schema = json.loads(
        (OASIS / "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.json").read_text()
    )
    markings = stix.tlp_markings()
    assert set(markings) == set(TLP)
    for label, obj in markings.items():
        jsonschema.validate(obj, schema)
        assert obj["name"] == label.label_text
        assert obj["created"] == "2022-10-01T00:00:00.000Z"
    _validate(list(markings.values()))


def test_it_shares_incident_indicators_as_valid_stix(world: World) -> None:
    incident = incident_with_indicators(TLP.AMBER, [world.org_a])
    share = services.share_incident(incident, by=world.analyst)
    objects = _share_objects(share)
    indicators = [o for o in objects if o["type"] == "indicator"]
    assert len(indicators) == 6  # registrar id has no STIX observable
    patterns = {o["pattern"] for o in indicators}
    assert "[domain-name:value = 'shop.xa']" in patterns
    assert "[ipv6-addr:value = '2001:db8::66']" in patterns
    assert any(p.startswith("[url:value = 'http://www.shop.xa/login?x=\\'1\\'") for p in patterns)
    amber = stix.marking_id(TLP.AMBER)
    for obj in indicators:
        assert obj["object_marking_refs"] == [amber]
        assert obj["created_by_ref"] == stix.platform_identity()["id"]
        assert obj["indicator_types"] == ["malicious-activity"] and obj["valid_from"]
    _validate(objects)


def test_it_shares_a_dga_list_as_valid_stix(world: World) -> None:
    campaign = DgaCampaign.objects.create(
        family="conficker-b",
        start_date=datetime(2020, 1, 1).date(),
        end_date=datetime(2020, 1, 1).date(),
    )
    writer = blobs.ListWriter()
    writer.extend(datetime(2020, 1, 1).date(), ["abcdefg.cc", "hijklmn.cc"])
    registry_list = RegistryList.objects.create(
        campaign=campaign,
        tld="cc",
        organisation=world.org_a,
        rows=writer.finish(),
        domain_count=2,
        tlp=TLP.GREEN,
    )
    share = services.share_registry_list(registry_list, by=world.analyst)
    objects = _share_objects(share)
    patterns = sorted(o["pattern"] for o in objects if o["type"] == "indicator")
    assert patterns == ["[domain-name:value = 'abcdefg.cc']", "[domain-name:value = 'hijklmn.cc']"]
    assert share.tlp == TLP.GREEN
    _validate(objects)


def test_it_shares_a_day_of_intel_events_as_valid_stix(world: World) -> None:
    feed = Feed.objects.create(name="phish-feed", parser="csv")
    moment = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for number, host in enumerate(("a.phish.test", "b.phish.test", "a.phish.test")):
        Event.objects.create(
            feed=feed,
            time_source=moment,
            time_observation=moment,
            classification_type="phishing",
            source_fqdn=host,
            source_ip="198.51.100.7",
            raw=host,
            dedupe_key=number,
        )
    share = services.share_intel(feed=feed, day=moment.date(), by=world.analyst)
    assert share.tlp == TLP.GREEN  # DNSCERT_SHARING_INTEL_TLP default
    assert share.item_count == 3  # two hosts and one address, de-duplicated
    _validate(_share_objects(share))


def test_it_refuses_red_and_empty_sources(world: World) -> None:
    from dnscert.core.exceptions import InvalidInput

    red = incident_with_indicators(TLP.RED, [world.org_a])
    with pytest.raises(InvalidInput, match="TLP:RED"):
        services.share_incident(red, by=world.analyst)
    empty = incident_with_indicators(TLP.GREEN, values={"registrar_id": ["1"]}, title="Empty")
    with pytest.raises(InvalidInput, match="no shareable indicator"):
        services.share_incident(empty, by=world.analyst)
    assert not SharedObject.objects.exists()


def test_it_caps_the_number_of_indicators(world: World, settings) -> None:
    from dnscert.core.exceptions import InvalidInput

    settings.DNSCERT_SHARING_MAX_INDICATORS = 2
    incident = incident_with_indicators(TLP.GREEN)
    with pytest.raises(InvalidInput, match="DNSCERT_SHARING_MAX_INDICATORS=2"):
        services.share_incident(incident, by=world.analyst)
