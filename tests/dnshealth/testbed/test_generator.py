"""The generator and fault catalogue: plans, zone data, configs and the manifest (no servers)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dns.dnssec
import dns.name
import dns.rdatatype
import dns.zone
import pytest

from dnscert.dnshealth.testbed.faults import CATALOGUE, SOON_EXPIRY_DAYS, get_fault
from dnscert.dnshealth.testbed.generator import (
    BedSpec,
    BedSpecError,
    build_bed,
    fault_count,
    load_bed,
    plan_bed,
    write_bed,
)
from dnscert.dnshealth.testbed.nsd import check_config, nsd_available
from dnscert.dnshealth.testbed.plan import OPERATOR_GROUPS

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_it_puts_one_fault_of_each_kind_into_a_small_bed() -> None:
    plan = plan_bed(BedSpec(zones=60), NOW)
    faults = [name for zone in plan.zones for name in zone.faults]
    assert sorted(faults) == sorted(CATALOGUE)
    assert all(len(zone.faults) <= 1 for zone in plan.zones)


def test_it_injects_the_fault_share_of_a_large_bed() -> None:
    spec = BedSpec(zones=1000, fault_share=0.05)
    assert fault_count(spec) == 50
    assert fault_count(BedSpec(zones=1000, fault_share=0.0)) == 0


def test_it_rejects_bad_parameters_by_name() -> None:
    with pytest.raises(BedSpecError, match="zones"):
        BedSpec(zones=0).validate()
    with pytest.raises(BedSpecError, match="fault_share"):
        BedSpec(fault_share=1.5).validate()
    with pytest.raises(KeyError, match="unknown fault 'nope'"):
        get_fault("nope")


def test_it_makes_serial_drift_serve_an_older_serial_on_one_group() -> None:
    plan = plan_bed(BedSpec(zones=60, faults=("serial-drift",)), NOW)
    drifted = [zone for zone in plan.zones if zone.faults]
    for zone in drifted:
        assert sorted(zone.hosting.values()) == [zone.serial - 3, zone.serial]


def test_it_makes_lame_delegation_point_at_a_group_without_the_zone() -> None:
    plan = plan_bed(BedSpec(zones=30, faults=("lame-delegation",)), NOW)
    for zone in (z for z in plan.zones if z.faults):
        hosts = {plan.layout.operator_host(group).name: group for group in OPERATOR_GROUPS}
        groups = [hosts[ns.name] for ns in zone.nameservers]
        assert len(groups) == 3
        assert groups[2] not in zone.hosting


def test_it_dates_expiring_and_expired_signatures_from_now() -> None:
    plan = plan_bed(BedSpec(zones=60), NOW)
    windows = {zone.faults[0]: zone.signature_window for zone in plan.zones if zone.faults}
    assert windows["expired-rrsig"] is not None and windows["expired-rrsig"][1] < NOW
    soon = windows["expiring-rrsig"]
    assert soon is not None and soon[1] == NOW + timedelta(days=SOON_EXPIRY_DAYS)


def test_it_writes_signed_zones_whose_parent_ds_matches(tmp_path: Path) -> None:
    bed = write_bed(BedSpec(zones=20, fault_share=0.0), tmp_path / "bed", now=NOW)
    signed = bed.signed_zones[0]
    tld = signed.split(".")[-2]
    child = _load(bed.directory / "nsd" / "op1" / "zones", signed) or _load(
        bed.directory / "nsd" / "op2" / "zones", signed
    )
    parent = _load(bed.directory / "nsd" / "tld" / "zones", f"{tld}.")
    assert child is not None and parent is not None
    dnskeys = child.get_rdataset(signed, "DNSKEY")
    ds = parent.get_rdataset(signed, "DS")
    assert dnskeys is not None and ds is not None
    ksk = next(key for key in dnskeys if key.flags == 257)
    assert dns.dnssec.make_ds(signed, ksk, "SHA256") in ds
    soa = child.find_rrset(signed, "SOA")
    signatures = child.find_rrset(signed, "RRSIG", "SOA")
    keys = {dns.name.from_text(signed): dnskeys}
    dns.dnssec.validate(soa, signatures, keys, now=NOW.timestamp())


def _load(folder: Path, origin: str) -> dns.zone.Zone | None:
    path = folder / f"{origin}zone"
    return dns.zone.from_file(str(path), origin, relativize=False) if path.exists() else None


def test_it_writes_a_manifest_with_expected_tags(tmp_path: Path) -> None:
    bed = write_bed(BedSpec(zones=60), tmp_path / "bed", now=NOW)
    manifest = json.loads((bed.directory / "manifest.json").read_text())
    assert {entry["fault"] for entry in manifest} == set(CATALOGUE)
    assert all(entry["expected_tags"] for entry in manifest)
    reloaded = load_bed(bed.directory)
    assert reloaded.faults == bed.faults
    assert reloaded.spec == bed.spec


def test_it_reuses_a_fresh_cached_bed(tmp_path: Path) -> None:
    spec = BedSpec(zones=10, net=79)
    first = build_bed(spec, tmp_path / "cache")
    second = build_bed(spec, tmp_path / "cache")
    assert second.built_at == first.built_at
    rebuilt = build_bed(spec, tmp_path / "cache", reuse=False)
    assert rebuilt.directory == first.directory


def test_it_writes_nsd_configs_that_nsd_checkconf_accepts(tmp_path: Path) -> None:
    if not nsd_available():
        pytest.skip("NSD is not installed (/usr/sbin/nsd-checkconf missing)")
    bed = write_bed(BedSpec(zones=30), tmp_path / "bed", now=NOW)
    for group in bed.nsd_groups:
        check_config(bed.directory / "nsd" / group / "nsd.conf")
    axfr_zone = next(f.zone for f in bed.faults if f.fault == "open-axfr")
    configs = "".join(
        (bed.directory / "nsd" / group / "nsd.conf").read_text() for group in OPERATOR_GROUPS
    )
    block = configs.split(f'name: "{axfr_zone}"')[1].split("zone:")[0]
    assert '"open-xfr"' in block
    # Rate limiting off, or the checker's burst from one /24 gets TC answers and drops.
    config = bed.directory / "nsd" / "tld" / "nsd.conf"
    limit = subprocess.run(
        ["/usr/sbin/nsd-checkconf", "-o", "rrl-ratelimit", str(config)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert limit.stdout.strip() == "0"


def test_it_refuses_a_config_nsd_rejects(tmp_path: Path) -> None:
    if not nsd_available():
        pytest.skip("NSD is not installed (/usr/sbin/nsd-checkconf missing)")
    from dnscert.dnshealth.testbed.nsd import NsdError

    bad = tmp_path / "nsd.conf"
    bad.write_text("server:\n    no-such-option: 1\n")
    with pytest.raises(NsdError, match="nsd-checkconf rejected"):
        check_config(bad)


def test_it_lists_dnskey_types_in_signed_zone(tmp_path: Path) -> None:
    bed = write_bed(BedSpec(zones=10, fault_share=0.0, signed_share=1.0), tmp_path / "b", now=NOW)
    zone = _load(bed.directory / "nsd" / "op1" / "zones", bed.child_zones[0])
    assert zone is not None
    assert zone.get_rdataset(bed.child_zones[0], dns.rdatatype.NSEC) is not None
