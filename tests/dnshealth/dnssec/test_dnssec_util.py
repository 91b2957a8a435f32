"""Unit tests of dnssec_util on keys and RRsets signed in the test itself."""

from __future__ import annotations

from datetime import timedelta

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

from dnscert.dnshealth.engine import dnssec_util as du
from tests.dnshealth.dnssec import signer
from tests.dnshealth.dnssec.signer import NOW

ZONE = dns.name.from_text("example.test.")


@pytest.fixture(scope="module")
def ksk() -> signer.Key:
    return signer.make_key(13, 257)


def _dnskey_rrset(*keys: signer.Key) -> dns.rrset.RRset:
    return signer.rrset(ZONE, "DNSKEY", *(key.dnskey.to_text() for key in keys))


def test_it_classifies_ds_digest_types_like_dnssec01() -> None:
    assert du.ds_digest_info(2).category == "OK"
    assert du.ds_digest_info(1).category == "DEPRECATED"
    assert du.ds_digest_info(0).category == "NOT_DS"
    assert du.ds_digest_info(7).category == "UNASSIGNED"
    assert du.ds_digest_info(255).category == "UNASSIGNED"
    assert du.ds_digest_info(200).category == "RESERVED"
    assert du.ds_digest_info(253).category == "PRIVATE"
    assert du.ds_digest_info(1).rfc8624_delegation is du.Rfc8624Status.MUST_NOT


def test_it_classifies_dnskey_algorithms_like_dnssec05() -> None:
    assert du.key_algorithm_info(13).category == "OK"
    assert du.key_algorithm_info(13).mnemonic == "ECDSAP256SHA256"
    assert du.key_algorithm_info(5).category == "DEPRECATED"
    assert du.key_algorithm_info(10).category == "NOT_RECOMMENDED"
    assert du.key_algorithm_info(0).category == "NOT_ZONE_SIGN"
    assert du.key_algorithm_info(252).category == "NOT_ZONE_SIGN"
    assert du.key_algorithm_info(4).category == "RESERVED"
    assert du.key_algorithm_info(200).category == "RESERVED"
    assert du.key_algorithm_info(18).category == "UNASSIGNED"
    assert du.key_algorithm_info(254).category == "PRIVATE"
    assert du.key_algorithm_info(8).rfc8624_signing is du.Rfc8624Status.MUST


def test_it_refuses_out_of_range_algorithm_numbers() -> None:
    with pytest.raises(ValueError, match="DNSKEY algorithm must be between 0 and 255, got 256"):
        du.key_algorithm_info(256)
    with pytest.raises(ValueError, match="DS digest type"):
        du.ds_digest_info(-1)


def test_it_matches_ds_to_its_dnskey_for_each_digest(ksk: signer.Key) -> None:
    for digest_type in (1, 2, 4):
        ds = du.make_ds(ksk.dnskey, ZONE, digest_type)
        assert du.ds_matches_dnskey(ds, ksk.dnskey, ZONE) is True
        assert du.ds_matches_dnskey(ds, ksk.dnskey, "other.test.") is False


def test_the_remembered_digest_ignores_the_owner_case_and_tells_keys_apart(
    ksk: signer.Key,
) -> None:
    ds = du.make_ds(ksk.dnskey, ZONE)
    upper = dns.name.from_text("EXAMPLE.Test.")
    for _ in range(2):  # the second time from the remembered digests
        assert du.ds_matches_dnskey(ds, ksk.dnskey, upper) is True
        assert du.ds_matches_dnskey(ds, ksk.dnskey, ZONE) is True
    flipped = ksk.dnskey.replace(flags=ksk.dnskey.flags ^ 1)  # same key bytes, other RDATA
    assert du.ds_matches_dnskey(ds, flipped, ZONE) is False
    assert du.key_tag(flipped) != du.key_tag(ksk.dnskey)


def test_it_rejects_a_ds_with_a_wrong_digest(ksk: signer.Key) -> None:
    ds = du.make_ds(ksk.dnskey, ZONE)
    wrong = ds.replace(digest=bytes(32))
    assert du.ds_matches_dnskey(wrong, ksk.dnskey, ZONE) is False
    other = signer.make_key(13, 257)
    assert du.ds_matches_dnskey(ds, other.dnskey, ZONE) is False


def test_it_cannot_judge_a_ds_with_an_unknown_digest(ksk: signer.Key) -> None:
    ds = du.make_ds(ksk.dnskey, ZONE).replace(digest_type=6)
    assert du.ds_matches_dnskey(ds, ksk.dnskey, ZONE) is None


def test_it_reads_key_flags_and_tag(ksk: signer.Key) -> None:
    zsk = signer.make_key(15, 256)
    assert du.is_sep_key(ksk.dnskey) and du.is_zone_key(ksk.dnskey)
    assert not du.is_sep_key(zsk.dnskey) and du.is_zone_key(zsk.dnskey)
    assert du.key_tag(ksk.dnskey) == ksk.tag
    assert du.keys_with_tag([ksk.dnskey, zsk.dnskey], zsk.tag) == [zsk.dnskey]


def test_it_validates_a_good_signature_at_the_pinned_time(ksk: signer.Key) -> None:
    keys = _dnskey_rrset(ksk)
    rrsig = signer.sign(keys, ksk, ZONE)
    assert du.check_rrsig(keys, rrsig, [ksk.dnskey], NOW) is du.SignatureStatus.VALID
    assert du.has_rrsig_by([rrsig], ksk.dnskey)


def test_it_reports_expired_and_not_yet_valid_signatures(ksk: signer.Key) -> None:
    keys = _dnskey_rrset(ksk)
    rrsig = signer.sign(keys, ksk, ZONE)
    later = NOW + timedelta(days=30)
    earlier = NOW - timedelta(days=30)
    assert du.check_rrsig(keys, rrsig, [ksk.dnskey], later) is du.SignatureStatus.EXPIRED
    assert du.check_rrsig(keys, rrsig, [ksk.dnskey], earlier) is du.SignatureStatus.NOT_YET_VALID
    assert du.rrsig_expiration(rrsig) == NOW + timedelta(days=20)
    assert du.rrsig_inception(rrsig) == NOW - timedelta(days=1)


def test_it_reports_a_signature_without_key_or_with_a_bad_value(ksk: signer.Key) -> None:
    keys = _dnskey_rrset(ksk)
    rrsig = signer.sign(keys, ksk, ZONE)
    other = signer.make_key(13, 256)
    assert du.check_rrsig(keys, rrsig, [other.dnskey], NOW) is du.SignatureStatus.NO_DNSKEY
    bad = signer.bogus(rrsig)
    assert du.check_rrsig(keys, bad, [ksk.dnskey], NOW) is du.SignatureStatus.INVALID
    assert not du.has_rrsig_by([bad], other.dnskey)


def test_it_flags_a_signature_by_an_unsupported_algorithm() -> None:
    key = signer.fake_key(253)
    keys = signer.rrset(ZONE, "DNSKEY", key.to_text())
    rrsig = dns.rdata.from_text(
        "IN",
        "RRSIG",
        f"DNSKEY 253 2 3600 20260620000000 20260501000000 {du.key_tag(key)} {ZONE} AAAA",
    )
    status = du.check_rrsig(keys, rrsig, [key], NOW)  # type: ignore[arg-type]
    assert status is du.SignatureStatus.ALGORITHM_NOT_SUPPORTED


def test_it_validates_rsa_signatures_and_measures_rsa_keys() -> None:
    key = signer.make_key(8, 257, rsa_bits=1024)
    keys = signer.rrset(ZONE, "DNSKEY", key.dnskey.to_text())
    rrsig = signer.sign(keys, key, ZONE)
    assert du.check_rrsig(keys, rrsig, [key.dnskey], NOW) is du.SignatureStatus.VALID
    assert du.rsa_modulus_bits(key.dnskey) == 1024
    assert du.is_rsa_algorithm(8) and not du.is_rsa_algorithm(13)


def test_it_refuses_to_measure_non_rsa_or_truncated_keys(ksk: signer.Key) -> None:
    with pytest.raises(ValueError, match="algorithm 13 is not an RSA algorithm"):
        du.rsa_modulus_bits(ksk.dnskey)
    with pytest.raises(ValueError, match="no modulus"):
        du.rsa_modulus_bits(signer.fake_key(8, key_bytes=b"\x03\x01\x00\x01"))


def test_it_checks_apex_nsec_type_lists() -> None:
    good = signer.rrset(ZONE, "NSEC", "ns1.example.test. NS SOA RRSIG NSEC DNSKEY")[0]
    missing = signer.rrset(ZONE, "NSEC", "ns1.example.test. NS SOA RRSIG NSEC")[0]
    extra = signer.rrset(ZONE, "NSEC", "ns1.example.test. NS SOA RRSIG NSEC DNSKEY NSEC3PARAM")[0]
    assert du.nsec_apex_type_list_ok(good)
    assert not du.nsec_apex_type_list_ok(missing)
    assert not du.nsec_apex_type_list_ok(extra)
    assert dns.rdatatype.DNSKEY in du.bitmap_types(good)


def test_it_checks_apex_nsec3_owner_and_type_list() -> None:
    record = signer.apex_nsec3(ZONE, "1 0 0 -")
    assert du.nsec3_owner_matches(record.name, record[0], ZONE)
    assert du.nsec3_apex_type_list_ok(record[0])
    other = signer.apex_nsec3(dns.name.from_text("other.test."), "1 0 0 -")
    assert not du.nsec3_owner_matches(other.name, record[0], ZONE)
    no_param = signer.apex_nsec3(ZONE, "1 0 0 -", types="NS SOA RRSIG DNSKEY")
    assert not du.nsec3_apex_type_list_ok(no_param[0])


def test_it_reads_nsec3_flags_and_rfc9276_parameters() -> None:
    assert du.nsec3_opt_out(1) and not du.nsec3_opt_out(0)
    assert du.nsec3_unassigned_flag_bits(0x81) == [0]
    assert du.nsec3_unassigned_flag_bits(0x03) == [6]
    good = signer.apex_nsec3(ZONE, "1 0 0 -")[0]
    assert du.Nsec3Parameters.of(good).rfc9276_findings() == []
    salted = signer.apex_nsec3(ZONE, "1 1 10 AABBCCDD")[0]
    params = du.Nsec3Parameters.of(salted)
    assert (params.iterations, params.salt_length, params.flags) == (10, 4, 1)
    assert len(params.rfc9276_findings()) == 3


def test_it_recognises_delete_cds_and_cdnskey() -> None:
    cds = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.CDS, "0 0 0 00")
    cdnskey = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.CDNSKEY, "0 3 0 AA==")
    assert du.is_delete_ds(cds)  # type: ignore[arg-type]
    assert du.is_delete_dnskey(cdnskey)  # type: ignore[arg-type]


def test_it_matches_a_cds_built_from_a_cdnskey(ksk: signer.Key) -> None:
    cdnskey = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.CDNSKEY, ksk.dnskey.to_text())
    ds = du.make_ds(cdnskey, ZONE)  # type: ignore[arg-type]
    assert du.ds_matches_dnskey(ds, ksk.dnskey, ZONE) is True


def test_it_parses_ds_records_dnspython_would_reject() -> None:
    digest = "F28391C1ED4DC0F151EDD251A3103DCE0B9A5A251ACF6E24073771D71F3C40F9"
    reserved = dns.rdata.from_text("IN", "DS", f"42581 13 0 {digest}")
    wrong_length = dns.rdata.from_text("IN", "DS", f"42581 8 1 {digest}")
    assert isinstance(reserved, du.MeasuredDS) and reserved.digest_type == 0
    assert len(wrong_length.digest) == 32  # type: ignore[attr-defined]
    wire = reserved.to_wire()
    parsed = dns.rdata.from_wire("IN", "DS", wire, 0, len(wire))
    assert parsed == reserved


def test_it_keeps_two_nsec_records_of_one_owner_when_parsing() -> None:
    query = dns.message.make_query("example.test.", "NSEC3PARAM")
    response = dns.message.make_response(query)
    response.authority.append(
        signer.rrset(ZONE, "NSEC", "a.example.test. NS SOA", "b.example.test. NS SOA")
    )
    parsed = dns.message.from_wire(response.to_wire())
    assert len(parsed.authority[0]) == 2
