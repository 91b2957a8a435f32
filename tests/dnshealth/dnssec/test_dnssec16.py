"""DNSSEC16 (CDS validation) on loopback servers."""

from __future__ import annotations

import dns.rdatatype

from dnscert.dnshealth.engine import dnssec_util as du
from dnscert.dnshealth.engine.checks.dnssec16 import Dnssec16
from tests.dnshealth.dnssec import signer
from tests.dnshealth.dnssec.conftest import Lab, make_lab, run_check, serious, tags


def _publish_cds(lab: Lab, *texts: str, signers: tuple[signer.Key, ...] | None = None) -> None:
    zone = lab.child
    keys = signers if signers is not None else (zone.ksk,)
    zone.add(signer.rrset(zone.origin, "CDS", *texts), *keys)


def test_it_says_nothing_without_cds(lab: Lab) -> None:
    assert run_check(Dnssec16, lab) == []


def test_it_accepts_a_cds_for_the_signing_ksk(lab: Lab) -> None:
    _publish_cds(lab, lab.child.ds().to_text())
    assert serious(run_check(Dnssec16, lab)) == []


def test_it_reports_a_cds_for_an_unknown_key(lab: Lab) -> None:
    stranger = signer.make_key(15, 257)
    _publish_cds(lab, du.make_ds(stranger.dnskey, lab.child.origin).to_text())
    messages = run_check(Dnssec16, lab)
    assert tags(messages) == {"DS16_CDS_MATCHES_NO_DNSKEY"}
    assert messages[0].args["keytag"] == stranger.tag


def test_it_reports_an_unsigned_cds_rrset(lab: Lab) -> None:
    _publish_cds(lab, lab.child.ds().to_text())
    del lab.child.signatures[(lab.child.origin, dns.rdatatype.CDS)]
    assert tags(run_check(Dnssec16, lab)) == {"DS16_CDS_UNSIGNED", "DS16_CDS_NOT_SIGNED_BY_CDS"}


def test_it_reports_a_cds_for_a_key_not_signing_the_dnskey_rrset(lab: Lab) -> None:
    zsk_ds = du.make_ds(lab.child.zsk.dnskey, lab.child.origin)
    _publish_cds(lab, zsk_ds.to_text(), signers=(lab.child.zsk,))
    found = tags(run_check(Dnssec16, lab))
    assert found == {"DS16_DNSKEY_NOT_SIGNED_BY_CDS", "DS16_CDS_MATCHES_NON_SEP_DNSKEY"}


def test_it_reports_a_bad_cds_signature_and_an_unknown_signer(lab: Lab) -> None:
    zone = lab.child
    cds = signer.rrset(zone.origin, "CDS", zone.ds().to_text())
    stranger = signer.make_key(15, 256)
    good = signer.sign(cds, zone.ksk, zone.origin)
    zone.rrsets[(zone.origin, dns.rdatatype.CDS)] = cds
    zone.signatures[(zone.origin, dns.rdatatype.CDS)] = signer.rrsig_rrset(
        cds, signer.bogus(good), signer.sign(cds, stranger, zone.origin)
    )
    messages = run_check(Dnssec16, lab)
    assert tags(messages) == {"DS16_CDS_INVALID_RRSIG", "DS16_CDS_SIGNED_BY_UNKNOWN_DNSKEY"}


def test_it_reports_delete_cds_alone_and_mixed(lab: Lab) -> None:
    _publish_cds(lab, "0 0 0 00")
    assert tags(run_check(Dnssec16, lab)) == {"DS16_DELETE_CDS"}
    _publish_cds(lab, "0 0 0 00", lab.child.ds().to_text())
    assert "DS16_MIXED_DELETE_CDS" in tags(run_check(Dnssec16, lab))


def test_it_reports_cds_without_dnskey() -> None:
    lab = make_lab()
    _publish_cds(lab, lab.child.ds().to_text())
    del lab.child.rrsets[(lab.child.origin, dns.rdatatype.DNSKEY)]
    assert tags(run_check(Dnssec16, lab)) == {"DS16_CDS_WITHOUT_DNSKEY"}
