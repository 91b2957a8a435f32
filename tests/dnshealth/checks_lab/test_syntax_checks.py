"""SYNTAX01-SYNTAX08 check names: the zone, name servers, SOA MNAME and RNAME, MX."""

from __future__ import annotations

from collections.abc import Callable

import dns.name
import pytest

from dnscert.dnshealth.engine.checks.syntax_rules import (
    discouraged_double_dash,
    hostname_problems,
    mailbox_of,
    valid_local_part,
)

RunCheck = Callable[[str, str], set[str]]


def test_it_reserves_the_double_dash_for_idna() -> None:
    assert discouraged_double_dash(b"ab--cd")
    assert not discouraged_double_dash(b"xn--bcher-kva")
    assert not discouraged_double_dash(b"a--b")


def test_it_finds_host_name_problems() -> None:
    assert hostname_problems(dns.name.from_text("ns1.example.se.")).ok
    assert hostname_problems(dns.name.from_text("ns_1.example.se.")).non_allowed
    assert hostname_problems(dns.name.from_text("ns.example.123.")).numeric_tld


def test_it_turns_an_rname_into_a_mailbox() -> None:
    local, domain = mailbox_of(dns.name.from_text("first\\.last.example.se.")) or ("", None)
    assert local == "first.last" and domain == dns.name.from_text("example.se.")
    assert valid_local_part(local)
    assert not valid_local_part("john@doe") and not valid_local_part("a..b")
    assert mailbox_of(dns.name.from_text("postmaster.")) is None


@pytest.mark.parametrize(
    ("zone", "test_case", "expected"),
    [
        ("good.test", "SYNTAX01", {"ONLY_ALLOWED_CHARS"}),
        ("a_b.test", "SYNTAX01", {"NON_ALLOWED_CHARS"}),
        ("good.test", "SYNTAX02", {"NO_ENDING_HYPHENS"}),
        ("-a-.test", "SYNTAX02", {"INITIAL_HYPHEN", "TERMINAL_HYPHEN"}),
        ("good.test", "SYNTAX03", {"NO_DOUBLE_DASH"}),
        ("ab--c.test", "SYNTAX03", {"DISCOURAGED_DOUBLE_DASH"}),
        ("xn--bcher-kva.test", "SYNTAX03", {"NO_DOUBLE_DASH"}),
        ("good.test", "SYNTAX04", {"NAMESERVER_SYNTAX_OK"}),
        (
            "badns.test",
            "SYNTAX04",
            {
                "NAMESERVER_NON_ALLOWED_CHARS",
                "NAMESERVER_DISCOURAGED_DOUBLE_DASH",
                "NAMESERVER_NUMERIC_TLD",
            },
        ),
        ("good.test", "SYNTAX05", {"RNAME_NO_AT_SIGN"}),
        ("syntax.test", "SYNTAX05", {"RNAME_MISUSED_AT_SIGN"}),
        ("good.test", "SYNTAX06", {"RNAME_RFC822_VALID"}),
        ("syntax.test", "SYNTAX06", {"RNAME_RFC822_INVALID"}),
        ("good.test", "SYNTAX07", {"MNAME_SYNTAX_OK"}),
        ("syntax.test", "SYNTAX07", {"MNAME_DISCOURAGED_DOUBLE_DASH"}),
        ("good.test", "SYNTAX08", {"MX_SYNTAX_OK"}),
        ("syntax.test", "SYNTAX08", {"MX_NON_ALLOWED_CHARS", "MX_NUMERIC_TLD"}),
    ],
)
def test_it_checks_names(
    run_check: RunCheck, zone: str, test_case: str, expected: set[str]
) -> None:
    assert run_check(zone, test_case) == expected
