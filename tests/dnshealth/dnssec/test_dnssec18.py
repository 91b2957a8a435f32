"""DNSSEC18 (CDS and CDNSKEY signed by a key the DS points to) on loopback servers."""

from __future__ import annotations

from dnscert.dnshealth.engine.checks.dnssec18 import Dnssec18
from tests.dnshealth.dnssec import signer
from tests.dnshealth.dnssec.conftest import Lab, make_lab, run_check, tags


def _publish(lab: Lab, rdtype: str, text: str, key: signer.Key) -> None:
    lab.child.add(signer.rrset(lab.child.origin, rdtype, text), key)


def test_it_trusts_cds_and_cdnskey_signed_by_the_ds_key(lab: Lab) -> None:
    _publish(lab, "CDS", lab.child.ds().to_text(), lab.child.ksk)
    _publish(lab, "CDNSKEY", lab.child.ksk.dnskey.to_text(), lab.child.ksk)
    assert run_check(Dnssec18, lab) == []


def test_it_reports_cds_and_cdnskey_signed_by_another_key(lab: Lab) -> None:
    _publish(lab, "CDS", lab.child.ds().to_text(), lab.child.zsk)
    _publish(lab, "CDNSKEY", lab.child.ksk.dnskey.to_text(), lab.child.zsk)
    messages = run_check(Dnssec18, lab)
    assert tags(messages) == {"DS18_NO_MATCH_CDS_RRSIG_DS", "DS18_NO_MATCH_CDNSKEY_RRSIG_DS"}
    assert messages[0].args["ns_ip_list"] == "127.53.1.1;127.53.1.2"


def test_it_does_not_run_without_ds_or_without_cds() -> None:
    no_ds = make_lab(ds_texts=[])
    _publish(no_ds, "CDS", no_ds.child.ds().to_text(), no_ds.child.zsk)
    assert run_check(Dnssec18, no_ds) == []
    assert run_check(Dnssec18, make_lab()) == []
