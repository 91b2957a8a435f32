"""The DNS-CERT's own test cases (DNSCERT01..04): scoring functions and runs on the bed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from dnscert.dnshealth.engine.checks.dnscert01 import (
    EXPIRED,
    EXPIRES_SOON,
    NOT_YET_VALID,
    classify,
)
from dnscert.dnshealth.engine.checks.dnscert03 import GOOD_MIN_STDEV, GREAT_MIN_STDEV, rate
from dnscert.dnshealth.engine.checks.dnscert04 import (
    MAX_MEDIAN_TCP_MS,
    MAX_MEDIAN_UDP_MS,
    breaches,
    figures,
)
from dnscert.dnshealth.engine.model import Level, ZoneReport
from dnscert.dnshealth.testbed.generator import Bed
from dnscert.dnshealth.testbed.plan import POOR_RECURSIVE_GROUP, RECURSIVE_GROUP
from tests.dnshealth.testbed.bedutil import run_checks

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def by_tag(report: ZoneReport, tag: str) -> list[dict[str, object]]:
    """Arguments of every message with ``tag``."""
    return [dict(message.args) for message in report.messages if message.tag == tag]


def check(bed: Bed, zones: list[str], test: str, **config: object) -> dict[str, ZoneReport]:
    """Run one test case over ``zones`` of the served bed."""
    return asyncio.run(run_checks(zones, bed.engine_config(**config), tests=[test]))


# ---- DNSCERT01 -------------------------------------------------------------------------------


def test_it_classifies_signature_windows_against_the_horizon() -> None:
    day = timedelta(days=1)
    assert classify(NOW - 30 * day, NOW - day, NOW, WEEK) == EXPIRED
    assert classify(NOW + day, NOW + 30 * day, NOW, WEEK) == NOT_YET_VALID
    assert classify(NOW - day, NOW + 3 * day, NOW, WEEK) == EXPIRES_SOON
    assert classify(NOW - day, NOW + 7 * day, NOW, WEEK) == EXPIRES_SOON
    assert classify(NOW - day, NOW + 8 * day, NOW, WEEK) == ""


@pytest.mark.dnsbed
def test_it_finds_expired_and_expiring_signatures_on_the_bed(served_bed: Bed) -> None:
    faulty = {fault.fault: fault.zone for fault in served_bed.faults}
    healthy = next(z for z in served_bed.signed_zones if z in served_bed.healthy_zones())
    unsigned = next(z for z in served_bed.healthy_zones() if z not in served_bed.signed_zones)
    zones = [faulty["expired-rrsig"], faulty["expiring-rrsig"], healthy, unsigned]
    reports = check(served_bed, zones, "DNSCERT01")
    expired = by_tag(reports[faulty["expired-rrsig"]], EXPIRED)
    assert {args["rrtype"] for args in expired} == {"SOA", "DNSKEY", "NS"}
    soon = by_tag(reports[faulty["expiring-rrsig"]], EXPIRES_SOON)
    assert soon and all(2.5 < float(str(args["days_left"])) <= 3 for args in soon)
    assert reports[healthy].tags() == {"DC01_RRSIG_HORIZON_OK"}
    assert reports[unsigned].tags() == {"DC01_NOT_SIGNED"}


@pytest.mark.dnsbed
def test_it_takes_the_horizon_from_the_check_options(served_bed: Bed) -> None:
    healthy = next(z for z in served_bed.signed_zones if z in served_bed.healthy_zones())
    options = {"DNSCERT01": {"horizon_days": 40}}
    reports = check(served_bed, [healthy], "DNSCERT01", check_options=options)
    soon = by_tag(reports[healthy], EXPIRES_SOON)
    assert soon and all(args["horizon_days"] == 40 for args in soon)
    assert reports[healthy].worst_level == Level.WARNING


@pytest.mark.dnsbed
def test_it_names_a_bad_horizon_option(served_bed: Bed) -> None:
    zone = served_bed.signed_zones[0]
    options = {"DNSCERT01": {"horizon_days": "soon"}}
    reports = check(served_bed, [zone], "DNSCERT01", check_options=options)
    crashes = by_tag(reports[zone], "ENGINE_CHECK_CRASHED")
    assert crashes and "horizon_days" in str(crashes[0]["error"])


# ---- DNSCERT02 -------------------------------------------------------------------------------


@pytest.mark.dnsbed
def test_it_flags_only_the_open_recursive_name_server(served_bed: Bed) -> None:
    recursing = next(f.zone for f in served_bed.faults if f.fault == "recursion-offered")
    healthy = served_bed.healthy_zones()[0]
    reports = check(served_bed, [recursing, healthy], "DNSCERT02")
    found = by_tag(reports[recursing], "DC02_OPEN_RECURSION")
    resolver = served_bed.layout.responder_host(RECURSIVE_GROUP)
    assert len(found) == 1
    assert resolver.address in str(found[0]["ns_list"])
    operators = [served_bed.layout.operator_host(group) for group in ("op1", "op2", "op3")]
    assert not any(host.address in str(found[0]["ns_list"]) for host in operators)
    assert reports[healthy].tags() == {"DC02_NO_OPEN_RECURSION"}


# ---- DNSCERT03 -------------------------------------------------------------------------------


def test_it_rates_spreads_with_the_porttest_thresholds() -> None:
    fixed = rate([40053] * 26)
    assert (fixed.grade, fixed.stdev, fixed.bits) == ("POOR", 0.0, 0.0)
    narrow = rate([1000 + 100 * (i % 11) for i in range(26)])  # stdev ~ 310
    assert narrow.grade == "GOOD" and GOOD_MIN_STDEV <= narrow.stdev < GREAT_MIN_STDEV
    wide = rate([1024 + (i * 2503) % 64000 for i in range(26)])
    assert wide.grade == "GREAT" and wide.bits > 13.75
    with pytest.raises(ValueError, match="at least two"):
        rate([1])


@pytest.mark.dnsbed
@pytest.mark.parametrize(
    ("group", "port_grade"),
    [(RECURSIVE_GROUP, "GREAT"), (POOR_RECURSIVE_GROUP, "POOR")],
)
def test_it_measures_a_resolvers_source_ports_through_the_observer(
    served_bed: Bed, group: str, port_grade: str
) -> None:
    resolver = served_bed.layout.responder_host(group).address
    zone = served_bed.healthy_zones()[0]
    options = {
        "DNSCERT03": {"probe_zone": served_bed.layout.porttest_zone, "resolvers": [resolver]}
    }
    reports = check(served_bed, [zone], "DNSCERT03", check_options=options)
    ports = by_tag(reports[zone], f"DC03_PORTS_{port_grade}")
    assert len(ports) == 1 and ports[0]["resolver"] == resolver
    assert ports[0]["count"] == 26
    assert ports[0]["egress"] == [resolver]
    assert by_tag(reports[zone], "DC03_IDS_GREAT")


@pytest.mark.dnsbed
def test_it_says_when_no_probe_zone_is_configured(served_bed: Bed) -> None:
    recursing = next(f.zone for f in served_bed.faults if f.fault == "recursion-offered")
    healthy = served_bed.healthy_zones()[0]
    reports = check(served_bed, [recursing, healthy], "DNSCERT03")
    assert reports[recursing].tags() == {"DC03_NOT_CONFIGURED"}
    assert reports[healthy].tags() == {"DC03_NO_RESOLVER"}


# ---- DNSCERT04 -------------------------------------------------------------------------------


def test_it_compares_figures_with_rssac047_thresholds() -> None:
    good = figures([10.0] * 25)
    assert breaches(good, good) == []
    lossy = figures([10.0] * 24 + [None])  # 96 % is the minimum: still fine
    assert breaches(lossy, good) == []
    worse = figures([10.0] * 23 + [None, None])
    assert breaches(worse, good) == ["DC04_AVAILABILITY_LOW"]
    slow_udp = figures([MAX_MEDIAN_UDP_MS + 1] * 5)
    slow_tcp = figures([MAX_MEDIAN_TCP_MS + 1] * 5)
    assert breaches(slow_udp, slow_tcp) == ["DC04_UDP_LATENCY_HIGH", "DC04_TCP_LATENCY_HIGH"]
    assert figures([None, None]).median_ms is None


@pytest.mark.dnsbed
def test_it_finds_tld_servers_within_thresholds(served_bed: Bed) -> None:
    tld = f"{served_bed.spec.tlds[0]}."
    reports = check(served_bed, [tld, served_bed.child_zones[0]], "DNSCERT04")
    ok = by_tag(reports[tld], "DC04_SERVER_OK")
    assert len(ok) == 4  # two TLD servers, IPv4 and IPv6 each
    assert all(args["udp_availability"] == 1.0 for args in ok)
    assert reports[served_bed.child_zones[0]].tags() == {"DC04_NOT_APPLICABLE"}


@pytest.mark.dnsbed
def test_it_reports_low_availability_of_a_dead_server(served_bed: Bed) -> None:
    tld = f"{served_bed.spec.tlds[0]}."
    layout = served_bed.layout
    live = layout.tld_hosts[0]
    dead_address = layout.address(200, 1)  # nothing listens there
    undelegated = {live.name: [live.address], f"dead.nic.{tld}": [dead_address]}
    reports = check(
        served_bed,
        [tld],
        "DNSCERT04",
        undelegated_ns=undelegated,
        timeout=0.2,
        retries=0,
        check_options={"DNSCERT04": {"probes": 3}},
    )
    low = by_tag(reports[tld], "DC04_AVAILABILITY_LOW")
    assert len(low) == 1 and dead_address in str(low[0]["ns_list"])
    assert low[0]["udp_availability"] == 0.0 and low[0]["tcp_availability"] == 0.0
    healthy = by_tag(reports[tld], "DC04_SERVER_OK")
    assert healthy and all(dead_address not in str(args["ns_list"]) for args in healthy)
