"""Generate a test bed: plan a root, TLDs and child zones, inject faults, sign, write to disk.

``build_bed(BedSpec(zones=100))`` returns a ``Bed``: the directory holding one NSD
configuration per server group, the responders' zone files, ``manifest.json`` (every injected
fault with the tags it must produce) and ``bed.json`` (what ``serve.serve_bed`` needs). Beds
are cached under the temp directory, keyed by their spec, for a few hours (signatures are
dated from the build time, so an old bed would drift towards expiry).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dns.dnssec
import dns.name
import dns.rdtypes.ANY.DNSKEY
import dns.reversename
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from dnscert.dnshealth.engine.model import EngineConfig, Level, Message, ZoneReport
from dnscert.dnshealth.testbed.faults import (
    CATALOGUE,
    LAB_ARTEFACT_TAGS,
    UNSIGNED_ZONE_TAGS,
    get_fault,
    in_bailiwick_nameservers,
)
from dnscert.dnshealth.testbed.nsd import NsdZone, write_nsd_config
from dnscert.dnshealth.testbed.plan import (
    ASN_LOOKUP_ZONE,
    NSD_GROUPS,
    OBSERVER_GROUP,
    OPERATOR_GROUPS,
    RESPONDER_GROUPS,
    REVERSE_ZONE,
    ROOT_GROUP,
    TLD_GROUP,
    BedPlan,
    Layout,
    NsEntry,
    ZonePlan,
)

#: Bump when the generated data changes shape, so cached beds are rebuilt.
GENERATOR_VERSION = 4
#: A cached bed older than this is rebuilt (its signatures were dated from its build time).
CACHE_MAX_AGE = timedelta(hours=6)
#: SOA timers every zone uses: refresh, retry, expire, minimum (Zonemaster ZONE02..06 friendly).
SOA_TIMERS = "21600 3600 1209600 3600"
WORDS = ("shop", "bank", "news", "city", "cloud", "media", "health", "travel", "games", "school")
ALGORITHMS = {"ECDSAP256SHA256": 13, "ED25519": 15}

SigningKey = tuple[Any, dns.rdtypes.ANY.DNSKEY.DNSKEY]


class BedSpecError(ValueError):
    """A test-bed parameter is out of range; the message names it."""


@dataclass(frozen=True)
class BedSpec:
    """The parameters of a bed; equal specs give identical zone data (bar signature bytes)."""

    zones: int = 60
    fault_share: float = 0.10
    signed_share: float = 0.30
    glued_share: float = 0.10
    faults: tuple[str, ...] = tuple(CATALOGUE)
    tlds: tuple[str, ...] = ("xa", "xb", "xc", "xd")
    net: int = 77
    port: int = 53
    ipv6: bool = True
    algorithm: str = "ECDSAP256SHA256"

    def validate(self) -> None:
        """Raise ``BedSpecError`` naming the first parameter that is out of range."""
        if self.zones < 1:
            raise BedSpecError(f"zones must be at least 1, not {self.zones}")
        for name in ("fault_share", "signed_share", "glued_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise BedSpecError(f"{name} must be between 0 and 1, not {value}")
        if len(self.tlds) < 2:
            raise BedSpecError("tlds needs at least two names")
        if not 1 <= self.net <= 254:
            raise BedSpecError(f"net must be between 1 and 254 (127.<net>.0.0/16), not {self.net}")
        if self.algorithm not in ALGORITHMS:
            raise BedSpecError(f"algorithm must be one of {', '.join(ALGORITHMS)}")
        for fault in self.faults:
            get_fault(fault)

    def cache_key(self) -> str:
        """A short digest of the spec and the generator version."""
        text = json.dumps([GENERATOR_VERSION, asdict(self)], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class InjectedFault:
    """One entry of the manifest: a zone, its fault and the tags a checker must emit."""

    zone: str
    fault: str
    expected_tags: tuple[str, ...]
    emulated: str = ""


@dataclass
class Bed:
    """A generated bed on disk: what to serve, the root hints, the zones and their faults."""

    directory: Path
    spec: BedSpec
    built_at: datetime
    root_hints: list[tuple[str, list[str]]]
    child_zones: list[str]
    signed_zones: list[str]
    faults: list[InjectedFault]
    nsd_groups: dict[str, list[str]] = field(default_factory=dict)
    responder_groups: dict[str, list[str]] = field(default_factory=dict)
    generation_seconds: float = 0.0

    @property
    def layout(self) -> Layout:
        """The address layout of this bed."""
        return Layout(self.spec.net, self.spec.tlds, self.spec.ipv6)

    @property
    def port(self) -> int:
        """The DNS port every server of the bed listens on."""
        return self.spec.port

    def engine_config(self, **changes: Any) -> EngineConfig:
        """An engine configuration whose root hints and port point at this bed."""
        return EngineConfig(root_hints=self.root_hints, port=self.port, **changes)

    def faults_by_zone(self) -> dict[str, list[InjectedFault]]:
        """Injected faults grouped by zone name."""
        grouped: dict[str, list[InjectedFault]] = {}
        for fault in self.faults:
            grouped.setdefault(fault.zone, []).append(fault)
        return grouped

    @functools.cached_property
    def _zone_sets(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """Child, signed and faulty zone names as sets: judging a report looks them up."""
        faulty = frozenset(fault.zone for fault in self.faults)
        return frozenset(self.child_zones), frozenset(self.signed_zones), faulty

    def tolerated_tags(self, zone: str) -> frozenset[str]:
        """Tags that are no false alarm on ``zone``: loopback artefacts, unsigned-by-design."""
        if zone in self._zone_sets[1]:
            return LAB_ARTEFACT_TAGS
        return LAB_ARTEFACT_TAGS | UNSIGNED_ZONE_TAGS

    def false_alarms(self, report: ZoneReport) -> list[Message]:
        """Messages at WARNING or above on a healthy zone that no tolerance explains."""
        children, _signed, faulty = self._zone_sets
        if report.zone not in children or report.zone in faulty:
            return []
        tolerated = self.tolerated_tags(report.zone)
        return [m for m in report.messages_at_or_above(Level.WARNING) if m.tag not in tolerated]

    def healthy_zones(self) -> list[str]:
        """Child zones without any injected fault."""
        faulty = self.faults_by_zone()
        return [name for name in self.child_zones if name not in faulty]

    def to_json(self) -> dict[str, Any]:
        """The ``bed.json`` form."""
        return {
            "generator_version": GENERATOR_VERSION,
            "spec": asdict(self.spec),
            "built_at": self.built_at.isoformat(),
            "root_hints": self.root_hints,
            "child_zones": self.child_zones,
            "signed_zones": self.signed_zones,
            "faults": [asdict(fault) for fault in self.faults],
            "nsd_groups": self.nsd_groups,
            "responder_groups": self.responder_groups,
            "generation_seconds": self.generation_seconds,
        }

    @classmethod
    def from_json(cls, directory: Path, data: dict[str, Any]) -> Bed:
        """Rebuild a ``Bed`` from its ``bed.json`` form."""
        spec_data = dict(data["spec"])
        spec_data["faults"] = tuple(spec_data["faults"])
        spec_data["tlds"] = tuple(spec_data["tlds"])
        return cls(
            directory=directory,
            spec=BedSpec(**spec_data),
            built_at=datetime.fromisoformat(data["built_at"]),
            root_hints=[(name, list(addresses)) for name, addresses in data["root_hints"]],
            child_zones=list(data["child_zones"]),
            signed_zones=list(data["signed_zones"]),
            faults=[
                InjectedFault(
                    item["zone"], item["fault"], tuple(item["expected_tags"]), item["emulated"]
                )
                for item in data["faults"]
            ],
            nsd_groups={key: list(value) for key, value in data["nsd_groups"].items()},
            responder_groups={key: list(value) for key, value in data["responder_groups"].items()},
            generation_seconds=float(data.get("generation_seconds", 0.0)),
        )


@dataclass(frozen=True)
class SigningKeys:
    """The keys of one build, shared by every signed zone (signing stays fast)."""

    ksk: SigningKey
    zsk: SigningKey
    foreign_ksk: SigningKey

    @classmethod
    def generate(cls, algorithm: str) -> SigningKeys:
        """Fresh KSK, ZSK and an unrelated "foreign" KSK for ``algorithm``."""
        number = ALGORITHMS[algorithm]
        return cls(
            ksk=_make_key(number, 257),
            zsk=_make_key(number, 256),
            foreign_ksk=_make_key(number, 257),
        )


def _make_key(algorithm: int, flags: int) -> SigningKey:
    private: Any
    if algorithm == 15:
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    return private, dns.dnssec.make_dnskey(private.public_key(), algorithm, flags=flags)


# ---- planning ---------------------------------------------------------------------------------


def _spread(count: int, total: int) -> list[int]:
    """``count`` indices spread evenly over ``range(total)``."""
    if count <= 0:
        return []
    step = total / count
    jitter = max(1, int(step))
    return sorted({min(total - 1, int(index * step) + index % jitter) for index in range(count)})


def _chosen(index: int, share: float) -> bool:
    """True for about ``share`` of consecutive indices, spread evenly."""
    return int((index + 1) * share) > int(index * share)


def fault_count(spec: BedSpec) -> int:
    """How many zones get a fault: the share, but at least one per fault kind, at most all."""
    if spec.fault_share <= 0 or not spec.faults:
        return 0
    return min(spec.zones, max(round(spec.zones * spec.fault_share), len(spec.faults)))


def plan_bed(spec: BedSpec, now: datetime) -> BedPlan:
    """Plan every child zone of ``spec`` and inject the faults; nothing is written."""
    spec.validate()
    layout = Layout(spec.net, spec.tlds, spec.ipv6)
    plan = BedPlan(layout=layout, zones=[], now=now, port=spec.port)
    serial = int(now.strftime("%Y%m%d")) * 100 + 1
    pairs = [(OPERATOR_GROUPS[i], OPERATOR_GROUPS[(i + 1) % 3]) for i in range(3)]
    for index in range(spec.zones):
        tld = spec.tlds[index % len(spec.tlds)]
        first, second = pairs[index % len(pairs)]
        zone = ZonePlan(
            name=f"{WORDS[index % len(WORDS)]}{index:05d}.{tld}.",
            tld=tld,
            serial=serial,
            nameservers=[
                NsEntry(layout.operator_host(first).name),
                NsEntry(layout.operator_host(second).name),
            ],
            hosting={first: serial, second: serial},
        )
        if _chosen(index, spec.glued_share):
            zone.nameservers = in_bailiwick_nameservers(zone, plan, first, second)
        if _chosen(index, spec.signed_share):
            zone.signed = True
            zone.signature_window = (now - timedelta(days=1), now + timedelta(days=30))
        plan.zones.append(zone)
    for number, index in enumerate(_spread(fault_count(spec), spec.zones)):
        fault = get_fault(spec.faults[number % len(spec.faults)])
        fault.inject(plan.zones[index], plan)
        plan.zones[index].faults.append(fault.name)
    return plan


# ---- zone text ----------------------------------------------------------------------------------


def child_zone_text(zone: ZonePlan, plan: BedPlan, serial: int) -> str:
    """The master-file text of one copy of a child zone (unsigned)."""
    layout = plan.layout
    lines = [
        f"$ORIGIN {zone.name}",
        "$TTL 3600",
        f"@ SOA {zone.nameservers[0].name} hostmaster.{zone.name} {serial} {SOA_TIMERS}",
    ]
    lines += [f"@ NS {ns.name}" for ns in zone.nameservers]
    lines += [
        address_record(ns.name, address)
        for ns in zone.nameservers
        for address in ns.child_addresses
    ]
    lines += [
        "@ MX 10 mail",
        '@ TXT "v=spf1 mx -all"',
        f"www A {layout.filler_address(1)}",
        f"mail A {layout.filler_address(2)}",
    ]
    return "\n".join(lines) + "\n"


def address_record(name: str, address: str) -> str:
    """An A or AAAA record line for ``name``."""
    return f"{name} {'AAAA' if ':' in address else 'A'} {address}"


def _host_records(layout: Layout, origin: str) -> list[str]:
    """A/AAAA records of the infrastructure hosts whose names fall in the zone ``origin``."""
    suffix = "." + origin
    return [
        address_record(host.name, address)
        for host in layout.all_hosts()
        if host.name.endswith(suffix)
        for address in host.addresses
    ]


def tld_zone_text(tld: str, plan: BedPlan, serial: int, ds_records: dict[str, list[str]]) -> str:
    """The text of one TLD zone: infrastructure hosts, delegations, glue and DS records."""
    layout = plan.layout
    origin = f"{tld}."
    lines = [
        f"$ORIGIN {origin}",
        "$TTL 3600",
        f"@ SOA {layout.tld_hosts[0].name} hostmaster.nic.{origin} {serial} {SOA_TIMERS}",
        *[f"@ NS {host.name}" for host in layout.tld_hosts],
        *_host_records(layout, origin),
    ]
    for zone in plan.zones:
        if zone.tld != tld:
            continue
        lines += [f"{zone.name} NS {ns.name}" for ns in zone.nameservers]
        lines += [address_record(ns.name, a) for ns in zone.nameservers for a in ns.parent_glue]
        lines += [f"{zone.name} DS {ds}" for ds in ds_records.get(zone.name, [])]
    if layout.porttest_zone.endswith("." + origin):
        lines.append(f"{layout.porttest_zone} NS {layout.responder_host(OBSERVER_GROUP).name}")
    return "\n".join(lines) + "\n"


def root_zone_text(plan: BedPlan, serial: int, ds_records: dict[str, list[str]]) -> str:
    """The text of the root zone: the TLD delegations with glue and DS."""
    layout = plan.layout
    lines = [
        "$ORIGIN .",
        "$TTL 86400",
        f". SOA {layout.root_hosts[0].name} hostmaster.nic.{layout.tlds[0]}. {serial} {SOA_TIMERS}",
        *[f". NS {host.name}" for host in layout.root_hosts],
    ]
    for tld in layout.tlds:
        lines += [f"{tld}. NS {host.name}" for host in layout.tld_hosts]
        lines += [f"{tld}. DS {ds}" for ds in ds_records.get(f"{tld}.", [])]
    for origin in (ASN_LOOKUP_ZONE, REVERSE_ZONE):
        lines += [f"{origin} NS {host.name}" for host in layout.tld_hosts]
    for host in [*layout.root_hosts, *layout.tld_hosts]:
        lines += [address_record(host.name, address) for address in host.addresses]
    return "\n".join(lines) + "\n"


def reverse_zone_text(plan: BedPlan, serial: int) -> str:
    """PTR records for every address of the bed's servers (the spare addresses included)."""
    layout = plan.layout
    host = layout.tld_hosts[0]
    lines = [
        f"$ORIGIN {REVERSE_ZONE}",
        "$TTL 3600",
        f"@ SOA {host.name} hostmaster.nic.{layout.tlds[0]}. {serial} {SOA_TIMERS}",
        *[f"@ NS {tld_host.name}" for tld_host in layout.tld_hosts],
    ]
    for server in layout.all_hosts():
        for address in server.addresses:
            lines.append(f"{dns.reversename.from_address(address)} PTR {server.name}")
    for group in OPERATOR_GROUPS:
        spare = layout.operator_spare_address(group)
        lines.append(
            f"{dns.reversename.from_address(spare)} PTR {layout.operator_host(group).name}"
        )
    return "\n".join(lines) + "\n"


def asn_zone_text(plan: BedPlan, serial: int) -> str:
    """Cymru-style prefix data: one private ASN and prefix per server group block."""
    layout = plan.layout
    host = layout.tld_hosts[0]
    lines = [
        f"$ORIGIN {ASN_LOOKUP_ZONE}",
        "$TTL 3600",
        f"@ SOA {host.name} hostmaster.nic.{layout.tlds[0]}. {serial} {SOA_TIMERS}",
        *[f"@ NS {tld_host.name}" for tld_host in layout.tld_hosts],
    ]
    blocks = sorted({int(server.address.split(".")[2]) for server in layout.all_hosts()})
    for third in blocks:
        asn = 64512 + third
        v4 = ipaddress.ip_network(f"127.{layout.net}.{third}.0/24")
        owner = ".".join(reversed(str(v4.network_address).split(".")[:3]))
        lines.append(f'*.{owner}.origin TXT "{asn} | {v4} | ZZ | lab | {plan.now.date()}"')
        if layout.ipv6:
            v6 = ipaddress.ip_network(f"{layout.address6(third, 0)}/64")
            nibbles = v6.network_address.exploded.replace(":", "")[:16]
            owner6 = ".".join(reversed(nibbles))
            lines.append(f'*.{owner6}.origin6 TXT "{asn} | {v6} | ZZ | lab | {plan.now.date()}"')
    return "\n".join(lines) + "\n"


def porttest_zone_text(plan: BedPlan, serial: int) -> str:
    """The apex data of the port-randomisation observer's zone."""
    observer = plan.layout.responder_host(OBSERVER_GROUP)
    origin = plan.layout.porttest_zone
    return (
        f"$ORIGIN {origin}\n$TTL 60\n"
        f"@ SOA {observer.name} hostmaster.{origin} {serial} {SOA_TIMERS}\n"
        f"@ NS {observer.name}\n"
    )


def sign_text(text: str, origin: str, keys: SigningKeys, window: tuple[datetime, datetime]) -> str:
    """Sign a zone's text with the build's KSK and ZSK (NSEC chain, RRSIGs over ``window``)."""
    zone = dns.zone.from_text(text, origin=origin, relativize=False)
    dns.dnssec.sign_zone(
        zone,
        keys=[keys.ksk, keys.zsk],
        inception=window[0],
        expiration=window[1],
        dnskey_ttl=3600,
    )
    return zone.to_text(relativize=False)


def ds_texts(origin: str, key: SigningKey) -> list[str]:
    """The SHA-256 DS rdata text of ``key`` at ``origin``."""
    return [dns.dnssec.make_ds(origin, key[1], "SHA256").to_text()]


# ---- writing ------------------------------------------------------------------------------------


class _Writer:
    """Writes zone files into per-group folders and remembers which group serves what."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.nsd: dict[str, list[NsdZone]] = {group: [] for group in NSD_GROUPS}
        self.responders: dict[str, list[str]] = {group: [] for group in RESPONDER_GROUPS}

    def zone_path(self, kind: str, group: str, origin: str) -> Path:
        folder = self.directory / kind / group / "zones"
        folder.mkdir(parents=True, exist_ok=True)
        filename = "root.zone" if origin == "." else f"{origin}zone"
        return folder / filename

    def add(self, group: str, origin: str, text: str, *, open_axfr: bool = False) -> None:
        if group in self.nsd:
            path = self.zone_path("nsd", group, origin)
            self.nsd[group].append(NsdZone(origin, path.name, open_axfr))
        else:
            path = self.zone_path("responders", group, origin)
            self.responders[group].append(str(path.relative_to(self.directory)))
        path.write_text(text)


def _write_children(plan: BedPlan, keys: SigningKeys, writer: _Writer) -> dict[str, list[str]]:
    """Write every copy of every child zone; return the DS texts the parents publish."""
    ds_records: dict[str, list[str]] = {}
    for zone in plan.zones:
        copies: dict[int, str] = {}
        for group, serial in zone.hosting.items():
            if serial not in copies:
                text = child_zone_text(zone, plan, serial)
                if zone.signed and zone.signature_window is not None:
                    text = sign_text(text, zone.name, keys, zone.signature_window)
                copies[serial] = text
            writer.add(group, zone.name, copies[serial], open_axfr=zone.open_axfr)
        if zone.signed:
            key = keys.foreign_ksk if zone.ds_from_foreign_key else keys.ksk
            ds_records[zone.name] = ds_texts(zone.name, key)
    return ds_records


def _write_parents(
    plan: BedPlan, keys: SigningKeys, writer: _Writer, child_ds: dict[str, list[str]]
) -> None:
    """Write the signed TLD zones, the observer's zone and the signed root zone."""
    window = (plan.now - timedelta(days=1), plan.now + timedelta(days=plan.signature_days))
    serial = int(plan.now.strftime("%Y%m%d")) * 100 + 1
    tld_ds: dict[str, list[str]] = {}
    for tld in plan.layout.tlds:
        text = tld_zone_text(tld, plan, serial, child_ds)
        writer.add(TLD_GROUP, f"{tld}.", sign_text(text, f"{tld}.", keys, window))
        tld_ds[f"{tld}."] = ds_texts(f"{tld}.", keys.ksk)
    writer.add(OBSERVER_GROUP, plan.layout.porttest_zone, porttest_zone_text(plan, serial))
    writer.add(TLD_GROUP, REVERSE_ZONE, reverse_zone_text(plan, serial))
    writer.add(TLD_GROUP, ASN_LOOKUP_ZONE, asn_zone_text(plan, serial))
    root = sign_text(root_zone_text(plan, serial, tld_ds), ".", keys, window)
    writer.add(ROOT_GROUP, ".", root)


def _write_configs(plan: BedPlan, writer: _Writer) -> dict[str, list[str]]:
    configs: dict[str, list[str]] = {}
    for group in NSD_GROUPS:
        folder = writer.directory / "nsd" / group
        folder.mkdir(parents=True, exist_ok=True)
        addresses = plan.layout.group_addresses(group)
        write_nsd_config(folder, addresses, plan.port, writer.nsd[group])
        configs[group] = addresses
    return configs


def write_bed(spec: BedSpec, directory: Path, now: datetime | None = None) -> Bed:
    """Plan, sign and write a bed into ``directory`` (emptied first); return it."""
    started = time.monotonic()
    now = now or datetime.now(UTC).replace(microsecond=0)
    plan = plan_bed(spec, now)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    keys = SigningKeys.generate(spec.algorithm)
    writer = _Writer(directory)
    child_ds = _write_children(plan, keys, writer)
    _write_parents(plan, keys, writer, child_ds)
    bed = Bed(
        directory=directory,
        spec=spec,
        built_at=now,
        root_hints=plan.layout.root_hints(),
        child_zones=[zone.name for zone in plan.zones],
        signed_zones=[zone.name for zone in plan.zones if zone.signed],
        faults=list(_injected(plan)),
        nsd_groups=_write_configs(plan, writer),
        responder_groups=writer.responders,
        generation_seconds=round(time.monotonic() - started, 3),
    )
    (directory / "bed.json").write_text(json.dumps(bed.to_json(), indent=1))
    manifest = [asdict(fault) for fault in bed.faults]
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return bed


def _injected(plan: BedPlan) -> Iterator[InjectedFault]:
    for zone in plan.zones:
        for name in zone.faults:
            fault = get_fault(name)
            yield InjectedFault(zone.name, name, fault.expected_tags, fault.emulated)


def load_bed(directory: Path) -> Bed:
    """Read a bed written by ``write_bed``; raise ``FileNotFoundError`` naming the file."""
    path = directory / "bed.json"
    if not path.is_file():
        raise FileNotFoundError(f"no test bed at {directory} ({path.name} is missing)")
    return Bed.from_json(directory, json.loads(path.read_text()))


def default_cache_dir(spec: BedSpec) -> Path:
    """Where ``build_bed`` caches a bed of ``spec``."""
    return Path(tempfile.gettempdir()) / "dnscert-testbed" / spec.cache_key()


def build_bed(spec: BedSpec, directory: Path | None = None, *, reuse: bool = True) -> Bed:
    """A bed for ``spec``: a recent cached one when ``reuse`` allows, otherwise a new one."""
    spec.validate()
    target = directory or default_cache_dir(spec)
    if reuse and (target / "bed.json").is_file():
        try:
            bed = load_bed(target)
        except (KeyError, TypeError, ValueError):
            bed = None
        if bed is not None and bed.spec == spec and _fresh(bed):
            return bed
    return write_bed(spec, target)


def _fresh(bed: Bed) -> bool:
    return datetime.now(UTC) - bed.built_at < CACHE_MAX_AGE
