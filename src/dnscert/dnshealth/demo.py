"""The living demo of DNS health: a local test bed that matches the demo constituency.

``dnscert demo-dnshealth`` writes a small bed into ``var/testbed/`` whose child zones are the
demo directory's monitored zones (``shop.xa.``, ``bank.xb.``, ...; the missing ones are added
to the directory), with a few injected faults (lame delegation, expiring and expired RRSIGs,
serial drift, open AXFR). :class:`DemoBed` serves it on ``127.<net>.x.y`` with NSD when
installed, otherwise with the lab nameserver (``dnscert.dnslab``), and a few minutes after
start rewrites the parent's NS set of ``shop.xa.`` to a host under a TLD its operator never
used (a hijack as in the 2009 ccTLD redelegation attacks) and reloads the server, so the
delegation watch has something to report.

The bed is regenerated at every start (fresh signatures); the platform reaches it through the
root hints and port that :func:`platform_dns_settings` returns.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import shutil
import signal
import threading
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.NS
import dns.zone

from dnscert.dnshealth.testbed import generator
from dnscert.dnshealth.testbed.claim import NetClaim
from dnscert.dnshealth.testbed.faults import LAB_ARTEFACT_TAGS, get_fault
from dnscert.dnshealth.testbed.generator import Bed, BedSpec, load_bed
from dnscert.dnshealth.testbed.loopback import LoopbackAddresses
from dnscert.dnshealth.testbed.nsd import NsdServer, answers_soa, first_zone, nsd_available
from dnscert.dnshealth.testbed.plan import IPV6_PREFIX, TLD_GROUP, BedPlan
from dnscert.dnshealth.testbed.serve import (
    ResponderProcess,
    bed_addresses,
    serve_bed,
    wait_for_zone,
)

logger = logging.getLogger(__name__)

#: The demo bed lives in ``127.53.0.0/16`` (and ``fd53:dce7:53::/48`` when run as root).
DEMO_NET = 53
DEMO_TLDS = ("xa", "xb", "xc", "xd")
#: Port used when not running as root (binding port 53 needs root).
UNPRIVILEGED_PORT = 10053
#: Seconds between the start of the bed and the hijack of ``HIJACKED_ZONE``'s delegation.
DEFAULT_CHANGE_AFTER = 300.0
#: Folder (under the var directory) holding the generated bed.
BED_FOLDER = "testbed"
#: The zone whose delegation is rewritten while the demo runs.
HIJACKED_ZONE = "shop.xa."
#: The operator group that takes the hijacked zone over (its host lives under ``.xc``).
HIJACK_GROUP = "op3"
#: Server implementations the demo can use.
SERVERS = ("nsd", "lab")
#: Faults only NSD can serve (the lab server always refuses zone transfers).
NSD_ONLY_FAULTS = frozenset({"open-axfr"})


class DemoError(RuntimeError):
    """The demo bed cannot be built or served; the message says why and what to do."""


@dataclass(frozen=True)
class DemoZone:
    """A monitored zone of the demo: its name, its organisation and its injected fault."""

    name: str
    organisation: str
    fault: str = ""
    signed: bool = False


#: The bed's child zones, in the generator's order (zone ``i`` lives under ``DEMO_TLDS[i % 4]``).
DEMO_ZONES = (
    DemoZone(HIJACKED_ZONE, "shop-hosting-xa", signed=True),
    DemoZone("bank.xb.", "bank-dns-xb", fault="expiring-rrsig"),
    DemoZone("news.xc.", "registrar-names", fault="lame-delegation"),
    DemoZone("city.xd.", "registrar-ejemplo", fault="serial-drift"),
    DemoZone("cloud.xa.", "registrar-domaines", fault="open-axfr"),
    DemoZone("media.xb.", "registrar-nihon", signed=True),
    DemoZone("health.xc.", "registrar-global", fault="expired-rrsig"),
)


def default_port() -> int:
    """53 when running as root, otherwise :data:`UNPRIVILEGED_PORT`."""
    return 53 if os.geteuid() == 0 else UNPRIVILEGED_PORT


def choose_server(preference: str = "auto") -> str:
    """``nsd`` when installed (or asked for), else ``lab``; raise ``DemoError`` when impossible."""
    if preference not in ("auto", *SERVERS):
        raise DemoError(f"server must be auto, nsd or lab, not {preference!r}")
    if preference == "nsd" and not nsd_available():
        raise DemoError("NSD is not installed (/usr/sbin/nsd): apt-get install nsd, or use lab")
    if preference == "auto":
        return "nsd" if nsd_available() else "lab"
    return preference


def demo_zones(server: str) -> list[DemoZone]:
    """The demo zones with the faults ``server`` can serve (the lab cannot open AXFR)."""
    if server == "nsd":
        return list(DEMO_ZONES)
    return [
        DemoZone(z.name, z.organisation, "", z.signed) if z.fault in NSD_ONLY_FAULTS else z
        for z in DEMO_ZONES
    ]


def demo_spec(*, net: int, port: int, ipv6: bool, server: str) -> BedSpec:
    """The bed parameters; faults and signing are applied per zone by :func:`customise_plan`."""
    faults = tuple(sorted({zone.fault for zone in demo_zones(server) if zone.fault}))
    return BedSpec(
        zones=len(DEMO_ZONES),
        fault_share=0.0,
        signed_share=0.0,
        glued_share=0.0,
        faults=faults,
        tlds=DEMO_TLDS,
        net=net,
        port=port,
        ipv6=ipv6,
    )


def customise_plan(plan: BedPlan, zones: list[DemoZone]) -> None:
    """Rename the planned zones to the demo's, sign some, inject the faults, stage the hijack."""
    for planned, wanted in zip(plan.zones, zones, strict=True):
        if not wanted.name.endswith(f".{planned.tld}."):
            raise DemoError(f"demo zone {wanted.name} must live under .{planned.tld}")
        planned.name = wanted.name
        if wanted.signed:
            planned.signed = True
            planned.signature_window = (
                plan.now - timedelta(days=1),
                plan.now + timedelta(days=plan.signature_days),
            )
        if wanted.fault:
            get_fault(wanted.fault).inject(planned, plan)
            planned.faults.append(wanted.fault)
    # The hijacker's server already carries a copy of the zone; only the parent's NS moves.
    hijacked = plan.zone(HIJACKED_ZONE)
    hijacked.hosting[HIJACK_GROUP] = hijacked.serial


def write_demo_bed(
    directory: Path, spec: BedSpec, zones: list[DemoZone], now: datetime | None = None
) -> Bed:
    """Plan, customise, sign and write the demo bed into ``directory`` (emptied first)."""
    started = time.monotonic()
    now = now or datetime.now(UTC).replace(microsecond=0)
    plan = generator.plan_bed(spec, now)
    customise_plan(plan, zones)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    keys = generator.SigningKeys.generate(spec.algorithm)
    writer = generator._Writer(directory)
    child_ds = generator._write_children(plan, keys, writer)
    generator._write_parents(plan, keys, writer, child_ds)
    bed = Bed(
        directory=directory,
        spec=spec,
        built_at=now,
        root_hints=plan.layout.root_hints(),
        child_zones=[zone.name for zone in plan.zones],
        signed_zones=[zone.name for zone in plan.zones if zone.signed],
        faults=list(generator._injected(plan)),
        nsd_groups=generator._write_configs(plan, writer),
        responder_groups=writer.responders,
        generation_seconds=round(time.monotonic() - started, 3),
    )
    (directory / "bed.json").write_text(json.dumps(bed.to_json(), indent=1))
    manifest = [asdict(fault) for fault in bed.faults]
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return bed


def hijack_nameservers(bed: Bed) -> list[str]:
    """The NS names the parent publishes for :data:`HIJACKED_ZONE` after the change."""
    return [bed.layout.operator_host(HIJACK_GROUP).name]


def parent_zone_file(bed: Bed, zone: str) -> Path:
    """The TLD zone file (served by the TLD group) that delegates ``zone``."""
    tld = zone.rstrip(".").rsplit(".", 1)[-1]
    return bed.directory / "nsd" / TLD_GROUP / "zones" / f"{tld}.zone"


def rewrite_delegation(bed: Bed, zone: str, nameservers: list[str]) -> None:
    """Replace the parent-side NS set of ``zone`` in its TLD's zone file.

    A delegation NS set is not signed by the parent, and the owner name stays, so the TLD's
    signatures and NSEC chain remain valid without the signing keys.
    """
    path = parent_zone_file(bed, zone)
    origin = path.name.removesuffix("zone")
    parent = dns.zone.from_file(str(path), origin=origin, relativize=False)
    node = parent.find_node(dns.name.from_text(zone))
    rdataset = node.find_rdataset(dns.rdataclass.IN, dns.rdatatype.NS)
    ttl = rdataset.ttl
    rdataset.clear()
    for name in nameservers:
        ns = dns.rdtypes.ANY.NS.NS(dns.rdataclass.IN, dns.rdatatype.NS, dns.name.from_text(name))
        rdataset.add(ns, ttl)
    parent.to_file(str(path), relativize=False)


def lab_corefile(bed: Bed) -> str:
    """A Corefile serving every NSD group of ``bed`` from the lab nameserver."""
    blocks = []
    for group, addresses in bed.nsd_groups.items():
        folder = bed.directory / "nsd" / group / "zones"
        files = sorted(folder.glob("*zone"))
        origins = [_origin_of(path) for path in files]
        lines = [f"{' '.join(f'{o}:{bed.port}' for o in origins)} {{"]
        lines.append(f"    bind {' '.join(addresses)}")
        for path, origin in zip(files, origins, strict=True):
            lines.append(f"    file {path.relative_to(bed.directory)} {origin}")
        lines.append("}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _origin_of(path: Path) -> str:
    return "." if path.name == "root.zone" else path.name.removesuffix("zone")


def build_demo_bed(
    var_dir: Path,
    *,
    port: int | None = None,
    server: str = "auto",
    net: int = DEMO_NET,
    ipv6: bool | None = None,
) -> Bed:
    """Regenerate the demo bed in ``var_dir/testbed`` (fresh signatures at every start)."""
    chosen = choose_server(server)
    spec = demo_spec(
        net=net,
        port=default_port() if port is None else port,
        ipv6=os.geteuid() == 0 if ipv6 is None else ipv6,
        server=chosen,
    )
    return write_demo_bed(var_dir / BED_FOLDER, spec, demo_zones(chosen))


class DemoBed:
    """Serves a demo bed until closed; ``change_delegation()`` stages the hijack.

    ``with DemoBed(bed, server="nsd", change_after=300):`` starts every server, schedules the
    delegation change on a timer thread and, on exit, cancels the timer and stops everything.
    Only the process that started the bed stops it (a forked child inherits no duty).
    """

    def __init__(self, bed: Bed, *, server: str, change_after: float | None = None) -> None:
        if server not in SERVERS:
            raise DemoError(f"server must be one of {', '.join(SERVERS)}, not {server!r}")
        self.bed = bed
        self.server = server
        self.change_after = change_after
        self.changed = threading.Event()
        self._stack = ExitStack()
        self._lab = ExitStack()
        self._timer: threading.Timer | None = None
        self._owner = os.getpid()
        self._lock = threading.Lock()

    def __enter__(self) -> DemoBed:
        try:
            if self.server == "nsd":
                self._stack.enter_context(serve_bed(self.bed))
            else:
                self._start_lab_bed()
        except BaseException:
            self._stack.close()
            raise
        if self.change_after is not None:
            self.schedule_change(self.change_after)
        return self

    def schedule_change(self, delay: float) -> None:
        """Change the delegation of :data:`HIJACKED_ZONE` in ``delay`` seconds (a timer)."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(delay, self._timed_change)
        self._timer.daemon = True
        self._timer.start()

    def _start_lab_bed(self) -> None:
        self._stack.enter_context(NetClaim(self.bed.spec.net, self.bed.directory))
        self._stack.enter_context(LoopbackAddresses(bed_addresses(self.bed)))
        self._start_lab_server()
        self._stack.callback(self._lab.close)
        self._stack.enter_context(ResponderProcess(self.bed.directory))
        observer = self.bed.layout.responder_host("porttest-observer").address
        wait_for_zone(observer, self.bed.port, self.bed.layout.porttest_zone)

    def _start_lab_server(self) -> None:
        from dnscert.dnslab.background import lab_in_background

        corefile = lab_corefile(self.bed)
        (self.bed.directory / "Corefile").write_text(corefile)
        self._lab.enter_context(lab_in_background(corefile, self.bed.directory, self.bed.port))
        root = self.bed.layout.root_hosts[0].address
        wait_for_zone(root, self.bed.port, ".")

    def _timed_change(self) -> None:
        try:
            self.change_delegation()
        except Exception:  # a timer thread has nobody to raise to: log it loudly
            logger.exception("the demo delegation change of %s failed", HIJACKED_ZONE)

    def change_delegation(self) -> list[str]:
        """Point :data:`HIJACKED_ZONE` at the hijacker's host and reload the TLD servers."""
        with self._lock:
            nameservers = hijack_nameservers(self.bed)
            rewrite_delegation(self.bed, HIJACKED_ZONE, nameservers)
            self._reload_parent()
            self.changed.set()
            logger.warning("demo: delegation of %s changed to %s", HIJACKED_ZONE, nameservers)
            return nameservers

    def _reload_parent(self) -> None:
        tld_host = self.bed.layout.tld_hosts[0].address
        if self.server == "lab":
            self._lab.close()
            self._start_lab_server()
        else:
            self._restart_nsd_group(TLD_GROUP)
        wait_for_delegation(tld_host, self.bed.port, HIJACKED_ZONE, hijack_nameservers(self.bed))

    def _restart_nsd_group(self, group: str) -> None:
        """Stop one NSD group and start a new one on the same folder (it rereads its zones).

        NSD runs with ``zonefiles-check: no``, so a SIGHUP would not reread changed files.
        """
        folder = self.bed.directory / "nsd" / group
        pid = int((folder / "nsd.pid").read_text().split()[0])
        os.kill(pid, signal.SIGTERM)
        address = self.bed.nsd_groups[group][0]
        zone = first_zone(folder / "nsd.conf") or "."
        deadline = time.monotonic() + 15
        while answers_soa(address, self.bed.port, zone) and time.monotonic() < deadline:
            time.sleep(0.1)
        server = NsdServer(folder, self.bed.port)
        server.start()
        self._stack.callback(server.stop)

    def close(self) -> None:
        """Cancel the pending change and stop every server (only in the starting process)."""
        if os.getpid() != self._owner:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._stack.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def wait_for_delegation(
    address: str, port: int, zone: str, nameservers: list[str], timeout: float = 30.0
) -> None:
    """Block until ``address`` refers ``zone`` to exactly ``nameservers``."""
    import dns.exception
    import dns.message
    import dns.query

    wanted = sorted(dns.name.from_text(name) for name in nameservers)
    deadline = time.monotonic() + timeout
    while True:
        query = dns.message.make_query(zone, dns.rdatatype.NS)
        try:
            response = dns.query.udp(query, address, port=port, timeout=1.0)
            found = sorted(
                rdata.target
                for rrset in response.authority
                if rrset.rdtype == dns.rdatatype.NS
                for rdata in rrset
            )
        except (OSError, dns.exception.DNSException):
            found = []
        if found == wanted:
            return
        if time.monotonic() > deadline:
            raise DemoError(f"{address} still refers {zone} to {found}, not {wanted}")
        time.sleep(0.2)


def existing_bed(var_dir: Path) -> Bed:
    """The bed last written into ``var_dir/testbed``; raise ``DemoError`` when there is none."""
    try:
        return load_bed(var_dir / BED_FOLDER)
    except FileNotFoundError as error:
        raise DemoError(f"{error}; run 'dnscert demo-dnshealth' first") from None


# ---- the platform side: root hints, directory and monitoring targets ---------------------------

#: Bed hosts registered in the directory: host name -> organisation (short name).
DEMO_HOST_OWNERS = {
    "a.root-servers.xa.": "root-ops-a",
    "b.root-servers.xb.": "root-ops-b",
    "a.nic.xa.": "registry-xa",
    "b.nic.xb.": "registry-xb",
    "ns1.alpha-dns.xa.": "shop-hosting-xa",
    "ns2.beta-dns.xb.": "bank-dns-xb",
}
#: Minutes between two checks of a demo zone (the platform's default is daily).
DEMO_ZONE_INTERVAL = 5
HINTS_FILE = "root.hints"


@dataclass
class DemoSetup:
    """What :func:`prepare_demo` did: the bed, its server and the directory changes."""

    bed: Bed
    server: str
    hints_path: Path
    zones_added: list[str]
    hosts_changed: list[str]
    targets_disabled: list[str]


def write_root_hints(bed: Bed) -> Path:
    """Write the bed's root servers as a standard root hints file; return its path."""
    lines = [f".  3600000  NS  {name}" for name, _ in bed.root_hints]
    for name, addresses in bed.root_hints:
        lines += [f"{name}  3600000  {'AAAA' if ':' in a else 'A'}  {a}" for a in addresses]
    path = bed.directory / HINTS_FILE
    path.write_text("\n".join(lines) + "\n")
    return path


def platform_dns_settings(setup: DemoSetup) -> dict[str, Any]:
    """Settings pointing the platform's engine at the bed (as ``DNSCERT_*`` names)."""
    return {
        "DNSCERT_DNS_ROOT_HINTS": str(setup.hints_path),
        "DNSCERT_DNS_PORT": setup.bed.port,
        "DNSCERT_DNSHEALTH_IGNORE_TAGS": sorted(LAB_ARTEFACT_TAGS),
    }


def apply_platform_settings(setup: DemoSetup) -> dict[str, Any]:
    """Point this process's engine at the bed; refuse a port the engine would not use."""
    from django.conf import settings

    from dnscert.dnshealth.storage import engine_config

    values = platform_dns_settings(setup)
    for name, value in values.items():
        setattr(settings, name, value)
    if engine_config().port != setup.bed.port:
        raise DemoError(
            f"the platform's engine queries port {engine_config().port}, not the bed's port "
            f"{setup.bed.port}: serve the bed on port 53 (run as root, --dns-port 53)"
        )
    return values


def _ensure_demo_directory() -> None:
    from dnscert.directory.demo import load_demo_directory
    from dnscert.directory.models import Organisation

    wanted = {zone.organisation for zone in DEMO_ZONES} | set(DEMO_HOST_OWNERS.values())
    if Organisation.objects.filter(short_name__in=wanted).count() < len(wanted):
        load_demo_directory()


def sync_demo_zones(zones: list[DemoZone]) -> list[str]:
    """Register (or re-enable) the demo zones in the directory; return the names changed."""
    from dnscert.directory import services
    from dnscert.directory.choices import ZoneKind
    from dnscert.directory.models import Organisation, Zone

    changed = []
    for demo_zone in zones:
        zone = Zone.objects.filter(name=demo_zone.name).first()
        if zone is None:
            owner = Organisation.objects.get(short_name=demo_zone.organisation)
            services.create_zone(None, owner, name=demo_zone.name, kind=ZoneKind.ZONE)
            changed.append(demo_zone.name)
        elif not zone.monitored:
            services.update_zone(None, zone, monitored=True)
            changed.append(demo_zone.name)
    return changed


def sync_demo_hosts(bed: Bed) -> list[str]:
    """Give the directory's hosts that the bed runs the bed's addresses; return those changed."""
    from dnscert.directory import services
    from dnscert.directory.models import NameserverHost, Organisation

    layout_hosts = {host.name: host.addresses for host in bed.layout.all_hosts()}
    changed = []
    for hostname, owner_name in DEMO_HOST_OWNERS.items():
        addresses = layout_hosts[hostname]
        host = NameserverHost.objects.filter(hostname=hostname).first()
        if host is None:
            owner = Organisation.objects.get(short_name=owner_name)
            services.create_nameserver(None, owner, hostname=hostname, addresses=addresses)
        elif _normalised(host.addresses) != _normalised(addresses):
            services.update_nameserver(None, host, addresses=addresses)
        else:
            continue
        changed.append(hostname)
    return changed


def _normalised(addresses: list[str]) -> list[str]:
    return sorted(ipaddress.ip_address(address).compressed for address in addresses)


def _on_loopback(addresses: list[str]) -> bool:
    return bool(addresses) and all(
        ipaddress.ip_address(a).is_loopback or a.lower().startswith(IPV6_PREFIX) for a in addresses
    )


def sync_demo_targets(zones: list[DemoZone]) -> list[str]:
    """Create the targets; check demo zones every few minutes; disable unreachable hosts.

    The demo directory's other hosts have documentation addresses (192.0.2.0/24, ...) that
    the lab must never query, so their targets are disabled; returns their names.
    """
    from dnscert.dnshealth.choices import TargetKind
    from dnscert.dnshealth.models import MonitoringTarget
    from dnscert.dnshealth.targets import sync_targets, update_schedule

    sync_targets()
    for target in MonitoringTarget.objects.filter(name__in=[zone.name for zone in zones]):
        if (target.reachability_interval, target.full_interval) != (DEMO_ZONE_INTERVAL,) * 2:
            update_schedule(
                target,
                None,
                reachability_interval=DEMO_ZONE_INTERVAL,
                full_interval=DEMO_ZONE_INTERVAL,
            )
    disabled = []
    hosts = MonitoringTarget.objects.filter(kind=TargetKind.NAMESERVER, enabled=True)
    for target in hosts.select_related("nameserver"):
        if target.nameserver is not None and not _on_loopback(target.nameserver.addresses):
            update_schedule(target, None, enabled=False)
            disabled.append(target.name)
    return disabled


def prepare_demo(
    var_dir: Path,
    *,
    port: int | None = None,
    server: str = "auto",
    net: int = DEMO_NET,
    ipv6: bool | None = None,
) -> DemoSetup:
    """Regenerate the bed, write its root hints and make the directory and targets match."""
    from django.db import transaction

    chosen = choose_server(server)
    bed = build_demo_bed(var_dir, port=port, server=chosen, net=net, ipv6=ipv6)
    hints = write_root_hints(bed)
    zones = demo_zones(chosen)
    with transaction.atomic():
        _ensure_demo_directory()
        added = sync_demo_zones(zones)
        hosts = sync_demo_hosts(bed)
        disabled = sync_demo_targets(zones)
    return DemoSetup(bed, chosen, hints, added, hosts, disabled)
