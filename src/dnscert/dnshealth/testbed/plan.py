"""The test bed's plan: who serves what, before anything is written to disk.

A plan is plain data that fault functions mutate (``faults.py``) and the generator renders into
zone files, NSD configurations and responder settings (``generator.py``). Addresses live in
``127.<net>.0.0/16``: every address of that block is bindable on Linux loopback, so one machine
hosts the whole hierarchy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: IPv6 twins of the 127/8 addresses live in this ULA prefix, added to ``lo`` while serving.
IPV6_PREFIX = "fd53:dce7"

#: The prefix database CONNECTIVITY04 asks (Cymru-style TXT), served by the bed for its own
#: addresses: each server group's /24 (and IPv6 /64) is announced by its own private ASN.
ASN_LOOKUP_ZONE = "asnlookup.zonemaster.net."
#: Reverse data for the bed's addresses lives in this zone (served with the TLDs).
REVERSE_ZONE = "arpa."

#: Server groups run by NSD (one process each) and by the Python fault responders.
ROOT_GROUP = "root"
TLD_GROUP = "tld"
OPERATOR_GROUPS = ("op1", "op2", "op3")
NSD_GROUPS = (ROOT_GROUP, TLD_GROUP, *OPERATOR_GROUPS)

#: Responder groups (``responders.py``): name -> behaviour.
RECURSIVE_GROUP = "recursive"  # authoritative for its zones, and an open recursive resolver
POOR_RECURSIVE_GROUP = "poor-recursive"  # open resolver that always uses one source port
EDNS_GROUP = "edns-formerr"  # answers FORMERR to every query that carries EDNS
UDP_ONLY_GROUP = "udp-only"  # serves UDP only: TCP connections are refused
OBSERVER_GROUP = "porttest-observer"  # echoes the source port and id of each query it gets
RESPONDER_GROUPS = (
    RECURSIVE_GROUP,
    POOR_RECURSIVE_GROUP,
    EDNS_GROUP,
    UDP_ONLY_GROUP,
    OBSERVER_GROUP,
)


@dataclass(frozen=True)
class Host:
    """A nameserver host: its name, its addresses and the server group listening there."""

    name: str
    address: str
    group: str
    address6: str = ""

    @property
    def addresses(self) -> list[str]:
        """The IPv4 address, then the IPv6 one when the bed is dual-stack."""
        return [self.address, self.address6] if self.address6 else [self.address]


@dataclass(frozen=True)
class Layout:
    """The fixed infrastructure of one bed: root, TLD, operator and responder hosts."""

    net: int
    tlds: tuple[str, ...]
    ipv6: bool = True

    def address(self, third: int, fourth: int) -> str:
        """An address of this bed's block ``127.<net>.<third>.<fourth>``."""
        return f"127.{self.net}.{third}.{fourth}"

    def address6(self, third: int, fourth: int) -> str:
        """The IPv6 twin of ``address`` (``fd53:dce7:<net>:<third>::<fourth>``), or ""."""
        return f"{IPV6_PREFIX}:{self.net}:{third}::{fourth}" if self.ipv6 else ""

    def host(self, name: str, third: int, fourth: int, group: str) -> Host:
        """A host at ``127.<net>.<third>.<fourth>`` (and its IPv6 twin)."""
        return Host(name, self.address(third, fourth), group, self.address6(third, fourth))

    @property
    def root_hosts(self) -> list[Host]:
        """The root servers (names in the first two TLDs, glue in the root zone)."""
        first, second = self.tlds[0], self.tlds[1 % len(self.tlds)]
        return [
            self.host(f"a.root-servers.{first}.", 0, 1, ROOT_GROUP),
            self.host(f"b.root-servers.{second}.", 0, 2, ROOT_GROUP),
        ]

    @property
    def tld_hosts(self) -> list[Host]:
        """The servers of every TLD zone (and of the reverse zone)."""
        first, second = self.tlds[0], self.tlds[1 % len(self.tlds)]
        return [
            self.host(f"a.nic.{first}.", 1, 1, TLD_GROUP),
            self.host(f"b.nic.{second}.", 1, 2, TLD_GROUP),
        ]

    def operator_host(self, group: str) -> Host:
        """The public nameserver host of one DNS operator (``op1``..``op3``)."""
        index = OPERATOR_GROUPS.index(group)
        names = ("alpha-dns", "beta-dns", "gamma-dns")
        tld = self.tlds[index % len(self.tlds)]
        return self.host(f"ns{index + 1}.{names[index]}.{tld}.", 11 + index, 1, group)

    def operator_spare_address(self, group: str) -> str:
        """A second IPv4 address of an operator (the wrong glue of the glue-mismatch fault)."""
        return self.address(11 + OPERATOR_GROUPS.index(group), 2)

    def responder_host(self, group: str) -> Host:
        """The host of one fault responder."""
        index = RESPONDER_GROUPS.index(group)
        names = ("delta-dns", "epsilon-dns", "zeta-dns", "eta-dns", "omega-dns")
        tld = self.tlds[-1]
        return self.host(f"ns.{names[index]}.{tld}.", 21 + index, 1, group)

    def all_hosts(self) -> list[Host]:
        """Every host of the infrastructure."""
        operators = [self.operator_host(group) for group in OPERATOR_GROUPS]
        responders = [self.responder_host(group) for group in RESPONDER_GROUPS]
        return [*self.root_hosts, *self.tld_hosts, *operators, *responders]

    def group_addresses(self, group: str) -> list[str]:
        """The addresses one server group listens on."""
        addresses = [a for host in self.all_hosts() if host.group == group for a in host.addresses]
        if group in OPERATOR_GROUPS:
            addresses.append(self.operator_spare_address(group))
        return addresses

    def root_hints(self) -> list[tuple[str, list[str]]]:
        """Root hints in ``EngineConfig.root_hints`` form."""
        return [(host.name, host.addresses) for host in self.root_hosts]

    @property
    def porttest_zone(self) -> str:
        """The zone of the port-randomisation observer, delegated from the last TLD."""
        return f"porttest.{self.tlds[-1]}."

    def filler_address(self, fourth: int) -> str:
        """An address for www/mail records: nothing listens there, nothing queries it."""
        return self.address(250, fourth)


@dataclass
class NsEntry:
    """One nameserver of a child zone: its name and, when in-bailiwick, its addresses.

    ``parent_glue`` is what the TLD publishes as glue; ``child_addresses`` is what the child
    zone itself says (they differ only when a fault makes them differ). Out-of-bailiwick names
    carry no addresses here: their A records live in the operator's TLD zone.
    """

    name: str
    parent_glue: list[str] = field(default_factory=list)
    child_addresses: list[str] = field(default_factory=list)


@dataclass
class ZonePlan:
    """Everything about one child zone: delegation, hosting, signing and injected faults.

    ``hosting`` maps each server group that carries the zone to the SOA serial that group
    serves (a fault may make one copy older). ``signature_window`` is (inception, expiration)
    of every RRSIG when the zone is signed. ``ds_from_foreign_key`` publishes in the parent a
    DS of a key the zone does not have.
    """

    name: str
    tld: str
    serial: int
    nameservers: list[NsEntry]
    hosting: dict[str, int]
    signed: bool = False
    signature_window: tuple[datetime, datetime] | None = None
    ds_from_foreign_key: bool = False
    open_axfr: bool = False
    faults: list[str] = field(default_factory=list)

    @property
    def is_faulty(self) -> bool:
        """True when at least one fault was injected into this zone."""
        return bool(self.faults)


@dataclass
class BedPlan:
    """The whole hierarchy: layout, child zones and when signatures are counted from."""

    layout: Layout
    zones: list[ZonePlan]
    now: datetime
    signature_days: int = 30
    port: int = 53

    def zone(self, name: str) -> ZonePlan:
        """The plan of the child zone ``name``; raise ``KeyError`` naming it."""
        for plan in self.zones:
            if plan.name == name:
                return plan
        raise KeyError(f"no child zone {name!r} in this bed")
