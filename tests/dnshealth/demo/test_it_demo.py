"""The DNS health demo: a bed matching the demo directory, measured by the platform's jobs.

The served test builds the bed, starts it, runs the scheduler (``plan_runs`` and the batch
jobs) once and finds every injected fault in the stored results, then lets the scheduled
delegation change of ``shop.xa.`` happen and finds it on the next run.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import dns.exception
import dns.message
import dns.query
import pytest
from django.core.management import call_command
from django.utils import timezone

from dnscert.core.jobs import run_pending
from dnscert.directory.models import NameserverHost, Zone
from dnscert.dnshealth import demo, services
from dnscert.dnshealth.choices import SignalKind, TargetKind
from dnscert.dnshealth.engine.hints import read_hints
from dnscert.dnshealth.models import DelegationChange, MonitoringTarget, Signal, ZoneResult
from dnscert.dnshealth.storage import engine_config
from dnscert.dnshealth.testbed.generator import Bed
from dnscert.dnshealth.testbed.nsd import nsd_available
from tests.dnshealth.demo.conftest import require_root

pytestmark = pytest.mark.django_db

#: What each injected fault must put in the zone's latest result (NSD serves all of them).
EXPECTED_TAGS = {
    "bank.xb.": "DC01_RRSIG_EXPIRES_SOON",
    "news.xc.": "IS_NOT_AUTHORITATIVE",
    "city.xd.": "MULTIPLE_SOA_SERIALS",
    "cloud.xa.": "AXFR_AVAILABLE",
    "health.xc.": "DC01_RRSIG_EXPIRED",
}


def _prepare(tmp_path: Path, net: int, server: str = "auto") -> demo.DemoSetup:
    return demo.prepare_demo(tmp_path, port=53, server=server, net=net, ipv6=os.geteuid() == 0)


def _normal(addresses: list[str]) -> list[str]:
    return sorted(ipaddress.ip_address(address).compressed for address in addresses)


def _tags(zone: str) -> set[str]:
    target = MonitoringTarget.objects.get(kind=TargetKind.ZONE, name=zone)
    assert target.latest_result is not None, f"{zone} was not measured"
    return {message["tag"] for message in target.latest_result.message_dicts()}


def _measure_due_targets() -> None:
    """One scheduler pass: claim due targets, then run the queued batch jobs."""
    runs = services.plan_runs()
    assert runs, "no target was due"
    run_pending(["dnshealth.run_batch"])


def _parent_ns(bed: Bed, zone: str) -> list[str]:
    query = dns.message.make_query(zone, "NS")
    response = dns.query.udp(query, bed.layout.tld_hosts[0].address, port=bed.port, timeout=2)
    return sorted(rdata.target.to_text() for rrset in response.authority for rdata in rrset)


def test_it_builds_a_bed_whose_zones_the_directory_monitors(tmp_path: Path, demo_net: int) -> None:
    setup = _prepare(tmp_path, demo_net)
    names = [zone.name for zone in demo.DEMO_ZONES]
    assert setup.bed.child_zones == names
    monitored = Zone.objects.filter(monitored=True, name__in=names)
    assert set(monitored.values_list("name", flat=True)) == set(names)
    assert Zone.objects.get(name="bank.xb.").organisation.short_name == "bank-dns-xb"
    targets = MonitoringTarget.objects.filter(kind=TargetKind.ZONE, name__in=names)
    assert sorted(targets.values_list("name", flat=True)) == sorted(names)
    assert {t.full_interval for t in targets} == {demo.DEMO_ZONE_INTERVAL}
    hints = [(name, _normal(addresses)) for name, addresses in setup.bed.root_hints]
    assert [(name, _normal(a)) for name, a in read_hints(setup.hints_path)] == hints
    a_nic = NameserverHost.objects.get(hostname="a.nic.xa.")
    assert _normal(a_nic.addresses) == _normal(setup.bed.layout.tld_hosts[0].addresses)
    # Documentation addresses are never queried from the lab.
    assert "a.root-servers.test." in setup.targets_disabled
    assert not MonitoringTarget.objects.get(name="a.root-servers.test.").enabled


def test_it_is_idempotent_across_restarts(tmp_path: Path, demo_net: int) -> None:
    _prepare(tmp_path, demo_net)
    again = _prepare(tmp_path, demo_net)
    assert again.zones_added == []
    assert again.hosts_changed == []
    assert again.targets_disabled == []
    assert (tmp_path / demo.BED_FOLDER / "bed.json").is_file()


def test_it_drops_the_faults_the_lab_server_cannot_serve() -> None:
    faults = {zone.name: zone.fault for zone in demo.demo_zones("lab")}
    assert faults["cloud.xa."] == ""
    assert faults["bank.xb."] == "expiring-rrsig"
    with pytest.raises(demo.DemoError, match="server must be"):
        demo.choose_server("bind")


def _point_platform_at(setup: demo.DemoSetup, settings: Any) -> None:
    for name, value in demo.platform_dns_settings(setup).items():
        setattr(settings, name, value)


def test_it_points_the_engine_at_the_bed_or_refuses_a_port_it_would_not_query(
    tmp_path: Path, demo_net: int, settings: Any
) -> None:
    setup = demo.prepare_demo(tmp_path, port=10053, net=demo_net, ipv6=False)
    _point_platform_at(setup, settings)  # overridden here, so restored after the test
    if engine_config().port == 10053:  # the platform reads DNSCERT_DNS_PORT
        demo.apply_platform_settings(setup)
        assert engine_config().root_hints == read_hints(setup.hints_path)
    else:
        with pytest.raises(demo.DemoError, match="port 10053"):
            demo.apply_platform_settings(setup)


@pytest.mark.dnsbed
@pytest.mark.parametrize("server", demo.SERVERS)
def test_it_shows_the_faults_and_the_scheduled_delegation_change(
    tmp_path: Path, demo_net: int, settings: Any, server: str
) -> None:
    require_root()
    if server == "nsd" and not nsd_available():
        pytest.skip("NSD is not installed (apt-get install nsd); the lab variant still runs")
    setup = _prepare(tmp_path, demo_net, server=server)
    _point_platform_at(setup, settings)
    bed = setup.bed
    with demo.DemoBed(bed, server=setup.server) as running:
        before = _parent_ns(bed, demo.HIJACKED_ZONE)
        _measure_due_targets()
        for zone, tag in EXPECTED_TAGS.items():
            if setup.server == "lab" and zone == "cloud.xa.":
                continue
            assert tag in _tags(zone), f"{zone} lacks {tag}: {sorted(_tags(zone))}"
        statuses = dict(
            MonitoringTarget.objects.filter(kind=TargetKind.ZONE).values_list("name", "status")
        )
        assert statuses["health.xc."] == "red"
        assert statuses["news.xc."] == "red"
        assert statuses[demo.HIJACKED_ZONE] == "green", sorted(_tags(demo.HIJACKED_ZONE))
        assert not DelegationChange.objects.exists()

        running.schedule_change(0.5)
        assert running.changed.wait(60), "the scheduled delegation change did not happen"
        assert _parent_ns(bed, demo.HIJACKED_ZONE) == demo.hijack_nameservers(bed)
        target = MonitoringTarget.objects.get(kind=TargetKind.ZONE, name=demo.HIJACKED_ZONE)
        MonitoringTarget.objects.filter(pk=target.pk).update(next_full_due=timezone.now())
        _measure_due_targets()

    change = DelegationChange.objects.get(target=target)
    assert change.diff["ns_added"] == ["ns3.gamma-dns.xc."]
    assert sorted(change.diff["ns_removed"]) == before
    assert change.severity == "high"
    assert Signal.objects.filter(target=target, kind=SignalKind.DELEGATION_CHANGED).count() == 1
    assert ZoneResult.objects.filter(target=target).count() == 2
    # The servers stopped with the block.
    with pytest.raises(dns.exception.Timeout):
        _parent_ns(bed, demo.HIJACKED_ZONE)


@pytest.mark.dnsbed
def test_it_serves_the_bed_from_the_command_until_terminated(
    tmp_path: Path, demo_net: int, settings: Any
) -> None:
    require_root()
    settings.VAR_DIR = tmp_path
    call_command("demo-dnshealth", "--dns-port=53", f"--net={demo_net}")
    bed = demo.existing_bed(tmp_path)
    env = {**os.environ, "DNSCERT_VAR_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "dnscert.cli", "demo-dnshealth", "--serve-bed", "--reuse"]
    process = subprocess.Popen(
        [*command, "--change-after=600"], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "READY"
        assert _parent_ns(bed, demo.HIJACKED_ZONE) == ["ns1.alpha-dns.xa.", "ns2.beta-dns.xb."]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        if process.stdout is not None:
            process.stdout.close()
    with pytest.raises(dns.exception.Timeout):
        _parent_ns(bed, demo.HIJACKED_ZONE)
