"""PSL and IDN experts: registrable domains, suffixes, TLDs and both forms of names."""

from __future__ import annotations

import pytest

from dnscert.intel.experts.idn import IdnExpert, to_ascii, to_unicode
from dnscert.intel.experts.psl import PslExpert
from dnscert.intel.schema import FailedRecord


def _event(fqdn: str, side: str = "source") -> dict[str, object]:
    return {"feed.name": "t", "raw": fqdn, "feed.line": 7, f"{side}.fqdn": fqdn}


@pytest.mark.parametrize(
    ("fqdn", "registered", "suffix", "tld"),
    [
        ("www.example.co.uk", "example.co.uk", "co.uk", "uk"),
        ("a.b.c.kobe.jp", "b.c.kobe.jp", "c.kobe.jp", "jp"),
        ("deep.sub.domain.xa", "domain.xa", "xa", "xa"),
        ("shop.xn--55qx5d.cn", "shop.xn--55qx5d.cn", "xn--55qx5d.cn", "cn"),
        ("login.example", "login.example", "example", "example"),
    ],
)
def test_it_finds_registered_domain_suffix_and_tld(
    fqdn: str, registered: str, suffix: str, tld: str
) -> None:
    event = PslExpert()(_event(fqdn))
    assert event["source.registered_domain"] == registered
    assert event["source.domain_suffix"] == suffix
    assert event["source.tld"] == tld


def test_it_gives_a_public_suffix_no_registered_domain() -> None:
    event = PslExpert()(_event("co.uk"))
    assert "source.registered_domain" not in event
    assert (event["source.domain_suffix"], event["source.tld"]) == ("co.uk", "uk")


def test_it_ignores_private_suffixes_unless_asked() -> None:
    assert PslExpert()(_event("abuser.blogspot.com"))["source.registered_domain"] == "blogspot.com"
    private = PslExpert(icann_only=False)(_event("abuser.blogspot.com"))
    assert private["source.registered_domain"] == "abuser.blogspot.com"


def test_it_enriches_destination_names_too_and_leaves_ip_events_alone() -> None:
    event = PslExpert()(_event("c2.bad.xb", side="destination"))
    assert event["destination.registered_domain"] == "bad.xb"
    assert PslExpert()({"source.ip": "192.0.2.1"}) == {"source.ip": "192.0.2.1"}


def test_it_writes_both_forms_of_an_idn() -> None:
    from_unicode = IdnExpert()(_event("Bücher.example"))
    assert isinstance(from_unicode, dict)
    assert from_unicode["source.fqdn"] == "xn--bcher-kva.example"
    assert from_unicode["source.fqdn_unicode"] == "bücher.example"
    from_punycode = IdnExpert()(_event("shop.xn--bcher-kva.xa"))
    assert isinstance(from_punycode, dict)
    assert from_punycode["source.fqdn_unicode"] == "shop.bücher.xa"
    assert to_ascii("münchen.xb") == "xn--mnchen-3ya.xb"
    assert to_unicode("xn--mnchen-3ya.xb") == "münchen.xb"


def test_it_maps_unicode_with_uts46_before_encoding() -> None:
    assert to_ascii("FAẞ.example") == "xn--fa-hia.example"


def test_it_passes_plain_ascii_names_with_underscores() -> None:
    event = IdnExpert()(_event("_dmarc.example"))
    assert isinstance(event, dict)
    assert event["source.fqdn_unicode"] == "_dmarc.example"


@pytest.mark.parametrize(
    ("fqdn", "problem"),
    [
        ("xn--zz.example", "label 'xn--zz' of 'xn--zz.example' is not valid IDNA"),
        ("snow\u2603.example", "not valid IDNA"),
        ("\u0661\u0031.example", "not valid IDNA"),
    ],
)
def test_it_fails_invalid_idn_labels_with_a_clear_reason(fqdn: str, problem: str) -> None:
    result = IdnExpert()(_event(fqdn))
    assert isinstance(result, FailedRecord)
    assert problem in result.reason
    assert result.reason.startswith("source.fqdn: ")
    assert (result.stage, result.line, result.raw) == ("idn", 7, fqdn)
