"""DNSSEC13 (algorithms sign the zone), 14 (RSA key sizes), 15 (CDS/CDNSKEY), 17 (CDNSKEY)."""

from __future__ import annotations

import dns.rdatatype

from dnscert.dnshealth.engine.checks.dnssec13 import Dnssec13
from dnscert.dnshealth.engine.checks.dnssec14 import Dnssec14
from dnscert.dnshealth.engine.checks.dnssec15 import Dnssec15
from dnscert.dnshealth.engine.checks.dnssec17 import Dnssec17
from tests.dnshealth.dnssec import signer
from tests.dnshealth.dnssec.conftest import CHILD_IPS, Lab, make_lab, run_check, serious, tags


def _add_dnskeys(lab: Lab, *extra: str) -> None:
    zone = lab.child
    keys = zone.get(zone.origin, dns.rdatatype.DNSKEY)
    assert keys is not None
    zone.add(signer.rrset(zone.origin, "DNSKEY", *(k.to_text() for k in keys), *extra), zone.ksk)


def _publish(lab: Lab, rdtype: str, *texts: str, keys: tuple[signer.Key, ...] = ()) -> None:
    zone = lab.child
    zone.add(signer.rrset(zone.origin, rdtype, *texts), *(keys or (zone.ksk,)))


def test_it_finds_every_algorithm_signing_the_zone(lab: Lab) -> None:
    assert run_check(Dnssec13, lab) == []


def test_it_reports_an_algorithm_that_signs_nothing(lab: Lab) -> None:
    ecdsa = signer.make_key(13, 256)
    _add_dnskeys(lab, ecdsa.dnskey.to_text())
    messages = run_check(Dnssec13, lab)
    assert tags(messages) == {
        "DS13_ALGO_NOT_SIGNED_DNSKEY",
        "DS13_ALGO_NOT_SIGNED_SOA",
        "DS13_ALGO_NOT_SIGNED_NS",
    }
    assert {m.args["algo_mnemo"] for m in messages} == {"ECDSAP256SHA256"}


def test_it_accepts_a_2048_bit_rsa_zone_and_ignores_other_algorithms() -> None:
    messages = run_check(Dnssec14, make_lab(algorithm=8))
    assert tags(messages) == {"KEY_SIZE_OK"}
    assert tags(run_check(Dnssec14, make_lab())) == {"KEY_SIZE_OK"}


def test_it_reports_small_and_too_small_rsa_keys(lab: Lab) -> None:
    small = signer.make_key(8, 256, rsa_bits=1024)
    tiny = signer.fake_key(8, key_bytes=b"\x03\x01\x00\x01" + b"\xff" * 32)
    _add_dnskeys(lab, small.dnskey.to_text(), tiny.to_text())
    messages = run_check(Dnssec14, lab)
    found = {m.tag: m.args for m in messages}
    assert found["DNSKEY_SMALLER_THAN_REC"]["keysize"] == 1024
    assert found["DNSKEY_TOO_SMALL_FOR_ALGO"]["keysize"] == 256
    assert "KEY_SIZE_OK" not in found


def test_it_says_nothing_about_key_sizes_of_an_unsigned_zone(lab: Lab) -> None:
    del lab.child.rrsets[(lab.child.origin, dns.rdatatype.DNSKEY)]
    assert run_check(Dnssec14, lab) == []


def test_it_notes_a_zone_without_cds_or_cdnskey(lab: Lab) -> None:
    assert tags(run_check(Dnssec15, lab)) == {"DS15_NO_CDS_CDNSKEY"}


def test_it_accepts_matching_cds_and_cdnskey(lab: Lab) -> None:
    _publish(lab, "CDS", lab.child.ds().to_text())
    _publish(lab, "CDNSKEY", lab.child.ksk.dnskey.to_text())
    messages = run_check(Dnssec15, lab)
    assert tags(messages) == {"DS15_HAS_CDS_AND_CDNSKEY"}


def test_it_reports_mismatching_and_inconsistent_cds(lab: Lab) -> None:
    _publish(lab, "CDS", lab.child.ds().to_text())
    _publish(lab, "CDNSKEY", lab.child.zsk.dnskey.to_text())
    other = make_lab().child
    lab.give(CHILD_IPS[1], other)
    found = tags(run_check(Dnssec15, lab))
    assert {"DS15_MISMATCH_CDS_CDNSKEY", "DS15_INCONSISTENT_CDS"} <= found
    assert "DS15_INCONSISTENT_CDNSKEY" in found


def test_it_notes_cds_without_cdnskey(lab: Lab) -> None:
    _publish(lab, "CDS", lab.child.ds().to_text())
    assert tags(run_check(Dnssec15, lab)) == {"DS15_HAS_CDS_NO_CDNSKEY"}


def test_it_accepts_a_cdnskey_for_the_signing_ksk(lab: Lab) -> None:
    _publish(lab, "CDNSKEY", lab.child.ksk.dnskey.to_text())
    assert serious(run_check(Dnssec17, lab)) == []
    assert run_check(Dnssec17, make_lab()) == []


def test_it_reports_a_cdnskey_for_an_unknown_non_sep_key(lab: Lab) -> None:
    stranger = signer.make_key(15, 256)
    _publish(lab, "CDNSKEY", stranger.dnskey.to_text())
    found = tags(run_check(Dnssec17, lab))
    assert found == {"DS17_CDNSKEY_IS_NON_SEP", "DS17_CDNSKEY_MATCHES_NO_DNSKEY"}


def test_it_reports_unsigned_and_delete_cdnskey(lab: Lab) -> None:
    _publish(lab, "CDNSKEY", "0 3 0 AA==")
    del lab.child.signatures[(lab.child.origin, dns.rdatatype.CDNSKEY)]
    assert tags(run_check(Dnssec17, lab)) == {"DS17_DELETE_CDNSKEY", "DS17_CDNSKEY_UNSIGNED"}


def test_it_reports_a_cdnskey_whose_key_signs_nothing(lab: Lab) -> None:
    _publish(lab, "CDNSKEY", lab.child.zsk.dnskey.to_text(), keys=(lab.child.ksk,))
    found = tags(run_check(Dnssec17, lab))
    assert {
        "DS17_DNSKEY_NOT_SIGNED_BY_CDNSKEY",
        "DS17_CDNSKEY_NOT_SIGNED_BY_CDNSKEY",
        "DS17_CDNSKEY_IS_NON_SEP",
    } == found
