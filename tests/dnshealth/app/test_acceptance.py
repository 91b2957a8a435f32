"""The issue's acceptance test: scheduled runs over a served test bed raise exact signals.

A bed of six child zones is served by NSD. The directory gives each zone an owner with a
24x7 contact. The scheduler (plan + batch jobs, run synchronously) runs three times:

1. as built: only the zone with soon-expiring signatures (the bed's one fault) is signalled;
2. after the parent TLD hands one zone to a name server under a domain its owner never used
   (a hijack) and another zone is re-signed with expired signatures: a HIGH delegation change
   with its exact diff, and both zones broken, each mailed to its owner's 24x7 contact and
   to the staff through a real SMTP listener;
3. with nothing changed: no new signal, change, snapshot or e-mail.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import dns.rdatatype
import pytest
from django.utils import timezone

from dnscert.core.choices import Severity
from dnscert.core.jobs import enqueue, run_pending
from dnscert.core.models import JobRun
from dnscert.directory.choices import OrganisationKind
from dnscert.dnshealth import services
from dnscert.dnshealth.choices import HealthStatus, SignalKind, SignalState
from dnscert.dnshealth.models import (
    DelegationChange,
    DelegationSnapshot,
    MonitoringRun,
    MonitoringTarget,
    Notification,
    Signal,
)
from dnscert.dnshealth.targets import sync_targets
from dnscert.dnshealth.testbed import generator
from dnscert.dnshealth.testbed.claim import free_net
from dnscert.dnshealth.testbed.faults import LAB_ARTEFACT_TAGS
from dnscert.dnshealth.testbed.generator import Bed, BedSpec, SigningKeys, write_bed
from dnscert.dnshealth.testbed.nsd import NsdServer, nsd_available
from dnscert.dnshealth.testbed.plan import TLD_GROUP
from dnscert.dnshealth.testbed.serve import serve_bed
from tests.dnshealth.app import factories
from tests.personas import make_org, staff

pytestmark = [pytest.mark.dnsbed, pytest.mark.django_db]

#: Nets of this module's bed (the engine's test bed uses 77-87).
NETS = range(88, 99)

EXPIRING = "shop00000.xa."  # the bed's expiring-rrsig fault (index 0)
HEALTHY = ["bank00001.xb.", "news00002.xc.", "media00005.xb."]
BROKEN_SIGS = "city00003.xd."  # signed, on op1 + op2: re-signed with expired signatures
HIJACKED = "cloud00004.xa."  # on ns2.beta-dns.xb. + ns3.gamma-dns.xc.
HIJACKER = "ns1.alpha-dns.xa."  # op1: a real server that does not serve the zone


@dataclass
class ServedBed:
    """The served bed, its signing keys, and the NSD servers this test restarted."""

    bed: Bed
    keys: SigningKeys
    restarted: ExitStack

    def restart(self, group: str) -> None:
        """Restart the NSD of ``group`` so it reads its changed zone files.

        The bed's NSD runs with ``zonefiles-check: no`` and no remote control, so SIGHUP does
        not re-read zone files: stop the process serve_bed started and start a new one.
        """
        folder = self.bed.directory / "nsd" / group
        pid = int((folder / "nsd.pid").read_text().split()[0])
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        self.restarted.enter_context(NsdServer(folder, self.bed.port))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedBed]:
    """Six zones, one with expiring signatures, served by NSD; and the build's signing keys."""
    if not nsd_available():
        pytest.skip("NSD is not installed; apt-get install nsd")
    keys: list[SigningKeys] = []
    original = SigningKeys.generate.__func__  # type: ignore[attr-defined]

    def keep(cls: type[SigningKeys], algorithm: str) -> SigningKeys:
        keys.append(original(cls, algorithm))
        return keys[-1]

    spec = BedSpec(
        zones=6,
        fault_share=0.2,
        faults=("expiring-rrsig",),
        signed_share=0.5,
        glued_share=0.0,
        net=free_net(NETS),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SigningKeys, "generate", classmethod(keep))
        bed = write_bed(spec, tmp_path_factory.mktemp("dnshealth-bed") / "bed")
    with serve_bed(bed), ExitStack() as restarted:
        yield ServedBed(bed, keys[0], restarted)


@pytest.fixture
def bed(served: ServedBed, settings: Any, tmp_path: Path) -> ServedBed:
    """The served bed, with the settings pointing the scheduler at it."""
    hints = tmp_path / "root.hints"
    hints.write_text(
        "".join(
            f". 3600000 NS {name}\n" + "".join(f"{name} 3600000 {_rr(a)} {a}\n" for a in addresses)
            for name, addresses in served.bed.root_hints
        )
    )
    settings.DNSCERT_DNS_ROOT_HINTS = str(hints)
    settings.DNSCERT_DNSHEALTH_IGNORE_TAGS = sorted(LAB_ARTEFACT_TAGS)
    settings.DNSCERT_DNSHEALTH_BATCH_SIZE = 2
    return served


def _rr(address: str) -> str:
    return "AAAA" if ":" in address else "A"


def _directory() -> dict[str, str]:
    """Owners with 24x7 contacts for every zone of the bed; returns zone -> contact e-mail."""
    contacts = {
        EXPIRING: ("Shop Registrant", "noc@shop.example", "en"),
        BROKEN_SIGS: ("City Bank", "soc@citybank.example", "fr"),
        HIJACKED: ("Cloud Media", "oncall@cloudmedia.example", "en"),
    }
    healthy = make_org(OrganisationKind.DNS_OPERATOR, "Healthy Holder")
    factories.contact(healthy, "noc@healthy.example")
    for name in HEALTHY:
        factories.zone(healthy, name)
    for name, (org_name, email, language) in contacts.items():
        org = make_org(OrganisationKind.DNS_OPERATOR, org_name)
        factories.contact(org, email, language=language)
        factories.contact(org, f"office@{email.split('@')[1]}", is_24x7=False)
        factories.zone(org, name)
    staff(email="analyst@dnscert.example")
    return {name: email for name, (_org, email, _language) in contacts.items()}


def _run_scheduler() -> list[MonitoringRun]:
    """One scheduler round: plan, then every batch and notification job, synchronously."""
    started = timezone.now()
    MonitoringTarget.objects.update(next_full_due=started, next_reachability_due=started)
    enqueue("dnshealth.plan_runs")
    while JobRun.objects.filter(status=JobRun.Status.QUEUED).exists():
        run_pending()
    failed = JobRun.objects.filter(status=JobRun.Status.FAILED)
    assert not failed.exists(), [run.error for run in failed]
    return list(MonitoringRun.objects.filter(started__gte=started))


def _signals() -> set[tuple[str, str, str, str]]:
    rows = Signal.objects.values_list("kind", "target__name", "severity", "state")
    return set(rows)


def _zone_file(bed: Bed, group: str, origin: str) -> Path:
    return bed.directory / "nsd" / group / "zones" / f"{origin}zone"


def _wait_until(check: Any, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _hijack(served: ServedBed) -> None:
    """Point the TLD's delegation of HIJACKED at HIJACKER (NS records at a cut are unsigned)."""
    bed = served.bed
    path = _zone_file(bed, TLD_GROUP, "xa.")
    owner = re.escape(HIJACKED)
    text = re.sub(rf"(?m)^{owner} (\d+) IN NS \S+\n", "", path.read_text())
    path.write_text(text + f"{HIJACKED} 3600 IN NS {HIJACKER}\n")
    served.restart(TLD_GROUP)
    server = bed.layout.tld_hosts[0].address

    def delegated() -> bool:
        query = dns.message.make_query(HIJACKED, dns.rdatatype.NS)
        answer = dns.query.udp(query, server, port=bed.port, timeout=1)
        return [rr.to_text() for rrset in answer.authority for rr in rrset] == [HIJACKER]

    _wait_until(delegated, "the TLD to serve the new delegation")


def _expire_signatures(served: ServedBed) -> None:
    """Re-sign BROKEN_SIGS with signatures that expired two days ago, on every copy."""
    bed, keys = served.bed, served.keys
    plan = generator.plan_bed(bed.spec, bed.built_at)
    zone = plan.zone(BROKEN_SIGS)
    window = (plan.now - timedelta(days=32), plan.now - timedelta(days=2))
    text = generator.sign_text(
        generator.child_zone_text(zone, plan, zone.serial + 1), BROKEN_SIGS, keys, window
    )
    for group in zone.hosting:
        _zone_file(bed, group, BROKEN_SIGS).write_text(text)
        served.restart(group)
    for host in (bed.layout.operator_host(group) for group in zone.hosting):

        def resigned(address: str = host.address) -> bool:
            query = dns.message.make_query(BROKEN_SIGS, dns.rdatatype.SOA)
            answer = dns.query.udp(query, address, port=bed.port, timeout=1)
            return bool(answer.answer) and answer.answer[0][0].serial == zone.serial + 1

        _wait_until(resigned, f"{host.name} to serve the re-signed zone")


def _mail_by_recipient(smtp_server: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in smtp_server.messages:
        found.setdefault(message["To"], []).append(message["Subject"])
    return {to: sorted(subjects) for to, subjects in found.items()}


def test_it_signals_each_state_change_once_and_mails_the_right_contacts(
    bed: ServedBed, smtp_server: Any
) -> None:
    emails = _directory()
    assert sync_targets().created == 6

    first = _run_scheduler()
    assert sorted(run.target_count for run in first) == [2, 2, 2]
    statuses = dict(MonitoringTarget.objects.values_list("name", "status"))
    assert HealthStatus.RED not in statuses.values(), statuses
    assert _signals() == {
        (SignalKind.RRSIG_EXPIRING, EXPIRING, Severity.MEDIUM, SignalState.OPEN),
    }
    assert _mail_by_recipient(smtp_server) == {
        emails[EXPIRING]: ["[dnscert] Medium: Signatures of shop00000.xa. expire soon"],
        "analyst@dnscert.example": ["[dnscert] Medium: Signatures of shop00000.xa. expire soon"],
    }

    _hijack(bed)
    _expire_signatures(bed)
    _run_scheduler()
    assert _signals() == {
        (SignalKind.RRSIG_EXPIRING, EXPIRING, Severity.MEDIUM, SignalState.OPEN),
        (SignalKind.DELEGATION_CHANGED, HIJACKED, Severity.HIGH, SignalState.OPEN),
        (SignalKind.ZONE_BROKEN, HIJACKED, Severity.HIGH, SignalState.OPEN),
        (SignalKind.ZONE_BROKEN, BROKEN_SIGS, Severity.HIGH, SignalState.OPEN),
    }
    change = DelegationChange.objects.get()
    assert change.target.name == HIJACKED and not change.expected
    assert (change.old.ns, change.new.ns) == (["ns2.beta-dns.xb.", "ns3.gamma-dns.xc."], [HIJACKER])
    assert change.diff == {
        "ns_added": [HIJACKER],
        "ns_removed": ["ns2.beta-dns.xb.", "ns3.gamma-dns.xc."],
        "glue_changed": {},
        "ds_added": [],
        "ds_removed": [],
    }
    assert change.reasons == ["all_ns_replaced_by_unknown_domains"]
    broken_tags = {
        row[1]
        for row in Signal.objects.get(
            kind=SignalKind.ZONE_BROKEN, target__name=BROKEN_SIGS
        ).details["errors"]
    }
    assert "DC01_RRSIG_EXPIRED" in broken_tags
    smtp_server.wait_for(8)
    mail = _mail_by_recipient(smtp_server)
    assert sorted(mail) == sorted(["analyst@dnscert.example", *emails.values()])
    assert mail[emails[HIJACKED]] == [
        "[dnscert] High: The delegation of cloud00004.xa. changed",
        "[dnscert] High: cloud00004.xa. is broken",
    ]
    (french,) = [m for m in smtp_server.messages if m["To"] == emails[BROKEN_SIGS]]
    assert "city00003.xd." in french["Subject"]
    assert "Signal de santé DNS pour city00003.xd." in french.get_content()
    assert len(mail["analyst@dnscert.example"]) == 4
    hijack_mail = next(
        m for m in smtp_server.messages if m["Subject"].endswith("cloud00004.xa. changed")
    )
    body = hijack_mail.get_content()
    assert "Old name servers: ns2.beta-dns.xb., ns3.gamma-dns.xc." in body
    assert f"New name servers: {HIJACKER}" in body

    counts = (
        Signal.objects.count(),
        Notification.objects.count(),
        DelegationChange.objects.count(),
        DelegationSnapshot.objects.count(),
        len(smtp_server.messages),
    )
    third = _run_scheduler()
    assert sum(run.result_count for run in third) == 6
    assert (
        Signal.objects.count(),
        Notification.objects.count(),
        DelegationChange.objects.count(),
        DelegationSnapshot.objects.count(),
        len(smtp_server.messages),
    ) == counts
    assert Signal.objects.filter(state=SignalState.OPEN).count() == 4


def test_it_measures_nameserver_hosts_and_latencies_on_demand(bed: ServedBed) -> None:
    operator = make_org(OrganisationKind.DNS_OPERATOR, "Alpha DNS")
    alpha = bed.bed.layout.operator_host("op1")
    factories.host(operator, alpha.name, *alpha.addresses)
    factories.host(operator, "ns9.alpha-dns.xa.", bed.bed.layout.filler_address(9))
    factories.zone(operator, HEALTHY[1])
    sync_targets()
    ids = list(MonitoringTarget.objects.values_list("pk", flat=True))
    run = services.measure_batch(ids)
    assert (run.status, run.result_count) == ("succeeded", 3)
    statuses = dict(MonitoringTarget.objects.values_list("name", "status"))
    assert statuses == {
        alpha.name: HealthStatus.GREEN,
        "ns9.alpha-dns.xa.": HealthStatus.RED,
        HEALTHY[1]: HealthStatus.AMBER,  # unsigned on purpose: DNSSEC07 warns
    }
    host_result = MonitoringTarget.objects.get(name=alpha.name).latest_result
    assert host_result is not None
    rows = host_result.nameserver_dicts()
    assert sorted(row["address"] for row in rows) == sorted(alpha.addresses)
    assert all(row["reachable"] and row["udp_ms"] > 0 and row["tcp_ms"] > 0 for row in rows)
    zone_result = MonitoringTarget.objects.get(name=HEALTHY[1]).latest_result
    assert zone_result is not None
    assert len(zone_result.soa_serials) == 1
    assert {row["ns"] for row in zone_result.nameserver_dicts()} == {
        "ns3.gamma-dns.xc.",
        "ns1.alpha-dns.xa.",
    }
    unreachable = MonitoringTarget.objects.get(name="ns9.alpha-dns.xa.").latest_result
    assert unreachable is not None
    assert [row[1] for row in unreachable.messages] == ["DH_NS_UNREACHABLE"]
