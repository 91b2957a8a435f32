"""DNSSEC01 (DS digest types) and DNSSEC02 (DS matches a signing DNSKEY) on loopback servers."""

from __future__ import annotations

import dns.rdatatype

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec01 import Dnssec01
from dnscert.dnshealth.engine.checks.dnssec02 import Dnssec02
from tests.dnshealth.dnssec import signer
from tests.dnshealth.dnssec.conftest import TLD_IP, Lab, make_lab, run_check, serious, tags


def test_it_accepts_a_sha256_ds(lab: Lab) -> None:
    messages = run_check(Dnssec01, lab)
    assert tags(messages) == {"DS01_DS_ALGO_OK"}
    assert messages[0].args["ds_algo_descr"] == "SHA-256"
    assert messages[0].args["ns_list"] == f"ns.test/{TLD_IP}"


def test_it_reports_deprecated_and_private_digests_without_sha256() -> None:
    child_ds = make_lab().child  # keys only matter for the tag
    ds1 = du.make_ds(child_ds.ksk.dnskey, child_ds.origin, 1)
    lab = make_lab(ds_texts=[ds1.to_text(), f"{ds1.key_tag} 15 253 ABCDEF"])
    found = tags(run_check(Dnssec01, lab))
    assert found == {"DS01_DS_ALGO_DEPRECATED", "DS01_DS_ALGO_PRIVATE", "DS01_DS_ALGO_2_MISSING"}


def test_it_notes_a_parent_without_ds() -> None:
    lab = make_lab(ds_texts=[])
    assert tags(run_check(Dnssec01, lab)) == {"DS01_PARENT_ZONE_NO_DS"}


def test_it_uses_the_undelegated_ds_instead_of_the_parent(lab: Lab) -> None:
    messages = run_check(Dnssec01, lab, undelegated_ds=["1234 13 0 00"])
    assert tags(messages) == {"DS01_DS_ALGO_NOT_DS", "DS01_DS_ALGO_2_MISSING"}
    assert messages[0].args["ns_list"] == "-"


def test_it_reports_an_undelegated_test_without_ds(lab: Lab) -> None:
    undelegated = {"ns1.child.test.": ["127.53.1.1"]}
    assert tags(run_check(Dnssec01, lab, undelegated_ns=undelegated)) == {
        "DS01_UNDEL_N_NO_UNDEL_DS"
    }


def test_it_finds_the_ds_matching_a_signing_ksk(lab: Lab) -> None:
    messages = run_check(Dnssec02, lab)
    assert serious(messages) == []
    assert "DS02_DNSKEY_NOT_SEP" not in tags(messages)


def test_it_reports_a_ds_without_matching_dnskey() -> None:
    stranger = signer.make_key(15, 257)
    ds = du.make_ds(stranger.dnskey, "child.test.")
    lab = make_lab(ds_texts=[ds.to_text()])
    messages = run_check(Dnssec02, lab)
    assert tags(messages) == {"DS02_NO_DNSKEY_FOR_DS", "DS02_NO_VALID_DNSKEY_FOR_ANY_DS"}
    no_key = next(m for m in messages if m.tag == "DS02_NO_DNSKEY_FOR_DS")
    assert no_key.args == {"ns_ip_list": "127.53.1.1;127.53.1.2", "keytag": stranger.tag}


def test_it_reports_a_ds_with_a_wrong_digest() -> None:
    lab = make_lab()
    good = lab.child.ds()
    wrong = good.replace(digest=bytes(32))
    lab.tld.add(signer.rrset(lab.child.origin, "DS", wrong.to_text()))
    assert "DS02_NO_MATCH_DS_DNSKEY" in tags(run_check(Dnssec02, lab))


def test_it_reports_a_ds_key_that_does_not_sign_the_dnskey_rrset(lab: Lab) -> None:
    apex = lab.child.origin
    keys = lab.child.get(apex, dns.rdatatype.DNSKEY)
    assert keys is not None
    lab.child.add(keys, lab.child.zsk)  # signed by the ZSK only
    found = tags(run_check(Dnssec02, lab))
    assert {"DS02_NO_MATCHING_DNSKEY_RRSIG", "DS02_DNSKEY_NOT_SIGNED_BY_ANY_DS"} <= found


def test_it_reports_an_invalid_dnskey_signature_by_the_ds_key(lab: Lab) -> None:
    apex = lab.child.origin
    keys = lab.child.get(apex, dns.rdatatype.DNSKEY)
    assert keys is not None
    good = signer.sign(keys, lab.child.ksk, apex)
    lab.child.signatures[(apex, dns.rdatatype.DNSKEY)] = signer.rrsig_rrset(
        keys, signer.bogus(good)
    )
    found = tags(run_check(Dnssec02, lab))
    assert {"DS02_RRSIG_NOT_VALID_BY_DNSKEY", "DS02_DNSKEY_NOT_SIGNED_BY_ANY_DS"} <= found


def test_it_notes_a_ds_pointing_at_a_non_sep_key() -> None:
    lab = make_lab()
    ds = du.make_ds(lab.child.zsk.dnskey, lab.child.origin)
    lab.tld.add(signer.rrset(lab.child.origin, "DS", ds.to_text()))
    found = tags(run_check(Dnssec02, lab))
    assert "DS02_DNSKEY_NOT_SEP" in found
    assert "DS02_NO_MATCHING_DNSKEY_RRSIG" in found  # the ZSK does not sign the DNSKEY RRset
