"""DNSSEC10 (NSEC/NSEC3 presence and consistency) against loopback servers."""

from __future__ import annotations

from datetime import timedelta

import dns.message
import dns.rdatatype

from dnscert.dnshealth.engine.checks.dnssec10 import Dnssec10
from tests.dnshealth.dnssec import signer
from tests.dnshealth.dnssec.conftest import CHILD_IPS, Lab, drop, make_lab, run_check, serious, tags


def test_it_finds_nsec_on_a_healthy_nsec_zone(lab: Lab) -> None:
    messages = run_check(Dnssec10, lab)
    assert tags(messages) == {"DS10_HAS_NSEC"}
    assert "ns1.child.test/127.53.1.1" in messages[0].args["ns_list"]


def test_it_finds_nsec3_on_a_healthy_nsec3_zone() -> None:
    messages = run_check(Dnssec10, make_lab(nsec3=True))
    assert tags(messages) == {"DS10_HAS_NSEC3"}
    assert serious(messages) == []


def test_it_reports_an_expired_nsec_signature(lab: Lab) -> None:
    apex = lab.child.origin
    nsec = lab.child.get(apex, dns.rdatatype.NSEC)
    assert nsec is not None
    old = signer.sign(nsec, lab.child.zsk, apex, signer.NOW - timedelta(days=40),
                      signer.NOW - timedelta(days=10))  # fmt: skip
    lab.child.signatures[(apex, dns.rdatatype.NSEC)] = signer.rrsig_rrset(nsec, old)
    found = tags(run_check(Dnssec10, lab))
    assert {"DS10_NSEC_RRSIG_EXPIRED", "DS10_NSEC_NO_VERIFIED_SIGNATURE", "DS10_HAS_NSEC"} <= found


def test_it_reports_a_bad_nsec3_signature_and_type_list() -> None:
    lab = make_lab(nsec3=True)
    apex = lab.child.origin
    broken = signer.apex_nsec3(apex, types="NS SOA RRSIG DNSKEY")
    lab.child.rrsets = {k: v for k, v in lab.child.rrsets.items() if k[1] != dns.rdatatype.NSEC3}
    lab.child.add(broken)
    key = (broken.name, dns.rdatatype.NSEC3)
    sig = lab.child.signatures[key][0]
    lab.child.signatures[key] = signer.rrsig_rrset(broken, signer.bogus(sig))
    found = tags(run_check(Dnssec10, lab))
    assert {
        "DS10_NSEC3_ERR_TYPE_LIST",
        "DS10_NSEC3_RRSIG_VERIFY_ERROR",
        "DS10_NSEC3_NO_VERIFIED_SIGNATURE",
        "DS10_HAS_NSEC3",
    } <= found


def test_it_reports_servers_that_disagree_on_nsec_and_nsec3() -> None:
    lab = make_lab()
    other = make_lab(nsec3=True).child
    lab.give(CHILD_IPS[1], other)
    messages = run_check(Dnssec10, lab)
    assert "DS10_INCONSISTENT_NSEC_NSEC3" in tags(messages)
    assert "DS10_HAS_NSEC" not in tags(messages)


def test_it_reports_a_server_that_drops_the_nsec_query(lab: Lab) -> None:
    lab.hook(CHILD_IPS[0], drop("NSEC", CHILD_IPS[0]))
    found = tags(run_check(Dnssec10, lab))
    assert {"DS10_NSEC_QUERY_RESPONSE_ERR", "DS10_INCONSISTENT_NSEC", "DS10_HAS_NSEC"} <= found


def test_it_reports_an_unsigned_zone_and_stops(lab: Lab) -> None:
    apex = lab.child.origin
    del lab.child.rrsets[(apex, dns.rdatatype.DNSKEY)]
    assert tags(run_check(Dnssec10, lab)) == {"DS10_ZONE_NO_DNSSEC"}


def test_it_reports_both_nsec_and_nsec3_from_one_server(lab: Lab) -> None:
    def add_nsec3param(at: str, query: dns.message.Message, response: dns.message.Message):
        if query.question[0].rdtype == dns.rdatatype.NSEC3PARAM:
            response.authority = []
            response.answer.append(signer.rrset(lab.child.origin, "NSEC3PARAM", "1 0 0 -"))
        return response

    lab.hook(CHILD_IPS[0], add_nsec3param)
    assert "DS10_MIXED_NSEC_NSEC3" in tags(run_check(Dnssec10, lab))
