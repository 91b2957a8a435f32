"""DELEGATION03 counts the referral's octets exactly as dnspython renders the message."""

from __future__ import annotations

import random

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from dnscert.dnshealth.engine.checks.delegation03 import (
    WireSize,
    longest_name_under,
    referral_size,
)
from dnscert.dnshealth.engine.context import NsIp


def rendered_size(zone: dns.name.Name, servers: list[NsIp], parent: dns.name.Name) -> int:
    """The referral built and rendered by dnspython (what ``referral_size`` must equal)."""
    message = dns.message.Message()
    message.question.append(
        dns.rrset.RRset(longest_name_under(zone), dns.rdataclass.IN, dns.rdatatype.A)
    )
    ns = dns.rrset.RRset(zone, dns.rdataclass.IN, dns.rdatatype.NS)
    for name in dict.fromkeys(server.name for server in servers):
        ns.add(dns.rdata.from_text("IN", "NS", name.to_text()), 86400)
    message.authority.append(ns)
    for rdtype, is_v6 in (("A", False), ("AAAA", True)):
        family = [s for s in servers if s.address is not None and s.is_ipv6 == is_v6]
        if family and all(s.name.is_subdomain(parent) for s in family):
            glue = dns.rrset.from_text(family[0].name, 86400, "IN", rdtype, family[0].address)
            message.additional.append(glue)
    return len(message.to_wire())


def ns(name: str, address: str | None) -> NsIp:
    return NsIp(dns.name.from_text(name), address)


CASES = [
    ("example.xa.", [ns("ns1.example.xa.", "192.0.2.1"), ns("ns2.example.xa.", "2001:db8::2")]),
    ("example.xa.", [ns("ns1.other.xb.", "192.0.2.1"), ns("NS2.Other.XB.", "192.0.2.2")]),
    ("example.xa.", [ns("ns.example.xa.", None), ns("ns.EXAMPLE.xa.", "192.0.2.9")]),
    (".", [ns("a.root-servers.net.", "198.41.0.4"), ns("b.root-servers.net.", "2001:db8::b")]),
    ("a.b.c.d.example.xa.", [ns(f"ns{i}.provider{i % 3}.xc.", f"192.0.2.{i}") for i in range(9)]),
]


@pytest.mark.parametrize(("zone", "servers"), CASES)
def test_it_counts_what_dnspython_renders(zone: str, servers: list[NsIp]) -> None:
    name = dns.name.from_text(zone)
    parent = name if name == dns.name.root else name.parent()
    for candidate in (parent, dns.name.from_text("xc."), dns.name.root):
        assert referral_size(name, servers, candidate) == rendered_size(name, servers, candidate)


def test_it_counts_random_delegations_like_dnspython() -> None:
    chooser = random.Random(7)
    words = ["ns", "dns", "a", "b", "provider", "example", "xa", "xb", "NS", "Example"]
    for _round in range(200):
        zone = dns.name.from_text(".".join(chooser.sample(words, chooser.randint(1, 3))) + ".")
        servers = []
        for index in range(chooser.randint(1, 8)):
            labels = chooser.sample(words, chooser.randint(1, 3))
            host = dns.name.from_text(".".join(labels) + ".")
            if chooser.random() < 0.5:
                host = dns.name.Name(host.labels[:-1] + zone.labels)
            address = chooser.choice([f"192.0.2.{index}", f"2001:db8::{index}", None])
            servers.append(NsIp(host, address))
        for parent in (zone.parent(), dns.name.root):
            assert referral_size(zone, servers, parent) == rendered_size(zone, servers, parent)


def test_a_pointer_is_only_kept_for_offsets_a_pointer_can_reach() -> None:
    size = WireSize()
    size.add(0x3FFF)  # the next name starts beyond what a pointer can address
    size.name(dns.name.from_text("far.example.xa."))
    written = size.octets
    size.name(dns.name.from_text("far.example.xa."))
    assert size.octets - written == 16  # written out again: no pointer to it exists
