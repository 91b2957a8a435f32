"""Kept signature verdicts never answer for other records, another key or another moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import dns.dnssec
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dnscert.dnshealth.engine import dnssec_util as du

ZONE = dns.name.from_text("signed.xa.")
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _signed(address: str) -> tuple[dns.rrset.RRset, Any, Any]:
    private = ec.generate_private_key(ec.SECP256R1())
    key = dns.dnssec.make_dnskey(private.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256)
    rrset = dns.rrset.from_text(ZONE, 300, "IN", "A", address)
    rrsig = dns.dnssec.sign(
        rrset,
        private,
        ZONE,
        key,
        inception=NOW - timedelta(days=1),
        expiration=NOW + timedelta(days=1),
    )
    return rrset, rrsig, key


def test_a_kept_verdict_is_given_only_for_the_same_objects_and_period() -> None:
    rrset, rrsig, key = _signed("192.0.2.1")
    assert du.check_rrsig(rrset, rrsig, [key], NOW) is du.SignatureStatus.VALID
    assert du.check_rrsig(rrset, rrsig, [key], NOW) is du.SignatureStatus.VALID

    tampered = dns.rrset.from_text(ZONE, 300, "IN", "A", "192.0.2.2")
    assert du.check_rrsig(tampered, rrsig, [key], NOW) is du.SignatureStatus.INVALID

    _other_rrset, _other_rrsig, other_key = _signed("192.0.2.1")
    assert not du._verifies(rrset, rrsig, other_key, NOW.timestamp())

    later = (NOW + timedelta(days=2)).timestamp()
    assert du._verifies(rrset, rrsig, key, NOW.timestamp())
    assert not du._verifies(rrset, rrsig, key, later)


def test_the_kept_verdicts_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(du, "_VERDICTS_LIMIT", 8)
    rrset, rrsig, key = _signed("192.0.2.1")
    du._VERDICTS.clear()
    for offset in range(20):
        copy = dns.rrset.from_text(ZONE, 300 + offset, "IN", "A", "192.0.2.1")
        du._verifies(copy, rrsig, key, NOW.timestamp())
    assert len(du._VERDICTS) <= 8
    assert du._verifies(rrset, rrsig, key, NOW.timestamp())
