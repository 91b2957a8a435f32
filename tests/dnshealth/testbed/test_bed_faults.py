"""End to end: the engine over the served bed finds every injected fault and nothing else."""

from __future__ import annotations

import pytest

from dnscert.dnshealth.engine.model import ZoneReport
from dnscert.dnshealth.engine.registry import all_test_cases
from dnscert.dnshealth.testbed.faults import CATALOGUE
from dnscert.dnshealth.testbed.generator import Bed

pytestmark = pytest.mark.dnsbed


def declared_tags() -> dict[str, str]:
    """Every tag some registered test case may emit -> that test case's id."""
    return {tag: case.id for case in all_test_cases() for tag in case.tags}


def test_it_serves_one_fault_of_each_kind(served_bed: Bed) -> None:
    kinds = sorted(fault.fault for fault in served_bed.faults)
    assert kinds == sorted(CATALOGUE)
    assert len(served_bed.child_zones) == 60


def test_it_expects_only_tags_that_registered_checks_declare(served_bed: Bed) -> None:
    known = declared_tags()
    expected = {tag for fault in served_bed.faults for tag in fault.expected_tags}
    assert expected - set(known) == set(), "a fault expects a tag no registered check emits"


@pytest.mark.parametrize("fault_name", sorted(CATALOGUE))
def test_it_reports_the_injected_fault_on_exactly_its_zone(
    fault_name: str, served_bed: Bed, bed_reports: dict[str, ZoneReport]
) -> None:
    fault = next(item for item in served_bed.faults if item.fault == fault_name)
    report = bed_reports[fault.zone]
    assert set(fault.expected_tags) <= report.tags(), (
        f"{fault.zone} ({fault_name}) lacks {set(fault.expected_tags) - report.tags()}; "
        f"got {sorted(report.tags())}"
    )
    same_kind = {item.zone for item in served_bed.faults if item.fault == fault_name}
    for zone, other in bed_reports.items():
        if zone not in same_kind:
            assert not set(fault.expected_tags) & other.tags(), f"{zone} also reports it"


def test_it_raises_no_false_alarm_on_healthy_zones(
    served_bed: Bed, bed_reports: dict[str, ZoneReport]
) -> None:
    alarms = {
        zone: sorted({(m.test_case, m.tag) for m in served_bed.false_alarms(bed_reports[zone])})
        for zone in served_bed.healthy_zones()
    }
    assert {zone: found for zone, found in alarms.items() if found} == {}
    assert len(alarms) == 50


def test_it_hears_dnssec07_call_exactly_the_unsigned_zones_unsigned(
    served_bed: Bed, bed_reports: dict[str, ZoneReport]
) -> None:
    if "DS07_NOT_SIGNED" not in declared_tags():
        pytest.skip("DNSSEC07 is not registered")
    unsigned = {zone for zone, report in bed_reports.items() if "DS07_NOT_SIGNED" in report.tags()}
    assert unsigned == set(served_bed.child_zones) - set(served_bed.signed_zones)


def test_it_checks_signed_and_glued_healthy_zones_too(
    served_bed: Bed, bed_reports: dict[str, ZoneReport]
) -> None:
    healthy_signed = set(served_bed.signed_zones) & set(served_bed.healthy_zones())
    assert healthy_signed, "the bed must contain healthy signed zones"
    for zone in healthy_signed:
        assert "DC01_RRSIG_HORIZON_OK" in bed_reports[zone].tags()
