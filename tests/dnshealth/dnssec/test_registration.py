"""Every DNSSEC test case is registered under its Zonemaster id with Zonemaster's tag names."""

from __future__ import annotations

import pytest

from dnscert.dnshealth.engine import registry
from dnscert.dnshealth.engine.model import Level

#: Test case -> the prefix of its own message tags (DNSSEC04/06/14 use unprefixed tags).
PREFIXES = {
    "DNSSEC01": "DS01_",
    "DNSSEC02": "DS02_",
    "DNSSEC03": "DS03_",
    "DNSSEC05": "DS05_",
    "DNSSEC07": "DS07_",
    "DNSSEC08": "DS08_",
    "DNSSEC09": "DS09_",
    "DNSSEC10": "DS10_",
    "DNSSEC11": "DS11_",
    "DNSSEC13": "DS13_",
    "DNSSEC15": "DS15_",
    "DNSSEC16": "DS16_",
    "DNSSEC17": "DS17_",
    "DNSSEC18": "DS18_",
}


@pytest.mark.parametrize("case_id", sorted(PREFIXES))
def test_it_registers_each_dnssec_case_with_its_own_tags(case_id: str) -> None:
    case = registry.get(case_id)
    assert case.module == "DNSSEC"
    assert case.tags and all(tag.startswith(PREFIXES[case_id]) for tag in case.tags)


def test_it_registers_the_unprefixed_cases_with_zonemaster_levels() -> None:
    assert registry.get("DNSSEC04").tags["RRSIG_EXPIRED"] is Level.ERROR
    assert registry.get("DNSSEC06").tags["EXTRA_PROCESSING_BROKEN"] is Level.ERROR
    assert registry.get("DNSSEC14").tags["DNSKEY_SMALLER_THAN_REC"] is Level.WARNING
    assert registry.get("DNSSEC10").tags["DS10_NSEC_RRSIG_NO_DNSKEY"] is Level.WARNING
