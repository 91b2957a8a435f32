"""DNSSEC04 (RRSIG lifetimes), DNSSEC08 (DNSKEY signed) and DNSSEC09 (SOA signed)."""

from __future__ import annotations

from datetime import timedelta

import dns.rdatatype

from dnscert.dnshealth.engine.checks.dnssec04 import Dnssec04
from dnscert.dnshealth.engine.checks.dnssec08 import Dnssec08
from dnscert.dnshealth.engine.checks.dnssec09 import Dnssec09
from tests.dnshealth.dnssec import signer
from tests.dnshealth.dnssec.conftest import CHILD_IPS, Lab, run_check, serious, tags
from tests.dnshealth.dnssec.signer import NOW


def _resign(lab: Lab, rdtype: int, key: signer.Key, start: timedelta, end: timedelta) -> None:
    zone = lab.child
    records = zone.get(zone.origin, rdtype)
    assert records is not None
    rrsig = signer.sign(records, key, zone.origin, NOW + start, NOW + end)
    zone.signatures[(zone.origin, rdtype)] = signer.rrsig_rrset(records, rrsig)


def test_it_finds_healthy_lifetimes_fine(lab: Lab) -> None:
    messages = run_check(Dnssec04, lab)
    assert tags(messages) == {"RRSIG_EXPIRATION", "DURATION_OK"}
    assert {m.args["types"] for m in messages} == {"DNSKEY", "SOA"}


def test_it_reports_expired_short_and_long_lifetimes(lab: Lab) -> None:
    _resign(lab, dns.rdatatype.DNSKEY, lab.child.ksk, timedelta(days=-10), timedelta(hours=2))
    _resign(lab, dns.rdatatype.SOA, lab.child.zsk, timedelta(days=-1), timedelta(days=400))
    messages = run_check(Dnssec04, lab)
    found = {m.tag: m.args for m in messages}
    assert found["REMAINING_SHORT"]["types"] == "DNSKEY"
    assert found["REMAINING_LONG"]["types"] == "SOA"
    assert found["DURATION_LONG"]["duration"] == 401 * 86400
    _resign(lab, dns.rdatatype.SOA, lab.child.zsk, timedelta(days=-10), timedelta(days=-1))
    assert "RRSIG_EXPIRED" in tags(run_check(Dnssec04, lab))


def test_it_accepts_a_validly_signed_dnskey_and_soa(lab: Lab) -> None:
    assert run_check(Dnssec08, lab) == []
    assert run_check(Dnssec09, lab) == []


def test_it_reports_an_expired_dnskey_signature(lab: Lab) -> None:
    _resign(lab, dns.rdatatype.DNSKEY, lab.child.ksk, timedelta(days=-30), timedelta(days=-2))
    messages = run_check(Dnssec08, lab)
    assert tags(messages) == {"DS08_DNSKEY_RRSIG_EXPIRED"}
    assert messages[0].args == {"ns_ip_list": ";".join(CHILD_IPS), "keytag": lab.child.ksk.tag}


def test_it_reports_a_dnskey_signature_by_an_unknown_key(lab: Lab) -> None:
    stranger = signer.make_key(15, 257)
    _resign(lab, dns.rdatatype.DNSKEY, stranger, timedelta(days=-1), timedelta(days=10))
    assert tags(run_check(Dnssec08, lab)) == {"DS08_NO_MATCHING_DNSKEY"}


def test_it_reports_an_unsigned_dnskey_rrset(lab: Lab) -> None:
    del lab.child.signatures[(lab.child.origin, dns.rdatatype.DNSKEY)]
    assert tags(run_check(Dnssec08, lab)) == {"DS08_MISSING_RRSIG_IN_RESPONSE"}


def test_it_reports_soa_signatures_not_yet_valid_or_broken(lab: Lab) -> None:
    _resign(lab, dns.rdatatype.SOA, lab.child.zsk, timedelta(days=2), timedelta(days=10))
    assert tags(run_check(Dnssec09, lab)) == {"DS09_SOA_RRSIG_NOT_YET_VALID"}
    zone = lab.child
    soa = zone.get(zone.origin, dns.rdatatype.SOA)
    assert soa is not None
    bad = signer.bogus(signer.sign(soa, zone.zsk, zone.origin))
    zone.signatures[(zone.origin, dns.rdatatype.SOA)] = signer.rrsig_rrset(soa, bad)
    messages = run_check(Dnssec09, lab)
    assert tags(messages) == {"DS09_RRSIG_NOT_VALID_BY_DNSKEY"}
    assert serious(messages) == messages


def test_it_notes_a_signature_algorithm_it_cannot_verify(lab: Lab) -> None:
    zone = lab.child
    soa = zone.get(zone.origin, dns.rdatatype.SOA)
    assert soa is not None
    rrsig = signer.sign(soa, zone.zsk, zone.origin).replace(algorithm=253, key_tag=1)
    zone.signatures[(zone.origin, dns.rdatatype.SOA)] = signer.rrsig_rrset(soa, rrsig)
    messages = run_check(Dnssec09, lab)
    assert tags(messages) == {"DS09_ALGO_NOT_SUPPORTED_BY_ZM"}
    assert messages[0].args["algo_mnemo"] == "PRIVATEDNS"
