"""DNSSEC06 (RRSIGs added), DNSSEC07 (signed, DS at parent), DNSSEC11 (DS needs signed zone)."""

from __future__ import annotations

import dns.rdatatype

from dnscert.dnshealth.engine.checks.dnssec06 import Dnssec06
from dnscert.dnshealth.engine.checks.dnssec07 import Dnssec07
from dnscert.dnshealth.engine.checks.dnssec11 import Dnssec11
from tests.dnshealth.dnssec.conftest import (
    CHILD_IPS,
    Lab,
    drop,
    make_lab,
    run_check,
    serious,
    tags,
)


def _unsigned(lab: Lab) -> None:
    del lab.child.rrsets[(lab.child.origin, dns.rdatatype.DNSKEY)]


def test_it_sees_rrsigs_added_to_dnskey_answers(lab: Lab) -> None:
    messages = run_check(Dnssec06, lab)
    assert tags(messages) == {"EXTRA_PROCESSING_OK"}
    assert {m.args["server"] for m in messages} == set(CHILD_IPS)


def test_it_reports_a_server_that_omits_rrsigs(lab: Lab) -> None:
    del lab.child.signatures[(lab.child.origin, dns.rdatatype.DNSKEY)]
    messages = run_check(Dnssec06, lab)
    assert tags(messages) == {"EXTRA_PROCESSING_BROKEN"}
    assert messages[0].args["sigs"] == 0


def test_it_does_not_judge_additional_processing_of_an_unsigned_zone(lab: Lab) -> None:
    _unsigned(lab)
    assert run_check(Dnssec06, lab) == []


def test_it_finds_a_signed_zone_with_its_ds(lab: Lab) -> None:
    messages = run_check(Dnssec07, lab)
    assert tags(messages) == {
        "DS07_SIGNED_ON_SERVER",
        "DS07_SIGNED",
        "DS07_DS_ON_PARENT_SERVER",
        "DS07_DS_FOR_SIGNED_ZONE",
    }
    assert serious(messages) == []


def test_it_reports_a_signed_zone_without_ds() -> None:
    found = tags(run_check(Dnssec07, make_lab(ds_texts=[])))
    assert {"DS07_SIGNED", "DS07_NO_DS_ON_PARENT_SERVER", "DS07_NO_DS_FOR_SIGNED_ZONE"} <= found


def test_it_reports_an_unsigned_zone_and_a_silent_server(lab: Lab) -> None:
    _unsigned(lab)
    lab.hook(CHILD_IPS[1], drop("DNSKEY"))
    found = tags(run_check(Dnssec07, lab))
    assert found == {"DS07_NOT_SIGNED_ON_SERVER", "DS07_NOT_SIGNED", "DS07_NO_RESPONSE_DNSKEY"}


def test_it_reports_servers_disagreeing_on_signing(lab: Lab) -> None:
    unsigned = make_lab().child
    del unsigned.rrsets[(unsigned.origin, dns.rdatatype.DNSKEY)]
    lab.give(CHILD_IPS[1], unsigned)
    found = tags(run_check(Dnssec07, lab))
    assert {"DS07_INCONSISTENT_SIGNED", "DS07_NOT_SIGNED_ON_SERVER"} <= found
    assert "DS07_SIGNED" not in found
    assert {"DS11_INCONSISTENT_SIGNED_ZONE", "DS11_NS_WITH_UNSIGNED_ZONE"} <= tags(
        run_check(Dnssec11, lab)
    )


def test_it_accepts_a_ds_for_a_signed_zone(lab: Lab) -> None:
    assert run_check(Dnssec11, lab) == []


def test_it_reports_a_ds_for_an_unsigned_zone(lab: Lab) -> None:
    _unsigned(lab)
    assert tags(run_check(Dnssec11, lab)) == {"DS11_DS_BUT_UNSIGNED_ZONE"}


def test_it_ignores_an_unsigned_zone_without_ds() -> None:
    lab = make_lab(ds_texts=[])
    _unsigned(lab)
    assert run_check(Dnssec11, lab) == []


def test_it_uses_the_undelegated_ds_for_an_undelegated_test(lab: Lab) -> None:
    _unsigned(lab)
    undelegated = {"ns1.child.test.": ["127.53.1.1"]}
    assert run_check(Dnssec11, lab, undelegated_ns=undelegated) == []
    found = run_check(Dnssec11, lab, undelegated_ns=undelegated, undelegated_ds=["1 15 2 00"])
    assert tags(found) == {"DS11_DS_BUT_UNSIGNED_ZONE"}
