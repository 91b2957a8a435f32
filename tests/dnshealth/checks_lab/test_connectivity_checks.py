"""CONNECTIVITY01-03 and ADDRESS02: transports, AS diversity and reverse entries."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dnscert.dnshealth.engine.checks.connectivity03 import parse_asns

RunCheck = Callable[[str, str], set[str]]


@pytest.mark.parametrize(
    ("test_case", "suffix"), [("CONNECTIVITY01", "UDP"), ("CONNECTIVITY02", "TCP")]
)
def test_it_checks_soa_and_ns_answers_per_transport(
    run_check: RunCheck, test_case: str, suffix: str
) -> None:
    prefix = "CN01" if suffix == "UDP" else "CN02"
    assert run_check("good.test", test_case) == set()
    assert run_check("notaa.test", test_case) == {
        f"{prefix}_SOA_RECORD_NOT_AA_{suffix}",
        f"{prefix}_NS_RECORD_NOT_AA_{suffix}",
    }
    assert run_check("local.test", test_case) == {f"{prefix}_NO_RESPONSE_{suffix}"}
    assert run_check("wrongsoa.test", test_case) == {
        f"{prefix}_WRONG_SOA_RECORD_{suffix}",
        f"{prefix}_UNEXPECTED_RCODE_NS_QUERY_{suffix}",
    }


def test_it_reads_asns_from_cymru_strings() -> None:
    assert parse_asns(["64512 64513 | 192.0.2.0/24 | ZZ", "not asn data"]) == {64512, 64513}
    assert parse_asns(["This is not ASN data"]) == frozenset()


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("spf.test", {"IPV4_ONE_ASN"}),
        ("badspf.test", {"IPV4_SAME_ASN"}),
        ("multi.test", {"IPV4_DIFFERENT_ASN"}),
        ("ptr.test", {"EMPTY_ASN_SET"}),
    ],
)
def test_it_judges_as_diversity(run_check: RunCheck, zone: str, expected: set[str]) -> None:
    assert run_check(zone, "CONNECTIVITY03") == expected


def test_it_finds_reverse_entries(run_check: RunCheck) -> None:
    assert run_check("ptr.test", "ADDRESS02") == {"NAMESERVERS_IP_WITH_REVERSE"}
    assert run_check("spf.test", "ADDRESS02") == {"NAMESERVER_IP_WITHOUT_REVERSE"}
