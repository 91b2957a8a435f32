"""DNSSEC helpers shared by the DNSSEC test cases: algorithm tables, key tags, DS and RRSIG checks.

Everything here is a pure function of its arguments: no network, and no hidden clock (the
time of validation is always passed in, so a run can be pinned to a date, as the Zonemaster
scenario data needs). The algorithm tables follow the Zonemaster classification in the
DNSSEC01 and DNSSEC05 specifications, with the RFC 8624 (as updated by RFC 9157)
implementation status beside each entry.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dns.dnssec
import dns.dnssectypes
import dns.exception
import dns.immutable
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.CDS import CDS
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.NSEC3 import NSEC3
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dnskeybase import DNSKEYBase
from dns.rdtypes.dsbase import DSBase

#: DNSKEY flag bit 7 (value 256): the key is a zone key.
ZONE_KEY_FLAG = 0x0100
#: DNSKEY flag bit 15 (value 1): Secure Entry Point.
SEP_FLAG = 0x0001
#: NSEC3 flag bit 7 (value 1): opt-out.
NSEC3_OPT_OUT_FLAG = 0x01
#: The only NSEC3 hash algorithm defined (SHA-1, RFC 5155 section 11).
NSEC3_HASH_SHA1 = 1


class Rfc8624Status(enum.StrEnum):
    """Implementation requirement of an algorithm in RFC 8624 (RFC 2119 words)."""

    MUST = "MUST"
    RECOMMENDED = "RECOMMENDED"
    MAY = "MAY"
    NOT_RECOMMENDED = "NOT RECOMMENDED"
    MUST_NOT = "MUST NOT"
    UNLISTED = "not listed"


@dataclass(frozen=True)
class DigestAlgorithm:
    """One DS digest type: its Zonemaster class (the DS01 tag suffix) and RFC 8624 status."""

    number: int
    description: str | None
    category: str
    rfc8624_delegation: Rfc8624Status = Rfc8624Status.UNLISTED
    rfc8624_validation: Rfc8624Status = Rfc8624Status.UNLISTED


@dataclass(frozen=True)
class KeyAlgorithm:
    """One DNSKEY algorithm: Zonemaster class (the DS05 tag suffix), names and RFC 8624 status."""

    number: int
    description: str
    mnemonic: str
    category: str
    rfc8624_signing: Rfc8624Status = Rfc8624Status.UNLISTED
    rfc8624_validation: Rfc8624Status = Rfc8624Status.UNLISTED


_S = Rfc8624Status

_DIGESTS: dict[int, DigestAlgorithm] = {
    0: DigestAlgorithm(0, "Reserved", "NOT_DS", _S.MUST_NOT, _S.MUST_NOT),
    1: DigestAlgorithm(1, "SHA-1", "DEPRECATED", _S.MUST_NOT, _S.MUST),
    2: DigestAlgorithm(2, "SHA-256", "OK", _S.MUST, _S.MUST),
    3: DigestAlgorithm(3, "GOST R 34.11-94", "DEPRECATED", _S.MUST_NOT, _S.MAY),
    4: DigestAlgorithm(4, "SHA-384", "OK", _S.MAY, _S.RECOMMENDED),
    5: DigestAlgorithm(5, "GOST R 34.11-2012", "OK"),
    6: DigestAlgorithm(6, "SM3", "OK"),
}

_KEY_ALGORITHMS: dict[int, KeyAlgorithm] = {
    0: KeyAlgorithm(0, "Delete DS", "DELETE", "NOT_ZONE_SIGN"),
    1: KeyAlgorithm(1, "RSA/MD5", "RSAMD5", "DEPRECATED", _S.MUST_NOT, _S.MUST_NOT),
    2: KeyAlgorithm(2, "Diffie-Hellman", "DH", "NOT_ZONE_SIGN"),
    3: KeyAlgorithm(3, "DSA/SHA1", "DSA", "DEPRECATED", _S.MUST_NOT, _S.MUST_NOT),
    5: KeyAlgorithm(5, "RSA/SHA-1", "RSASHA1", "DEPRECATED", _S.NOT_RECOMMENDED, _S.MUST),
    6: KeyAlgorithm(6, "DSA-NSEC3-SHA1", "DSA-NSEC3-SHA1", "DEPRECATED", _S.MUST_NOT, _S.MUST_NOT),
    7: KeyAlgorithm(
        7, "RSASHA1-NSEC3-SHA1", "RSASHA1-NSEC3-SHA1", "DEPRECATED", _S.NOT_RECOMMENDED, _S.MUST
    ),
    8: KeyAlgorithm(8, "RSA/SHA-256", "RSASHA256", "OK", _S.MUST, _S.MUST),
    10: KeyAlgorithm(
        10, "RSA/SHA-512", "RSASHA512", "NOT_RECOMMENDED", _S.NOT_RECOMMENDED, _S.MUST
    ),
    12: KeyAlgorithm(12, "GOST R 34.10-2001", "ECC-GOST", "DEPRECATED", _S.MUST_NOT, _S.MAY),
    13: KeyAlgorithm(
        13, "ECDSA Curve P-256 with SHA-256", "ECDSAP256SHA256", "OK", _S.MUST, _S.MUST
    ),
    14: KeyAlgorithm(
        14, "ECDSA Curve P-384 with SHA-384", "ECDSAP384SHA384", "OK", _S.MAY, _S.RECOMMENDED
    ),
    15: KeyAlgorithm(15, "Ed25519", "ED25519", "OK", _S.RECOMMENDED, _S.RECOMMENDED),
    16: KeyAlgorithm(16, "Ed448", "ED448", "OK", _S.MAY, _S.RECOMMENDED),
    17: KeyAlgorithm(17, "SM2 signing algo w SM3 hash algo", "SM2SM3", "OK"),
    23: KeyAlgorithm(23, "GOST R 34.10-2012", "ECC-GOST12", "OK"),
    252: KeyAlgorithm(252, "Reserved for Indirect Keys", "INDIRECT", "NOT_ZONE_SIGN"),
    253: KeyAlgorithm(253, "private algorithm", "PRIVATEDNS", "PRIVATE"),
    254: KeyAlgorithm(254, "private algorithm OID", "PRIVATEOID", "PRIVATE"),
}

#: DNSKEY algorithms this installation can verify signatures with (dnspython + cryptography).
SUPPORTED_KEY_ALGORITHMS: frozenset[int] = frozenset({1, 3, 5, 6, 7, 8, 10, 13, 14, 15, 16})

#: DS digest types this installation can compute (dnspython's ``make_ds``).
SUPPORTED_DIGEST_TYPES: frozenset[int] = frozenset({1, 2, 4})


def ds_digest_info(number: int) -> DigestAlgorithm:
    """Return the DNSSEC01 classification of DS digest type ``number`` (0-255)."""
    _check_octet(number, "DS digest type")
    if number in _DIGESTS:
        return _DIGESTS[number]
    if 128 <= number <= 252:
        return DigestAlgorithm(number, None, "RESERVED")
    if number in (253, 254):
        return DigestAlgorithm(number, None, "PRIVATE")
    return DigestAlgorithm(number, None, "UNASSIGNED")


def key_algorithm_info(number: int) -> KeyAlgorithm:
    """Return the DNSSEC05 classification of DNSKEY algorithm ``number`` (0-255)."""
    _check_octet(number, "DNSKEY algorithm")
    if number in _KEY_ALGORITHMS:
        return _KEY_ALGORITHMS[number]
    if number in (4, 9, 11, 255) or 123 <= number <= 251:
        return KeyAlgorithm(number, "Reserved", "RESERVED", "RESERVED")
    return KeyAlgorithm(number, "Unassigned", "UNASSIGNED", "UNASSIGNED")


def _check_octet(number: int, what: str) -> None:
    if not 0 <= number <= 255:
        raise ValueError(f"{what} must be between 0 and 255, got {number}")


def algorithm_supported(number: int) -> bool:
    """True when signatures made with DNSKEY algorithm ``number`` can be verified here."""
    return number in SUPPORTED_KEY_ALGORITHMS


def key_tag(key: DNSKEYBase) -> int:
    """Return the RFC 4034 appendix B key tag of a DNSKEY or CDNSKEY record."""
    return _key_tag(key.flags, key.protocol, key.algorithm, key.key)


@functools.lru_cache(maxsize=4096)
def _key_tag(flags: int, protocol: int, algorithm: int, public_key: bytes) -> int:
    """The key tag of the key with these RDATA fields (remembered: checks ask it often)."""
    key = DNSKEY(dns.rdataclass.IN, dns.rdatatype.DNSKEY, flags, protocol, algorithm, public_key)
    return dns.dnssec.key_id(key)


def is_zone_key(key: DNSKEYBase) -> bool:
    """True when the Zone Key flag (bit 7) is set."""
    return bool(key.flags & ZONE_KEY_FLAG)


def is_sep_key(key: DNSKEYBase) -> bool:
    """True when the Secure Entry Point flag (bit 15) is set."""
    return bool(key.flags & SEP_FLAG)


def is_delete_ds(ds: DSBase) -> bool:
    """True for the CDS "delete" record of RFC 8078 section 4 (``0 0 0 00``)."""
    return ds.key_tag == 0 and ds.algorithm == 0 and ds.digest_type == 0 and ds.digest == b"\x00"


def is_delete_dnskey(key: DNSKEYBase) -> bool:
    """True for the CDNSKEY "delete" record of RFC 8078 section 4 (``0 3 0 AA==``)."""
    return key.flags == 0 and key.protocol == 3 and key.algorithm == 0 and key.key == b"\x00"


def ds_matches_dnskey(ds: DSBase, key: DNSKEYBase, owner: dns.name.Name | str) -> bool | None:
    """Tell whether ``ds`` (a DS or CDS) was made from ``key`` owned by ``owner``.

    Returns None when the digest type cannot be computed here, so the caller can skip the
    comparison as the specifications require. Key tag, algorithm and digest must all agree.
    """
    if ds.digest_type not in SUPPORTED_DIGEST_TYPES:
        return None
    if ds.key_tag != key_tag(key) or ds.algorithm != key.algorithm:
        return False
    name = dns.name.from_text(owner) if isinstance(owner, str) else owner
    owner_key = tuple(label.lower() for label in name.labels)
    digest = _ds_digest(owner_key, key.flags, key.protocol, key.algorithm, key.key, ds.digest_type)
    return digest == ds.digest


@functools.lru_cache(maxsize=4096)
def _ds_digest(
    owner: tuple[bytes, ...],
    flags: int,
    protocol: int,
    algorithm: int,
    public_key: bytes,
    digest_type: int,
) -> bytes:
    """The DS digest of a key (by its RDATA fields) at ``owner`` (lower-cased labels).

    Remembered: the servers of a zone give the same keys, and several test cases compare
    the same DS records with them. The digest covers the owner in canonical (lower) case.
    """
    key = DNSKEY(dns.rdataclass.IN, dns.rdatatype.DNSKEY, flags, protocol, algorithm, public_key)
    computed = dns.dnssec.make_ds(
        dns.name.Name(owner),
        key,
        dns.dnssec.DSDigest(digest_type),
        policy=dns.dnssec.allow_all_policy,
        validating=True,
    )
    return bytes(computed.digest)


def make_ds(key: DNSKEYBase, owner: dns.name.Name | str, digest_type: int = 2) -> DS:
    """Return the DS record for ``key`` with ``digest_type`` (any type dnspython computes)."""
    name = dns.name.from_text(owner) if isinstance(owner, str) else owner
    return dns.dnssec.make_ds(
        name,
        _as_dnskey(key),
        dns.dnssec.DSDigest(digest_type),
        policy=dns.dnssec.allow_all_policy,
        validating=True,
    )


def _as_dnskey(key: DNSKEYBase) -> DNSKEY:
    """Turn a CDNSKEY into the equivalent DNSKEY (same RDATA), keep a DNSKEY as it is."""
    if isinstance(key, DNSKEY):
        return key
    return DNSKEY(
        dns.rdataclass.IN, dns.rdatatype.DNSKEY, key.flags, key.protocol, key.algorithm, key.key
    )


def keys_with_tag(keys: Iterable[DNSKEYBase], tag: int) -> list[DNSKEYBase]:
    """Return the keys of ``keys`` whose key tag is ``tag`` (several keys may collide)."""
    return [key for key in keys if key_tag(key) == tag]


class SignatureStatus(enum.StrEnum):
    """Outcome of checking one RRSIG, in the order the Zonemaster procedures test them."""

    NO_DNSKEY = "no-dnskey"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    ALGORITHM_NOT_SUPPORTED = "algorithm-not-supported"
    INVALID = "invalid"
    VALID = "valid"


def rrsig_inception(rrsig: RRSIG) -> datetime:
    """The inception time of ``rrsig`` as an aware UTC datetime."""
    return datetime.fromtimestamp(rrsig.inception, UTC)


def rrsig_expiration(rrsig: RRSIG) -> datetime:
    """The expiration time of ``rrsig`` as an aware UTC datetime."""
    return datetime.fromtimestamp(rrsig.expiration, UTC)


def check_rrsig(
    rrset: dns.rrset.RRset,
    rrsig: RRSIG,
    keys: Iterable[DNSKEYBase],
    now: datetime,
) -> SignatureStatus:
    """Check one signature over ``rrset`` against candidate ``keys`` at the time ``now``.

    The steps follow DNSSEC10: no key with the RRSIG's key tag (and algorithm), then the
    validity period, then algorithm support, then the cryptographic verification (trying
    every key that shares the tag).
    """
    tagged = keys_with_tag(keys, rrsig.key_tag)
    candidates = [key for key in tagged if key.algorithm == rrsig.algorithm]
    if not candidates:
        return SignatureStatus.NO_DNSKEY
    moment = now.timestamp()
    if rrsig.expiration < moment:
        return SignatureStatus.EXPIRED
    if rrsig.inception > moment:
        return SignatureStatus.NOT_YET_VALID
    if not algorithm_supported(rrsig.algorithm):
        return SignatureStatus.ALGORITHM_NOT_SUPPORTED
    return _verify_any(rrset, rrsig, candidates, moment)


def check_rrsig_times_first(
    rrset: dns.rrset.RRset,
    rrsig: RRSIG,
    keys: Iterable[DNSKEYBase],
    now: datetime,
) -> SignatureStatus:
    """Like ``check_rrsig`` in the order of DNSSEC08/09: validity period, algorithm support,
    then a key with the RRSIG's tag, then the cryptographic verification."""
    moment = now.timestamp()
    if rrsig.inception > moment:
        return SignatureStatus.NOT_YET_VALID
    if rrsig.expiration < moment:
        return SignatureStatus.EXPIRED
    if not algorithm_supported(rrsig.algorithm):
        return SignatureStatus.ALGORITHM_NOT_SUPPORTED
    tagged = keys_with_tag(keys, rrsig.key_tag)
    candidates = [key for key in tagged if key.algorithm == rrsig.algorithm]
    if not candidates:
        return SignatureStatus.NO_DNSKEY
    return _verify_any(rrset, rrsig, candidates, moment)


def _verify_any(
    rrset: dns.rrset.RRset, rrsig: RRSIG, candidates: list[DNSKEYBase], moment: float
) -> SignatureStatus:
    if any(_verifies(rrset, rrsig, key, moment) for key in candidates):
        return SignatureStatus.VALID
    return SignatureStatus.INVALID


#: Recent verdicts of ``_verifies`` by the identities of (RRset, RRSIG, key) and whether
#: ``moment`` falls in the signature's validity period. The name servers of a zone usually
#: give byte-identical answers, which share one parse (the same RRset objects), and several
#: test cases verify the same signatures. The objects are kept with their verdict, so an
#: identity cannot be reused by another object while its entry lives.
_VERDICTS: dict[tuple[int, int, int, bool], tuple[object, object, object, bool]] = {}
_VERDICTS_LIMIT = 4096


def _verifies(rrset: dns.rrset.RRset, rrsig: RRSIG, key: DNSKEYBase, moment: float) -> bool:
    current = rrsig.inception <= moment <= rrsig.expiration
    cache_key = (id(rrset), id(rrsig), id(key), current)
    kept = _VERDICTS.get(cache_key)
    if kept is not None and kept[0] is rrset and kept[1] is rrsig and kept[2] is key:
        return kept[3]
    verdict = _verify(rrset, rrsig, key, moment)
    if len(_VERDICTS) >= _VERDICTS_LIMIT:
        _VERDICTS.clear()
    _VERDICTS[cache_key] = (rrset, rrsig, key, verdict)
    return verdict


def _verify(rrset: dns.rrset.RRset, rrsig: RRSIG, key: DNSKEYBase, moment: float) -> bool:
    keyset = dns.rdataset.from_rdata(3600, _as_dnskey(key))
    try:
        dns.dnssec.validate_rrsig(
            rrset, rrsig, {rrsig.signer: keyset}, now=moment, policy=dns.dnssec.allow_all_policy
        )
    except (dns.dnssec.ValidationFailure, dns.exception.DNSException, ValueError):
        return False
    return True


def has_rrsig_by(rrsigs: Iterable[RRSIG], key: DNSKEYBase) -> bool:
    """True when one of ``rrsigs`` names ``key`` as its signer (key tag and algorithm).

    This is the Zonemaster sense of "signed by" in DNSSEC16/17; whether that signature is
    valid is a separate finding.
    """
    tag = key_tag(key)
    return any(rrsig.key_tag == tag and rrsig.algorithm == key.algorithm for rrsig in rrsigs)


# --- NSEC and NSEC3 -------------------------------------------------------------------------

_NSEC_APEX_REQUIRED = frozenset(
    {
        dns.rdatatype.SOA,
        dns.rdatatype.NS,
        dns.rdatatype.DNSKEY,
        dns.rdatatype.NSEC,
        dns.rdatatype.RRSIG,
    }
)
_NSEC_APEX_FORBIDDEN = frozenset({dns.rdatatype.NSEC3PARAM, dns.rdatatype.NSEC3})
_NSEC3_APEX_REQUIRED = frozenset(
    {
        dns.rdatatype.SOA,
        dns.rdatatype.NS,
        dns.rdatatype.DNSKEY,
        dns.rdatatype.NSEC3PARAM,
        dns.rdatatype.RRSIG,
    }
)
_NSEC3_APEX_FORBIDDEN = frozenset({dns.rdatatype.NSEC, dns.rdatatype.NSEC3})


def bitmap_types(record: NSEC | NSEC3) -> set[dns.rdatatype.RdataType]:
    """The RR types listed in the type bitmap of an NSEC or NSEC3 record."""
    types: set[dns.rdatatype.RdataType] = set()
    for window, bitmap in record.windows:
        for index, octet in enumerate(bitmap):
            for bit in range(8):
                if octet & (0x80 >> bit):
                    types.add(dns.rdatatype.RdataType.make(window * 256 + index * 8 + bit))
    return types


def nsec_apex_type_list_ok(record: NSEC) -> bool:
    """True when an apex NSEC lists SOA, NS, DNSKEY, NSEC, RRSIG and neither NSEC3 type."""
    return _type_list_ok(bitmap_types(record), _NSEC_APEX_REQUIRED, _NSEC_APEX_FORBIDDEN)


def nsec3_apex_type_list_ok(record: NSEC3) -> bool:
    """True when an apex NSEC3 lists SOA, NS, DNSKEY, NSEC3PARAM, RRSIG and not NSEC/NSEC3."""
    return _type_list_ok(bitmap_types(record), _NSEC3_APEX_REQUIRED, _NSEC3_APEX_FORBIDDEN)


def _type_list_ok(
    types: set[dns.rdatatype.RdataType],
    required: frozenset[dns.rdatatype.RdataType],
    forbidden: frozenset[dns.rdatatype.RdataType],
) -> bool:
    return required <= types and not (forbidden & types)


def nsec3_owner_matches(owner: dns.name.Name, record: NSEC3, zone: dns.name.Name) -> bool:
    """True when ``owner`` is the NSEC3 hashed name of the apex of ``zone``.

    The hash uses the record's own salt, iterations and algorithm; an unknown hash algorithm
    never matches.
    """
    if record.algorithm != NSEC3_HASH_SHA1:
        return False
    hashed = dns.dnssec.nsec3_hash(zone, record.salt, record.iterations, record.algorithm)
    expected = dns.name.Name([hashed.encode("ascii")]).concatenate(zone)
    return owner == expected


def nsec3_opt_out(flags: int) -> bool:
    """True when the opt-out flag (bit 7, value 1) is set in NSEC3 ``flags``."""
    return bool(flags & NSEC3_OPT_OUT_FLAG)


def nsec3_unassigned_flag_bits(flags: int) -> list[int]:
    """The unassigned NSEC3 flag bits set in ``flags``, numbered 0 (MSB) to 6 as in RFC 5155."""
    return [bit for bit in range(7) if flags & (0x80 >> bit)]


@dataclass(frozen=True)
class Nsec3Parameters:
    """The NSEC3 parameters RFC 9276 makes recommendations about."""

    algorithm: int
    flags: int
    iterations: int
    salt_length: int

    @classmethod
    def of(cls, record: NSEC3) -> Nsec3Parameters:
        """Extract the parameters of an NSEC3 (or NSEC3PARAM) record."""
        return cls(record.algorithm, record.flags, record.iterations, len(record.salt))

    def rfc9276_findings(self) -> list[str]:
        """Human-readable deviations from RFC 9276 section 3.1 (empty when compliant)."""
        findings = []
        if self.algorithm != NSEC3_HASH_SHA1:
            findings.append(f"hash algorithm {self.algorithm} is not SHA-1 (1)")
        if self.iterations != 0:
            findings.append(f"{self.iterations} additional iterations where 0 MUST be used")
        if self.salt_length:
            findings.append(f"a {self.salt_length}-octet salt where an empty salt SHOULD be used")
        if nsec3_opt_out(self.flags):
            findings.append("opt-out is set, which is NOT RECOMMENDED outside large TLD-like zones")
        return findings


# --- key sizes --------------------------------------------------------------------------------

_RSA_ALGORITHMS = frozenset({1, 5, 7, 8, 10})


def is_rsa_algorithm(number: int) -> bool:
    """True for the RSA family of DNSKEY algorithms (1, 5, 7, 8, 10)."""
    return number in _RSA_ALGORITHMS


def rsa_modulus_bits(key: DNSKEYBase) -> int:
    """Return the modulus size in bits of an RSA DNSKEY (RFC 3110 public key layout).

    Raises ValueError naming the problem when the key is not RSA or its data is truncated.
    """
    if not is_rsa_algorithm(key.algorithm):
        raise ValueError(f"DNSKEY algorithm {key.algorithm} is not an RSA algorithm")
    data = key.key
    if not data:
        raise ValueError("RSA DNSKEY has an empty public key")
    exponent_length, offset = data[0], 1
    if exponent_length == 0:
        if len(data) < 3:
            raise ValueError("RSA DNSKEY is too short to hold its exponent length")
        exponent_length, offset = int.from_bytes(data[1:3], "big"), 3
    modulus = data[offset + exponent_length :]
    if not modulus:
        raise ValueError("RSA DNSKEY has no modulus")
    return int.from_bytes(modulus, "big").bit_length()


# --- parsing records as served ---------------------------------------------------------------


def _init_ds_fields(
    record: DSBase, key_tag: int, algorithm: int, digest_type: int, digest: bytes
) -> None:
    record.key_tag = record._as_uint16(key_tag)  # type: ignore[misc]
    record.algorithm = dns.dnssectypes.Algorithm.make(algorithm)  # type: ignore[misc]
    record.digest_type = dns.dnssectypes.DSDigest.make(  # type: ignore[misc]
        record._as_uint8(digest_type)
    )
    record.digest = record._as_bytes(digest)  # type: ignore[misc]


@dns.immutable.immutable
class MeasuredDS(DS):
    """A DS record exactly as served, even with digest type 0 or a digest of the wrong length.

    dnspython rejects such records, which would make the whole response unparseable; a
    measurement engine must see them to report them (DNSSEC01 classifies digest type 0).
    """

    def __init__(
        self, rdclass: Any, rdtype: Any, key_tag: Any, algorithm: Any, digest_type: Any, digest: Any
    ) -> None:
        dns.rdata.Rdata.__init__(self, rdclass, rdtype)
        _init_ds_fields(self, key_tag, algorithm, digest_type, digest)


@dns.immutable.immutable
class MeasuredCDS(CDS):
    """A CDS record exactly as served (see ``MeasuredDS``)."""

    def __init__(
        self, rdclass: Any, rdtype: Any, key_tag: Any, algorithm: Any, digest_type: Any, digest: Any
    ) -> None:
        dns.rdata.Rdata.__init__(self, rdclass, rdtype)
        _init_ds_fields(self, key_tag, algorithm, digest_type, digest)


def parse_as_served() -> None:
    """Make dnspython keep DNSSEC records exactly as servers send them.

    Two process-wide, idempotent changes, made when this module is imported (which happens
    before any check runs: the registry imports every check module first):

    - DS and CDS records are parsed without judging digest type and length (``MeasuredDS``);
    - NSEC is no longer a "singleton" type, so a response carrying two NSEC records for one
      owner keeps both (dnspython would silently keep the last one, hiding the fault that
      DNSSEC10 reports as ``DS10_ERR_MULT_NSEC``).
    """
    table = dns.rdata._rdata_classes  # dnspython's type registry (no public override API)
    for rdclass in (dns.rdataclass.IN, dns.rdataclass.ANY):
        table[(rdclass, dns.rdatatype.DS)] = MeasuredDS
        table[(rdclass, dns.rdatatype.CDS)] = MeasuredCDS
    dns.rdatatype._singletons.discard(dns.rdatatype.NSEC)


parse_as_served()
