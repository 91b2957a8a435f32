"""ADDRESS01 classifies name server addresses; ADDRESS03 compares PTR names."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dnscert.dnshealth.engine.checks.address_registry import AddressClass, classify

RunCheck = Callable[[str, str], set[str]]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("192.0.2.1", AddressClass.DOCUMENTATION),
        ("2001:db8::1", AddressClass.DOCUMENTATION),
        ("3fff::1", AddressClass.DOCUMENTATION),
        ("10.1.2.3", AddressClass.LOCAL_USE),
        ("127.0.0.1", AddressClass.LOCAL_USE),
        ("fd00::1", AddressClass.LOCAL_USE),
        ("fe80::1", AddressClass.LOCAL_USE),
        ("100.64.0.1", AddressClass.LOCAL_USE),
        ("192.0.0.33", AddressClass.NOT_GLOBALLY_REACHABLE),
        ("2001:2::1", AddressClass.NOT_GLOBALLY_REACHABLE),
        ("192.0.0.9", AddressClass.GLOBALLY_REACHABLE),
        ("9.9.9.9", AddressClass.GLOBALLY_REACHABLE),
        ("2620:fe::fe", AddressClass.GLOBALLY_REACHABLE),
    ],
)
def test_it_classifies_addresses_with_the_iana_registries(
    address: str, expected: AddressClass
) -> None:
    assert classify(address) is expected


def test_it_reports_local_use_name_servers(run_check: RunCheck) -> None:
    tags = run_check("local.test", "ADDRESS01")
    assert tags == {"A01_LOCAL_USE_ADDR", "A01_NO_GLOBALLY_REACHABLE_ADDR"}


def test_it_reports_a_zone_without_name_servers(run_check: RunCheck) -> None:
    assert "A01_NO_NAME_SERVERS_FOUND" in run_check("nowhere.test", "ADDRESS01")


def test_it_accepts_a_matching_reverse_name(run_check: RunCheck) -> None:
    assert run_check("ptr.test", "ADDRESS03") == {"NAMESERVER_IP_PTR_MATCH"}


def test_it_reports_a_reverse_name_that_differs(run_check: RunCheck) -> None:
    assert run_check("ptr2.test", "ADDRESS03") == {"NAMESERVER_IP_PTR_MISMATCH"}


def test_it_reports_addresses_without_reverse(run_check: RunCheck) -> None:
    assert run_check("spf.test", "ADDRESS03") == {"NAMESERVER_IP_WITHOUT_REVERSE"}
