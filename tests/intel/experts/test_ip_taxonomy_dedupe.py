"""IP, taxonomy and dedupe experts."""

from __future__ import annotations

from typing import Any

import pytest

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.experts.dedupe import DedupeExpert
from dnscert.intel.experts.ip import IpExpert
from dnscert.intel.experts.taxonomy import RSIT, XARF_TO_RSIT, TaxonomyExpert, classify
from dnscert.intel.schema import FailedRecord


def test_it_canonicalises_addresses_and_prefixes() -> None:
    event = IpExpert()(
        {
            "source.ip": "2001:DB8:0::1",
            "destination.ip": "::ffff:192.0.2.9",
            "source.network": "198.51.100.9/24",
        }
    )
    assert event == {
        "source.ip": "2001:db8::1",
        "destination.ip": "192.0.2.9",
        "source.network": "198.51.100.0/24",
    }


def test_it_rejects_bad_and_optionally_non_public_addresses() -> None:
    bad = IpExpert()({"feed.name": "f", "raw": "r", "source.ip": "192.0.2.999"})
    assert isinstance(bad, FailedRecord)
    assert (bad.stage, bad.reason) == ("ip", "ip: '192.0.2.999' is not an IP address")
    assert isinstance(IpExpert()({"source.ip": "10.0.0.1"}), dict)
    private = IpExpert(reject_non_global=True)({"source.ip": "10.0.0.1"})
    assert isinstance(private, FailedRecord)
    assert private.reason == "source.ip 10.0.0.1 is not public"


@pytest.mark.parametrize(
    ("feed_type", "taxonomy", "rsit_type"),
    [
        ("phishing", "fraud", "phishing"),
        ("malware_download", "malicious-code", "malware-distribution"),
        ("Botnet C&C", "malicious-code", "c2-server"),
        ("openresolver", "vulnerable", "ddos-amplifier"),
        ("blacklist", "other", "blocklist"),
        ("dga domain", "other", "dga-domain"),
        ("vulnerable-system", "vulnerable", "vulnerable-system"),
    ],
)
def test_it_maps_feed_types_to_rsit(feed_type: str, taxonomy: str, rsit_type: str) -> None:
    assert classify(feed_type) == (taxonomy, rsit_type, True)


def test_it_keeps_the_feed_word_as_identifier_and_unknown_types_in_extra() -> None:
    aliased = TaxonomyExpert()({"classification.type": "malware_download"})
    assert aliased["classification.identifier"] == "malware_download"
    assert aliased["classification.taxonomy"] == "malicious-code"
    unknown = TaxonomyExpert()({"classification.type": "weird-stuff"})
    assert (unknown["classification.taxonomy"], unknown["classification.type"]) == (
        "other",
        "undetermined",
    )
    assert unknown["extra"] == {"original_type": "weird-stuff"}


def test_it_maps_every_xarf_type_to_a_known_rsit_type() -> None:
    known = {type_ for types in RSIT.values() for type_ in types}
    assert set(XARF_TO_RSIT.values()) <= known
    assert len({category for category, _ in XARF_TO_RSIT}) == 7


def _seen(dedupe: DedupeExpert, fqdn: str, when: str) -> bool:
    event: dict[str, Any] = {"feed.name": "f", "source.fqdn": fqdn, "time.source": when}
    return dedupe(event) is not None


def test_it_suppresses_repeats_within_the_window_only() -> None:
    dedupe = DedupeExpert(window=3600)
    assert _seen(dedupe, "a.example", "2026-11-20T10:00:00+00:00")
    assert not _seen(dedupe, "a.example", "2026-11-20T10:59:59+00:00")
    assert _seen(dedupe, "b.example", "2026-11-20T10:59:59+00:00")
    assert _seen(dedupe, "a.example", "2026-11-20T11:00:00+00:00")
    assert not _seen(dedupe, "a.example", "2026-11-20T11:30:00+00:00")
    assert dedupe.duplicates == 2


def test_it_forgets_keys_that_fell_out_of_the_window() -> None:
    dedupe = DedupeExpert(window=60)
    for minute in range(10):
        _seen(dedupe, f"host{minute}.example", f"2026-11-20T10:{minute:02d}:00+00:00")
    assert len(dedupe) == 2


def test_it_keeps_at_most_max_keys() -> None:
    dedupe = DedupeExpert(window=86400, max_keys=100)
    for number in range(1000):
        _seen(dedupe, f"host{number}.example", "2026-11-20T10:00:00+00:00")
    assert len(dedupe) == 100
    assert _seen(dedupe, "host0.example", "2026-11-20T10:00:01+00:00")


def test_it_dedupes_on_the_chosen_fields() -> None:
    dedupe = DedupeExpert(fields=("source.registered_domain",))
    first = {"source.registered_domain": "bad.xa", "time.observation": "2026-11-20T10:00:00+00:00"}
    assert dedupe(dict(first)) is not None
    assert dedupe({**first, "source.fqdn": "other.bad.xa"}) is None
    with pytest.raises(InvalidInput, match="must be positive"):
        DedupeExpert(window=0)
