"""CONNECTIVITY04 groups name server addresses by the prefix the database announces."""

from __future__ import annotations

from collections.abc import Callable

import dns.name

from dnscert.dnshealth.engine.checks.connectivity04 import parse_prefixes, prefix_query_name

RunCheck = Callable[[str, str], set[str]]


def test_it_builds_cymru_query_names() -> None:
    assert prefix_query_name("192.0.2.10") == dns.name.from_text(
        "10.2.0.192.origin.asnlookup.zonemaster.net."
    )
    assert prefix_query_name("2001:db8::1").labels[32] == b"origin6"


def test_it_flags_a_prefix_that_does_not_contain_the_address() -> None:
    prefixes, consistent = parse_prefixes(
        ["1 | 192.0.2.0/24 | x", "not asn data", "1 | 198.51.100.0/24 | x"], "192.0.2.1"
    )
    assert [str(p) for p in prefixes] == ["192.0.2.0/24"]
    assert not consistent


def test_it_reports_servers_sharing_one_prefix(run_check: RunCheck) -> None:
    tags = run_check("spf.test", "CONNECTIVITY04")
    assert tags == {"CN04_IPV4_SAME_PREFIX", "CN04_IPV4_SINGLE_PREFIX"}


def test_it_uses_the_most_specific_prefix(run_check: RunCheck) -> None:
    tags = run_check("badspf.test", "CONNECTIVITY04")
    assert tags == {"CN04_IPV4_DIFFERENT_PREFIX", "CN04_IPV4_SINGLE_PREFIX"}


def test_it_reports_an_empty_prefix_set(run_check: RunCheck) -> None:
    assert run_check("ptr.test", "CONNECTIVITY04") == {"CN04_EMPTY_PREFIX_SET"}
