"""Reading root hints files and name server specifications given by users.

A hints file is a standard root hints file (IANA ``named.root``, Zonemaster's
``COMMON/hintfile``): NS records at the root and A/AAAA records for their names.
A name server specification is ``name`` or ``name/address`` (Zonemaster's undelegated form).
"""

from __future__ import annotations

from pathlib import Path

import dns.exception
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.zone

from dnscert.dnshealth.engine.query import normalise_address


class HintsError(ValueError):
    """A hints file or name server specification cannot be used; the text says why."""


def parse_hints(text: str, source: str = "hints") -> list[tuple[str, list[str]]]:
    """Root servers from hints text: [(name, [addresses])] in file order."""
    try:
        zone = dns.zone.from_text(text, origin=dns.name.root, relativize=False, check_origin=False)
    except dns.exception.DNSException as exc:
        raise HintsError(f"{source}: not a root hints file: {exc}") from None
    apex = zone.get_node(dns.name.root)
    ns = apex.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS) if apex is not None else None
    if ns is None:
        raise HintsError(f"{source}: no NS records for the root zone '.'")
    hints: list[tuple[str, list[str]]] = []
    for rdata in ns:
        addresses = [
            rdata_address.address
            for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)
            for rdata_address in (zone.get_rdataset(rdata.target, rdtype) or [])
        ]
        if addresses:
            hints.append((rdata.target.to_text(), addresses))
    if not hints:
        raise HintsError(f"{source}: no root server has an A or AAAA record")
    return hints


def read_hints(path: str | Path) -> list[tuple[str, list[str]]]:
    """Root servers from a hints file; ``HintsError`` names the file and the problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise HintsError(f"{file}: cannot read hints file: {exc.strerror}") from None
    return parse_hints(text, str(file))


def parse_ns_specs(specs: list[str]) -> dict[str, list[str]]:
    """``["ns1.x/192.0.2.1", "ns1.x/2001:db8::1", "ns2.y"]`` -> {name: [addresses]}."""
    servers: dict[str, list[str]] = {}
    for spec in specs:
        name, _, address = spec.strip().partition("/")
        if not name:
            raise HintsError(f"name server specification {spec!r} has no name")
        try:
            key = dns.name.from_text(name).to_text()
        except dns.exception.DNSException as exc:
            raise HintsError(f"name server specification {spec!r}: bad name: {exc}") from None
        addresses = servers.setdefault(key, [])
        if address:
            try:
                addresses.append(normalise_address(address))
            except ValueError as exc:
                raise HintsError(f"name server specification {spec!r}: {exc}") from None
    return servers
