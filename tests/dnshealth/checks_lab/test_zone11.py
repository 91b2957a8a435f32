"""ZONE11 collects SPF policies from every name server and checks their syntax."""

from __future__ import annotations

from collections.abc import Callable

import dns.name
import pytest

from dnscert.dnshealth.engine.checks.zone11 import is_non_mail_domain
from dnscert.dnshealth.engine.checks.zone_spf import is_spf_record, spf_syntax_ok

RunCheck = Callable[[str, str], set[str]]


@pytest.mark.parametrize(
    "policy",
    [
        "v=spf1",
        "v=spf1 -all",
        "v=spf1 a mx ip4:192.0.2.50 ip6:2001:db8:0:8::50 -all",
        "v=spf1 a:mail.example.com/24//64 include:_spf.example.net ~all",
        "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} redirect=_spf.example.com",
        "v=spf1 ?ptr unknown-mod=anything -all",
    ],
)
def test_it_accepts_valid_policies(policy: str) -> None:
    assert spf_syntax_ok(policy)


@pytest.mark.parametrize(
    "policy",
    [
        "v=spf1 amx-all",
        "v=spf1 ip4:192.0.2.0/33",
        "v=spf1 ip4:2001:db8::1",
        "v=spf1 include",
        "v=spf1 redirect=a.example redirect=b.example",
        "v=spf1 a:example",
    ],
)
def test_it_rejects_invalid_policies(policy: str) -> None:
    assert not spf_syntax_ok(policy)


def test_it_recognises_spf_records() -> None:
    assert is_spf_record("V=SPF1 -all") and is_spf_record("v=spf1")
    assert not is_spf_record("v=spf10") and not is_spf_record("spf1")


def test_it_treats_root_tlds_and_arpa_as_non_mail_domains() -> None:
    for name in (".", "se.", "x.in-addr.arpa."):
        assert is_non_mail_domain(dns.name.from_text(name))
    assert not is_non_mail_domain(dns.name.from_text("example.se."))


def test_it_accepts_a_valid_policy_split_over_strings(run_check: RunCheck) -> None:
    assert run_check("spf.test", "ZONE11") == {"Z11_SPF_SYNTAX_OK"}


def test_it_reports_a_syntax_error(run_check: RunCheck) -> None:
    assert run_check("badspf.test", "ZONE11") == {"Z11_SPF_SYNTAX_ERROR"}


def test_it_reports_a_zone_without_spf(run_check: RunCheck) -> None:
    assert run_check("ptr.test", "ZONE11") == {"Z11_NO_SPF_FOUND"}


def test_it_reports_when_no_server_answers(run_check: RunCheck) -> None:
    assert run_check("local.test", "ZONE11") == {"Z11_UNABLE_TO_CHECK_FOR_SPF"}
