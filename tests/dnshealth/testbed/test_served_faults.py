"""Each fault, seen on the wire: the served bed misbehaves exactly as the manifest says.

These ask the servers directly with dnspython, so they hold whichever engine checks exist.
"""

from __future__ import annotations

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.zone
import pytest

from dnscert.dnshealth.testbed.generator import Bed
from dnscert.dnshealth.testbed.plan import (
    EDNS_GROUP,
    OBSERVER_GROUP,
    RECURSIVE_GROUP,
    UDP_ONLY_GROUP,
)
from dnscert.dnshealth.testbed.responders import POOR_RESOLVER_PORT

pytestmark = pytest.mark.dnsbed


def zone_of(bed: Bed, fault: str) -> str:
    """The zone carrying ``fault``."""
    return next(item.zone for item in bed.faults if item.fault == fault)


def ask(bed: Bed, address: str, name: str, rdtype: str, **options: object) -> dns.message.Message:
    """One UDP query to ``address`` on the bed's port."""
    query = dns.message.make_query(name, rdtype, **options)  # type: ignore[arg-type]
    return dns.query.udp(query, address, port=bed.port, timeout=2)


def test_it_refuses_the_lame_delegation_at_the_extra_operator(served_bed: Bed) -> None:
    zone = zone_of(served_bed, "lame-delegation")
    referral = ask(served_bed, served_bed.layout.tld_hosts[0].address, zone, "NS")
    assert len(referral.authority[0]) == 3
    answers = {}
    for group in ("op1", "op2", "op3"):
        address = served_bed.layout.operator_host(group).address
        answers[group] = ask(served_bed, address, zone, "SOA").rcode()
    assert sorted(answers.values()) == [dns.rcode.NOERROR, dns.rcode.NOERROR, dns.rcode.REFUSED]


def test_it_serves_two_serials_for_the_drifting_zone(served_bed: Bed) -> None:
    zone = zone_of(served_bed, "serial-drift")
    serials = set()
    for group in ("op1", "op2", "op3"):
        response = ask(served_bed, served_bed.layout.operator_host(group).address, zone, "SOA")
        if response.rcode() == dns.rcode.NOERROR:
            serials.add(response.answer[0][0].serial)
    assert len(serials) == 2


def test_it_gives_the_open_axfr_zone_to_anyone(served_bed: Bed) -> None:
    zone = zone_of(served_bed, "open-axfr")
    healthy = served_bed.healthy_zones()[0]
    for group in ("op1", "op2", "op3"):
        address = served_bed.layout.operator_host(group).address
        try:
            transferred = dns.zone.from_xfr(dns.query.xfr(address, zone, port=served_bed.port))
        except dns.exception.FormError:
            continue  # this operator does not carry the zone
        assert transferred.get_rdataset("@", "SOA") is not None
        break
    else:
        pytest.fail("no operator gave the open-axfr zone")
    carriers = [
        served_bed.layout.operator_host(group).address
        for group in ("op1", "op2", "op3")
        if ask(served_bed, served_bed.layout.operator_host(group).address, healthy, "SOA").answer
    ]
    assert len(carriers) == 2
    for address in carriers:
        with pytest.raises(dns.exception.DNSException):
            dns.zone.from_xfr(dns.query.xfr(address, healthy, port=served_bed.port))


def test_it_answers_formerr_to_edns_at_the_pre_edns_server(served_bed: Bed) -> None:
    zone = zone_of(served_bed, "edns-formerr")
    address = served_bed.layout.responder_host(EDNS_GROUP).address
    plain = ask(served_bed, address, zone, "SOA")
    assert plain.rcode() == dns.rcode.NOERROR and plain.flags & dns.flags.AA
    with_edns = ask(served_bed, address, zone, "SOA", use_edns=0)
    assert with_edns.rcode() == dns.rcode.FORMERR and with_edns.edns < 0


def test_it_serves_the_tcp_refused_zone_over_udp_only(served_bed: Bed) -> None:
    zone = zone_of(served_bed, "tcp-refused")
    address = served_bed.layout.responder_host(UDP_ONLY_GROUP).address
    assert ask(served_bed, address, zone, "SOA").rcode() == dns.rcode.NOERROR
    query = dns.message.make_query(zone, "SOA")
    with pytest.raises(ConnectionRefusedError):
        dns.query.tcp(query, address, port=served_bed.port, timeout=2)


def test_it_recurses_for_outside_names_at_the_open_resolver(served_bed: Bed) -> None:
    address = served_bed.layout.responder_host(RECURSIVE_GROUP).address
    other = served_bed.healthy_zones()[0]
    response = ask(served_bed, address, f"www.{other}", "A")
    assert response.flags & dns.flags.RA and not response.flags & dns.flags.AA
    assert response.answer and response.answer[0][0].address.startswith("127.")
    nsd = ask(served_bed, served_bed.layout.operator_host("op1").address, f"www.{other}", "A")
    assert not nsd.flags & dns.flags.RA


def test_it_echoes_source_port_and_id_at_the_observer(served_bed: Bed) -> None:
    observer = served_bed.layout.responder_host(OBSERVER_GROUP).address
    name = f"direct.{served_bed.layout.porttest_zone}"
    query = dns.message.make_query(name, "TXT")
    response = dns.query.udp(query, observer, port=served_bed.port, timeout=2, source_port=47123)
    text = b"".join(response.answer[0][0].strings).decode()
    assert text == f"address=127.0.0.1 port=47123 id={query.id}"
    poor = served_bed.layout.responder_host("poor-recursive").address
    through = ask(served_bed, poor, f"via-poor.{served_bed.layout.porttest_zone}", "TXT")
    assert f"port={POOR_RESOLVER_PORT} " in b"".join(through.answer[0][0].strings).decode()
