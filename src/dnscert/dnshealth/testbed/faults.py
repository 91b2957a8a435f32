"""The fault catalogue: each fault mutates one zone's plan and names the tags it must produce.

A fault is a function over a ``ZonePlan`` (and the bed it lives in) plus the engine message
tags that a correct checker emits for that zone. ``emulated`` says honestly when the fault is
served by a Python responder (``responders.py``) rather than by NSD, because NSD cannot
misbehave that way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from dnscert.dnshealth.testbed.plan import (
    EDNS_GROUP,
    OPERATOR_GROUPS,
    RECURSIVE_GROUP,
    UDP_ONLY_GROUP,
    BedPlan,
    NsEntry,
    ZonePlan,
)

#: Days before expiry of the "soon-expiring" signatures (inside DNSCERT01's default 7 days).
SOON_EXPIRY_DAYS = 3

#: Tags every zone of the bed gets because its servers live on loopback (127/8, ULA IPv6):
#: ADDRESS01 rightly calls such addresses not globally reachable. They are an artefact of the
#: lab, not a fault, so false-alarm counts leave them out (the engine has no lab allow-list).
LAB_ARTEFACT_TAGS = frozenset({"A01_LOCAL_USE_ADDR", "A01_NO_GLOBALLY_REACHABLE_ADDR"})

#: Zonemaster's DNSSEC07 warns, by design, that a zone is not signed. The bed leaves most
#: zones unsigned on purpose (as most real zones are), so on those zones these tags describe
#: the bed's intent, not a fault (the tests check they appear on exactly the unsigned zones).
UNSIGNED_ZONE_TAGS = frozenset({"DS07_NOT_SIGNED", "DS07_NOT_SIGNED_ON_SERVER"})

FaultFunction = Callable[[ZonePlan, BedPlan], None]


@dataclass(frozen=True)
class Fault:
    """One kind of fault: how to inject it and which tags reveal it."""

    name: str
    description: str
    expected_tags: tuple[str, ...]
    inject: FaultFunction
    emulated: str = ""


def _hosting_groups(zone: ZonePlan) -> list[str]:
    return list(zone.hosting)


def _lame_delegation(zone: ZonePlan, plan: BedPlan) -> None:
    """Add a nameserver at an operator that does not carry the zone (it answers REFUSED)."""
    spare = next(group for group in OPERATOR_GROUPS if group not in zone.hosting)
    zone.nameservers.append(NsEntry(plan.layout.operator_host(spare).name))


def _glue_mismatch(zone: ZonePlan, plan: BedPlan) -> None:
    """Use in-bailiwick names; the parent's glue for ns1 differs from the child's A record."""
    first, second = _hosting_groups(zone)[:2]
    glued = in_bailiwick_nameservers(zone, plan, first, second)
    glued[0].parent_glue[0] = plan.layout.operator_spare_address(first)
    zone.nameservers = glued


def in_bailiwick_nameservers(
    zone: ZonePlan, plan: BedPlan, first: str, second: str
) -> list[NsEntry]:
    """Nameservers ``ns1``/``ns2`` named inside the zone, with matching glue, on two groups."""
    one = plan.layout.operator_host(first).addresses
    two = plan.layout.operator_host(second).addresses
    return [
        NsEntry(f"ns1.{zone.name}", list(one), list(one)),
        NsEntry(f"ns2.{zone.name}", list(two), list(two)),
    ]


def _serial_drift(zone: ZonePlan, plan: BedPlan) -> None:
    """One nameserver keeps serving an older version of the zone (lower SOA serial)."""
    lagging = _hosting_groups(zone)[-1]
    zone.hosting[lagging] = zone.serial - 3


def _sign(zone: ZonePlan, plan: BedPlan, start_days: int, end_days: int) -> None:
    zone.signed = True
    zone.signature_window = (
        plan.now + timedelta(days=start_days),
        plan.now + timedelta(days=end_days),
    )


def _expired_rrsig(zone: ZonePlan, plan: BedPlan) -> None:
    """Sign the zone with signatures that expired two days ago."""
    _sign(zone, plan, -32, -2)


def _expiring_rrsig(zone: ZonePlan, plan: BedPlan) -> None:
    """Sign the zone with signatures that expire in a few days (valid today)."""
    _sign(zone, plan, -27, SOON_EXPIRY_DAYS)


def _ds_without_dnskey(zone: ZonePlan, plan: BedPlan) -> None:
    """Sign the zone correctly, but publish in the parent the DS of a key it does not have."""
    _sign(zone, plan, -1, plan.signature_days)
    zone.ds_from_foreign_key = True


def _open_axfr(zone: ZonePlan, plan: BedPlan) -> None:
    """NSD gives the whole zone to anyone (``provide-xfr: 0.0.0.0/0 NOKEY``)."""
    zone.open_axfr = True


def _replace_second_nameserver(zone: ZonePlan, plan: BedPlan, group: str) -> None:
    """Move the zone's second nameserver to a responder group serving the same data."""
    kept = _hosting_groups(zone)[0]
    zone.hosting = {kept: zone.hosting[kept], group: zone.serial}
    zone.nameservers = [
        NsEntry(plan.layout.operator_host(kept).name),
        NsEntry(plan.layout.responder_host(group).name),
    ]
    zone.signed = False
    zone.signature_window = None


def _recursion_offered(zone: ZonePlan, plan: BedPlan) -> None:
    """One nameserver is also an open recursive resolver."""
    _replace_second_nameserver(zone, plan, RECURSIVE_GROUP)


def _edns_formerr(zone: ZonePlan, plan: BedPlan) -> None:
    """One nameserver answers FORMERR to every query with EDNS (a pre-EDNS server)."""
    _replace_second_nameserver(zone, plan, EDNS_GROUP)


def _tcp_refused(zone: ZonePlan, plan: BedPlan) -> None:
    """One nameserver serves UDP only: TCP connections to it are refused."""
    _replace_second_nameserver(zone, plan, UDP_ONLY_GROUP)


CATALOGUE: dict[str, Fault] = {
    fault.name: fault
    for fault in (
        Fault(
            "lame-delegation",
            "a delegated nameserver does not serve the zone and answers REFUSED",
            ("IS_NOT_AUTHORITATIVE", "CHILD_NS_FAILED"),
            _lame_delegation,
        ),
        Fault(
            "glue-mismatch",
            "the parent's glue address of ns1 differs from the child's A record",
            ("IN_BAILIWICK_ADDR_MISMATCH",),
            _glue_mismatch,
        ),
        Fault(
            "serial-drift",
            "one nameserver serves an older SOA serial",
            ("MULTIPLE_SOA_SERIALS",),
            _serial_drift,
        ),
        Fault(
            "expired-rrsig",
            "every signature of the zone expired two days ago",
            ("DC01_RRSIG_EXPIRED",),
            _expired_rrsig,
        ),
        Fault(
            "expiring-rrsig",
            f"every signature of the zone expires within {SOON_EXPIRY_DAYS} days",
            ("DC01_RRSIG_EXPIRES_SOON",),
            _expiring_rrsig,
        ),
        Fault(
            "ds-without-dnskey",
            "the parent's DS matches no DNSKEY of the zone",
            ("DS02_NO_DNSKEY_FOR_DS",),
            _ds_without_dnskey,
        ),
        Fault(
            "open-axfr",
            "every nameserver allows zone transfer (AXFR) to anyone",
            ("AXFR_AVAILABLE",),
            _open_axfr,
        ),
        Fault(
            "recursion-offered",
            "one nameserver answers recursive queries for names outside its zones",
            ("IS_A_RECURSOR", "DC02_OPEN_RECURSION"),
            _recursion_offered,
            emulated="NSD cannot recurse: a Python responder serves the zone and resolves "
            "other names iteratively through the test bed's own root",
        ),
        Fault(
            "edns-formerr",
            "one nameserver answers FORMERR to queries carrying EDNS",
            ("NO_EDNS_SUPPORT",),
            _edns_formerr,
            emulated="NSD implements EDNS correctly: a Python responder plays a pre-EDNS server",
        ),
        Fault(
            "tcp-refused",
            "one nameserver does not serve DNS over TCP",
            ("CN02_NO_RESPONSE_TCP",),
            _tcp_refused,
            emulated="NSD cannot disable TCP per address: a UDP-only Python responder",
        ),
    )
}


def get_fault(name: str) -> Fault:
    """The fault named ``name``; raise ``KeyError`` listing the known names."""
    try:
        return CATALOGUE[name]
    except KeyError:
        known = ", ".join(CATALOGUE)
        raise KeyError(f"unknown fault {name!r}; known faults: {known}") from None
