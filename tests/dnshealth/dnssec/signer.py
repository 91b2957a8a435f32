"""Build signed test zones with dnspython: keys, DNSKEY/DS records and RRSIGs on demand.

Keys are Ed25519 or ECDSA P-256 by default (fast); RSA only where a test is about RSA.
The zone is kept as a dict of RRsets so tests can break it (drop a signature, add a bogus
key, sign with the wrong key) before serving it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.RRSIG import RRSIG

#: The fixed "now" of the tests; signatures are made around it.
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TTL = 3600


@dataclass
class Key:
    """A private key with its DNSKEY record."""

    private: Any
    dnskey: DNSKEY

    @property
    def tag(self) -> int:
        """The key tag of the DNSKEY."""
        return dns.dnssec.key_id(self.dnskey)


def make_key(algorithm: int = 15, flags: int = 257, rsa_bits: int = 2048) -> Key:
    """A fresh key: 15 = Ed25519, 13 = ECDSA P-256, 8 = RSA/SHA-256 (``rsa_bits`` long)."""
    private: Any
    if algorithm == 15:
        private = ed25519.Ed25519PrivateKey.generate()
    elif algorithm == 13:
        private = ec.generate_private_key(ec.SECP256R1())
    elif algorithm in (8, 10):
        private = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    else:
        raise ValueError(f"no test key generator for algorithm {algorithm}")
    dnskey = dns.dnssec.make_dnskey(private.public_key(), algorithm, flags=flags)
    return Key(private, dnskey)


def fake_key(algorithm: int, flags: int = 256, key_bytes: bytes = b"\x01" * 64) -> DNSKEY:
    """A DNSKEY record with arbitrary key data (for algorithms no library implements)."""
    return DNSKEY(dns.rdataclass.IN, dns.rdatatype.DNSKEY, flags, 3, algorithm, key_bytes)


def rrset(name: str | dns.name.Name, rdtype: str, *texts: str, ttl: int = TTL) -> dns.rrset.RRset:
    """An RRset of ``rdtype`` at ``name`` from rdata texts."""
    return dns.rrset.from_text(name, ttl, "IN", rdtype, *texts)


def sign(
    records: dns.rrset.RRset,
    key: Key,
    zone: dns.name.Name,
    inception: datetime | None = None,
    expiration: datetime | None = None,
) -> RRSIG:
    """An RRSIG over ``records`` made by ``key`` valid around ``NOW`` unless times are given."""
    return dns.dnssec.sign(
        records,
        key.private,
        zone,
        key.dnskey,
        inception=inception or NOW - timedelta(days=1),
        expiration=expiration or NOW + timedelta(days=20),
        policy=dns.dnssec.allow_all_policy,
    )


def rrsig_rrset(records: dns.rrset.RRset, *signatures: RRSIG) -> dns.rrset.RRset:
    """The RRSIG RRset holding ``signatures`` for ``records``."""
    out = dns.rrset.RRset(records.name, dns.rdataclass.IN, dns.rdatatype.RRSIG)
    for signature in signatures:
        out.add(signature, records.ttl)
    return out


def bogus(signature: RRSIG) -> RRSIG:
    """``signature`` with its signature bytes corrupted (same tag, times and algorithm)."""
    broken = bytes([signature.signature[0] ^ 0xFF]) + signature.signature[1:]
    return signature.replace(signature=broken)


@dataclass
class SignedZone:
    """A small zone: apex SOA/NS/DNSKEY, NSEC or NSEC3 chain head, signed with a KSK+ZSK."""

    origin: dns.name.Name
    ns: dict[str, str]
    ksk: Key
    zsk: Key
    nsec3: bool = False
    rrsets: dict[tuple[dns.name.Name, int], dns.rrset.RRset] = field(default_factory=dict)
    signatures: dict[tuple[dns.name.Name, int], dns.rrset.RRset] = field(default_factory=dict)

    def add(self, records: dns.rrset.RRset, *keys: Key) -> None:
        """Store ``records`` and sign them with ``keys`` (the ZSK when none is given)."""
        self.rrsets[(records.name, records.rdtype)] = records
        signers = keys or (self.zsk,)
        sigs = [sign(records, key, self.origin) for key in signers]
        self.signatures[(records.name, records.rdtype)] = rrsig_rrset(records, *sigs)

    def get(self, name: dns.name.Name, rdtype: int) -> dns.rrset.RRset | None:
        """The RRset stored at (name, type), or None."""
        return self.rrsets.get((name, rdtype))

    def rrsigs(self, name: dns.name.Name, rdtype: int) -> dns.rrset.RRset | None:
        """The RRSIG RRset covering (name, type), or None."""
        return self.signatures.get((name, rdtype))

    def ds(self, digest_type: int = 2) -> dns.rdata.Rdata:
        """The DS record of the KSK."""
        return dns.dnssec.make_ds(self.origin, self.ksk.dnskey, digest_type)


def build_zone(
    origin: str,
    ns: dict[str, str],
    algorithm: int = 15,
    nsec3: bool = False,
    nsec3_params: str = "1 0 0 -",
) -> SignedZone:
    """A signed zone ``origin`` served by ``ns`` (name -> IPv4), with NSEC or NSEC3."""
    name = dns.name.from_text(origin)
    zone = SignedZone(name, ns, make_key(algorithm, 257), make_key(algorithm, 256), nsec3)
    primary = sorted(ns)[0]
    zone.add(rrset(name, "SOA", f"{primary} hostmaster.{primary} 1 3600 600 86400 300"))
    zone.add(rrset(name, "NS", *(host for host in ns)))
    for host, address in ns.items():
        zone.add(rrset(host, "A", address))
    keys = rrset(name, "DNSKEY", zone.ksk.dnskey.to_text(), zone.zsk.dnskey.to_text())
    zone.add(keys, zone.ksk)
    if nsec3:
        zone.add(rrset(name, "NSEC3PARAM", nsec3_params))
        zone.add(apex_nsec3(name, nsec3_params))
    else:
        zone.add(rrset(name, "NSEC", f"{primary} NS SOA RRSIG NSEC DNSKEY"))
    return zone


def apex_nsec3(
    origin: dns.name.Name,
    params: str = "1 0 0 -",
    types: str = "NS SOA RRSIG DNSKEY NSEC3PARAM",
    flags: int | None = None,
) -> dns.rrset.RRset:
    """The NSEC3 record of the apex of ``origin`` with ``params`` ("alg flags iter salt")."""
    algorithm, param_flags, iterations, salt = params.split()
    salt_value = None if salt == "-" else salt
    hashed = dns.dnssec.nsec3_hash(origin, salt_value, int(iterations), int(algorithm))
    owner = dns.name.Name([hashed.encode()]).concatenate(origin)
    record_flags = int(param_flags) if flags is None else flags
    text = f"{algorithm} {record_flags} {iterations} {salt} {hashed} {types}"
    return rrset(owner, "NSEC3", text)


def delegate(parent: SignedZone, child: SignedZone, ds_texts: list[str] | None = None) -> None:
    """Publish in ``parent`` the NS, glue and DS (the child's KSK DS unless given) of ``child``."""
    parent.rrsets[(child.origin, dns.rdatatype.NS)] = rrset(child.origin, "NS", *child.ns)
    for host, address in child.ns.items():
        parent.rrsets[(dns.name.from_text(host), dns.rdatatype.A)] = rrset(host, "A", address)
    texts = [child.ds().to_text()] if ds_texts is None else ds_texts
    if texts:
        parent.add(rrset(child.origin, "DS", *texts))
