"""DNSSEC03 (NSEC3 parameters) and DNSSEC05 (DNSKEY algorithms) on loopback servers."""

from __future__ import annotations

import dns.name
import dns.rdatatype

from dnscert.dnshealth.engine.checks.dnssec03 import Dnssec03, is_tld_like
from dnscert.dnshealth.engine.checks.dnssec05 import Dnssec05
from tests.dnshealth.dnssec import signer
from tests.dnshealth.dnssec.conftest import CHILD_IPS, Lab, make_lab, run_check, serious, tags


def test_it_approves_rfc9276_nsec3_parameters() -> None:
    messages = run_check(Dnssec03, make_lab(nsec3=True))
    assert tags(messages) == {
        "DS03_LEGAL_HASH_ALGO",
        "DS03_NSEC3_OPT_OUT_DISABLED",
        "DS03_LEGAL_ITERATION_VALUE",
        "DS03_LEGAL_EMPTY_SALT",
    }


def test_it_warns_about_iterations_salt_and_opt_out_below_a_tld() -> None:
    lab = make_lab(name="child.example.test.", nsec3=True, nsec3_params="1 1 10 AABBCCDD")
    messages = run_check(Dnssec03, lab)
    found = {m.tag: m.args for m in messages}
    assert found["DS03_ILLEGAL_ITERATION_VALUE"]["int"] == 10
    assert found["DS03_ILLEGAL_SALT_LENGTH"]["int"] == 4
    assert "DS03_NSEC3_OPT_OUT_ENABLED_NON_TLD" in found


def test_it_accepts_opt_out_in_tld_like_zones() -> None:
    assert is_tld_like(dns.name.from_text("test."))
    assert is_tld_like(dns.name.from_text("co.uk."))
    assert not is_tld_like(dns.name.from_text("child.example.test."))


def test_it_reports_servers_disagreeing_on_nsec3_parameters() -> None:
    lab = make_lab(nsec3=True)
    lab.give(CHILD_IPS[1], make_lab(nsec3=True, nsec3_params="1 0 5 AB").child)
    found = tags(run_check(Dnssec03, lab))
    assert {"DS03_INCONSISTENT_ITERATION", "DS03_INCONSISTENT_SALT_LENGTH"} <= found


def test_it_skips_nsec3_checks_on_an_nsec_zone(lab: Lab) -> None:
    assert tags(run_check(Dnssec03, lab)) == {"DS03_NO_NSEC3"}


def test_it_reports_an_unassigned_nsec3_flag() -> None:
    lab = make_lab(nsec3=True)
    apex = lab.child.origin
    lab.child.rrsets = {k: v for k, v in lab.child.rrsets.items() if k[1] != dns.rdatatype.NSEC3}
    lab.child.add(signer.apex_nsec3(apex, flags=0x40))
    messages = run_check(Dnssec03, lab)
    flag = next(m for m in messages if m.tag == "DS03_UNASSIGNED_FLAG_USED")
    assert flag.args["int"] == 1


def test_it_approves_ed25519_and_ecdsa_keys() -> None:
    for algorithm in (15, 13):
        messages = run_check(Dnssec05, make_lab(algorithm=algorithm))
        assert tags(messages) == {"DS05_ALGO_OK"}
        assert serious(messages) == []


def test_it_reports_deprecated_and_private_algorithms(lab: Lab) -> None:
    apex = lab.child.origin
    extra = [signer.fake_key(5, 256).to_text(), signer.fake_key(253, 256).to_text()]
    keys = lab.child.get(apex, dns.rdatatype.DNSKEY)
    assert keys is not None
    lab.child.add(signer.rrset(apex, "DNSKEY", *(k.to_text() for k in keys), *extra), lab.child.ksk)
    messages = run_check(Dnssec05, lab)
    found = {m.tag: m.args for m in messages}
    assert found["DS05_ALGO_DEPRECATED"]["algo_mnemo"] == "RSASHA1"
    assert found["DS05_ALGO_PRIVATE"]["algo_num"] == 253
    assert "algo_mnemo" not in found["DS05_ALGO_PRIVATE"]


def test_it_reports_an_unsigned_zone_and_a_server_without_keys(lab: Lab) -> None:
    unsigned = make_lab().child
    del unsigned.rrsets[(unsigned.origin, dns.rdatatype.DNSKEY)]
    lab.give(CHILD_IPS[1], unsigned)
    assert "DS05_SERVER_NO_DNSSEC" in tags(run_check(Dnssec05, lab))
    lab.give(CHILD_IPS[0], unsigned)
    assert tags(run_check(Dnssec05, lab)) == {"DS05_ZONE_NO_DNSSEC"}
