"""With the DO bit the lab server adds RRSIGs and the NSEC proofs of a signed zone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dns.dnssec
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.zone
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dnscert.dnslab.background import lab_in_background
from tests.conftest import find_free_port

ZONE = """\
$TTL 3600
@    SOA ns1 admin 1 3600 600 86400 300
@    NS  ns1
ns1  A   127.53.1.1
www  A   192.0.2.1
zz   A   192.0.2.2
"""


def _signed_zone_text() -> str:
    zone = dns.zone.from_text(ZONE, origin="signed.", relativize=False)
    key = ec.generate_private_key(ec.SECP256R1())
    dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, 257)
    with zone.writer() as txn:
        txn.add(zone.origin, 3600, dnskey)
    dns.dnssec.sign_zone(zone, keys=[(key, dnskey)], lifetime=86400)
    return zone.to_text()


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    folder: Path = tmp_path_factory.mktemp("signed")
    (folder / "signed.zone").write_text(_signed_zone_text())
    lab_port = find_free_port()
    corefile = "signed. {\n    bind 127.53.1.1\n    file signed.zone signed.\n}\n"
    with lab_in_background(corefile, folder, lab_port):
        yield lab_port


def _ask(port: int, name: str, rdtype: str, dnssec: bool) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, want_dnssec=dnssec)
    return dns.query.udp(query, "127.53.1.1", timeout=3, port=port)


def _types(section: list) -> set[str]:  # type: ignore[type-arg]
    return {dns.rdatatype.to_text(rrset.rdtype) for rrset in section}


def test_it_adds_rrsigs_only_when_do_is_set(port: int) -> None:
    assert _types(_ask(port, "www.signed.", "A", dnssec=True).answer) == {"A", "RRSIG"}
    assert _types(_ask(port, "www.signed.", "A", dnssec=False).answer) == {"A"}


def test_it_proves_nxdomain_with_covering_nsec_records(port: int) -> None:
    response = _ask(port, "xx.signed.", "A", dnssec=True)
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert _types(response.authority) == {"SOA", "NSEC", "RRSIG"}
    nsec = [r for r in response.authority if r.rdtype == dns.rdatatype.NSEC]
    assert any(r.name.to_text() == "www.signed." for r in nsec)


def test_it_proves_nodata_with_the_nsec_of_the_name(port: int) -> None:
    response = _ask(port, "www.signed.", "MX", dnssec=True)
    nsec = [r for r in response.authority if r.rdtype == dns.rdatatype.NSEC]
    assert [r.name.to_text() for r in nsec] == ["www.signed."]
