"""Reading DNS responses fast: ``read_message(wire)`` gives what ``dns.message.from_wire`` gives.

Parsing is the largest CPU cost of a query. A batch reads the same owner names (zone apexes,
name-server names) and the same record data (glue addresses, DNSKEYs, NS targets) again and
again, so this reader keeps what does not depend on the message it came from:

- owner and NS-target names, by their exact labels (``dns.name.Name`` is immutable);
- rdata without embedded names (A, AAAA, DS, DNSKEY, TXT, OPT...), by class, type and bytes;
- NS, CNAME and PTR rdata, by their target's labels;
- SOA, MX and RRSIG, read field by field (names as above), by content.

Names are ``names.KeptName``s (hash and comparison computed once).

Everything else (NSEC, DNAME, SRV...) is read by dnspython's own rdata parsers. RRsets are
filled as ``Rdataset.add`` does (TTL minimum, duplicates dropped, singleton types keep the last
record), with one hash per record instead of two. Anything unusual — another opcode, TSIG, a
misplaced OPT, a bad pointer, trailing bytes, any error at all — is handed to
``dns.message.from_wire``, which either reads it or raises its usual exception. The messages
differ from ``from_wire``'s in one way: they have no RRset index (``message.index`` is None),
which ``find_rrset`` handles with a scan.
"""

from __future__ import annotations

import functools
import struct
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.wire

from dnscert.dnshealth.engine.names import KeptName

#: Entries kept per cache before it is emptied (bounded memory over a long batch).
CACHE_LIMIT = 50_000

#: Record types without embedded names: the same bytes always give the same rdata.
_BY_BYTES = frozenset(
    int(dns.rdatatype.RdataType.make(name))
    for name in ("A", "AAAA", "DS", "DNSKEY", "CDS", "CDNSKEY", "TXT", "NSEC3PARAM", "OPT")
)
#: Record types whose rdata is one domain name that may be compressed (not DNAME).
_ONE_NAME = frozenset(int(dns.rdatatype.RdataType.make(name)) for name in ("NS", "CNAME", "PTR"))
#: Record types read here from their fields (names as read by ``_name``), kept by content.
_SOA = int(dns.rdatatype.SOA)
_MX = int(dns.rdatatype.MX)
_BY_FIELDS = frozenset({_SOA, _MX, int(dns.rdatatype.RRSIG)})
_SOA_FIELDS = struct.Struct("!IIIII")
_RRSIG_FIELDS = struct.Struct("!HBBIIIH")
_OPT = int(dns.rdatatype.OPT)
_TSIG = int(dns.rdatatype.TSIG)
_RRSIG = int(dns.rdatatype.RRSIG)
_SIG = int(dns.rdatatype.SIG)
_ADDITIONAL = 3
_HEADER = struct.Struct("!HHHHHH")
_QUESTION = struct.Struct("!HH")
_RR = struct.Struct("!HHIH")
_MAX_POINTERS = getattr(dns.name, "MAX_COMPRESSION_POINTER_CHAIN", 16)


class _Unusual(Exception):
    """Raised inside the fast path: leave this message to ``dns.message.from_wire``."""


#: exact labels -> (Name, case-folded labels used to group RRs into RRsets)
_names: dict[tuple[bytes, ...], tuple[dns.name.Name, tuple[bytes, ...]]] = {}
#: (class, type, bytes) or (class, type, target labels) -> rdata
_rdata: dict[tuple[Any, ...], dns.rdata.Rdata] = {}
_types: dict[int, dns.rdatatype.RdataType] = {}
_classes: dict[int, dns.rdataclass.RdataClass] = {}
_flags: dict[int, dns.flags.Flag] = {}
_singletons: dict[int, bool] = {}


def read_message(wire: bytes) -> dns.message.Message:
    """The response in ``wire`` as a ``dns.message.Message`` (``from_wire``'s exceptions)."""
    try:
        return _read(wire)
    except Exception:  # unusual or broken: dnspython reads it or says what is wrong
        return dns.message.from_wire(wire)


def clear_caches() -> None:
    """Forget the kept names and rdata (tests; the caches also empty themselves when full)."""
    _names.clear()
    _rdata.clear()


def _read(wire: bytes) -> dns.message.Message:
    if len(wire) < 12:
        raise _Unusual
    msg_id, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(wire)
    if (flags >> 11) & 0xF != 0:  # only QUERY: other opcodes get other message classes
        raise _Unusual
    message = dns.message.QueryMessage(id=msg_id)
    message.flags = _flag(flags)
    message.wire = wire
    message.index = None  # type: ignore[assignment]  # dnspython scans when there is no index
    offset = 12
    for _ in range(qdcount):
        (name, _key), offset = _name(wire, offset)
        rdtype, rdclass = _QUESTION.unpack_from(wire, offset)
        offset += 4
        message.question.append(dns.rrset.RRset(name, _class(rdclass), _type(rdtype)))
    for section_number, count in ((1, ancount), (2, nscount), (3, arcount)):
        section = message.sections[section_number]
        groups: dict[tuple[Any, ...], dns.rrset.RRset] = {}
        for _ in range(count):
            offset = _read_rr(wire, offset, message, section_number, section, groups)
    if offset != len(wire):
        raise _Unusual
    return message


def _read_rr(
    wire: bytes,
    offset: int,
    message: dns.message.Message,
    section_number: int,
    section: list[dns.rrset.RRset],
    groups: dict[tuple[Any, ...], dns.rrset.RRset],
) -> int:
    (name, key), offset = _name(wire, offset)
    rdtype, rdclass, ttl, rdlen = _RR.unpack_from(wire, offset)
    offset += 10
    end = offset + rdlen
    if end > len(wire) or rdtype == _TSIG:
        raise _Unusual
    rdata = _rdata_at(wire, offset, end, rdclass, rdtype)
    if rdtype == _OPT:
        if section_number != _ADDITIONAL or message.opt is not None or name != dns.name.root:
            raise _Unusual
        message.opt = dns.rrset.from_rdata(name, ttl, rdata)
        return end
    covers = rdata.covers()
    group = (key, rdclass, rdtype, covers)
    rrset = groups.get(group)
    if rrset is None:
        rrset = dns.rrset.RRset(name, _class(rdclass), _type(rdtype), _type(covers))
        groups[group] = rrset
        section.append(rrset)
    _add(rrset, rdata, 0 if ttl > 0x7FFFFFFF else ttl, rdtype)
    return end


def _add(rrset: dns.rrset.RRset, rdata: dns.rdata.Rdata, ttl: int, rdtype: int) -> None:
    """``rrset.add(rdata, ttl)`` for an rdata of the RRset's own type and covered type.

    The same steps as ``dns.rdataset.Rdataset.add`` (TTL minimum, singleton types keep the
    last record, duplicates are dropped) with one hash of the rdata instead of two: hashing
    rdata with names (NS, SOA) is the dearest part of reading a response.
    """
    items = rrset.items
    if not items:
        rrset.ttl = ttl
    else:
        if ttl < rrset.ttl:
            rrset.ttl = ttl
        if _singleton(rdtype):
            items.clear()
    items.setdefault(rdata, None)


def _rdata_at(wire: bytes, offset: int, end: int, rdclass: int, rdtype: int) -> dns.rdata.Rdata:
    """The rdata in ``wire[offset:end]`` (kept when it does not depend on the message)."""
    if rdtype in _BY_BYTES:
        cache_key: tuple[Any, ...] = (rdclass, rdtype, wire[offset:end])
    elif rdtype in _ONE_NAME:
        (target, _key), name_end = _name(wire, offset, end)
        if name_end != end:
            raise _Unusual
        cache_key = (rdclass, rdtype, target.labels)
        rdata = _rdata.get(cache_key)
        if rdata is None:
            # The target as read above (a KeptName), not a second parse of the same bytes.
            kind = dns.rdata.get_rdata_class(_class(rdclass), _type(rdtype))
            rdata = kind(_class(rdclass), _type(rdtype), target)
            rdata = _keep(cache_key, rdata)
        return rdata
    elif rdtype in _BY_FIELDS:
        return _rdata_by_fields(wire, offset, end, rdclass, rdtype)
    else:
        return _parse_rdata(wire, offset, end, rdclass, rdtype)
    rdata = _rdata.get(cache_key)
    if rdata is None:
        rdata = _parse_rdata(wire, offset, end, rdclass, rdtype)
        rdata = _keep(cache_key, rdata)
    return rdata


def _rdata_by_fields(
    wire: bytes, offset: int, end: int, rdclass: int, rdtype: int
) -> dns.rdata.Rdata:
    """SOA, MX or RRSIG read as dnspython's parsers read them, kept by content.

    Their names are read by ``_name`` (``KeptName``s, compressed where dnspython allows it:
    SOA and MX names, not the RRSIG signer); anything else leaves the message to dnspython.
    """
    fields: tuple[Any, ...]
    if rdtype == _SOA:
        (mname, _key), position = _name(wire, offset, end)
        (rname, _key), position = _name(wire, position, end)
        if end - position != _SOA_FIELDS.size:
            raise _Unusual
        fields = (mname, rname, *_SOA_FIELDS.unpack_from(wire, position))
        cache_key: tuple[Any, ...] = (
            rdclass,
            rdtype,
            mname.labels,
            rname.labels,
            wire[position:end],
        )
    elif rdtype == _MX:
        if end - offset < 3:
            raise _Unusual
        (exchange, _key), position = _name(wire, offset + 2, end)
        if position != end:
            raise _Unusual
        fields = (int.from_bytes(wire[offset : offset + 2], "big"), exchange)
        cache_key = (rdclass, rdtype, wire[offset : offset + 2], exchange.labels)
    else:  # RRSIG
        # Its signer is never compressed (checked below before a record is kept), so the
        # same bytes are always the same record: look them up before reading any field.
        cache_key = (rdclass, rdtype, wire[offset:end])
        kept = _rdata.get(cache_key)
        if kept is not None:
            return kept
        start = offset + _RRSIG_FIELDS.size
        if end < start:
            raise _Unusual
        (signer, _key), position = _name(wire, start, end)
        if position - start != sum(len(label) + 1 for label in signer.labels):
            raise _Unusual  # a compressed signer: dnspython refuses it
        signature = wire[position:end]
        fields = (*_RRSIG_FIELDS.unpack_from(wire, offset), signer, signature)
    rdata = _rdata.get(cache_key)
    if rdata is None:
        kind = dns.rdata.get_rdata_class(_class(rdclass), _type(rdtype))
        rdata = kind(_class(rdclass), _type(rdtype), *fields)
        rdata = _keep(cache_key, rdata)
    return rdata


def _keep(cache_key: tuple[Any, ...], rdata: dns.rdata.Rdata) -> dns.rdata.Rdata:
    """Keep ``rdata`` (as its hash-keeping copy, when its type has one); return what is kept."""
    if len(_rdata) >= CACHE_LIMIT:
        _rdata.clear()
    kept_class = _KEPT_CLASSES.get(type(rdata))
    if kept_class is not None:
        kept: dns.rdata.Rdata = object.__new__(kept_class)
        for slot in _SLOTS[kept_class]:
            object.__setattr__(kept, slot, getattr(rdata, slot))
        object.__setattr__(kept, "_kept_hash", hash(rdata))
        rdata = kept
    _rdata[cache_key] = rdata
    return rdata


def _kept_class(base: type[dns.rdata.Rdata]) -> type[dns.rdata.Rdata]:
    """A subclass of ``base`` whose instances keep their hash, defined in this module.

    Rdata are immutable, and a kept record is put in an RRset (a dict keyed by rdata) each
    time a response carries it: dnspython's ``__hash__`` converts the record to wire form
    every time (for A and AAAA, parsing the address text again). Instances made by
    dnspython itself (``replace``) compute their hash on creation.
    """
    base_init = base.__init__
    base_hash = base.__hash__

    @functools.wraps(base_init)  # the signature ``Rdata.replace`` reads the fields from
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        base_init(self, *args, **kwargs)
        object.__setattr__(self, "_kept_hash", base_hash(self))

    def __hash__(self: Any) -> int:
        kept: int = self._kept_hash
        return kept

    name = f"Kept{base.__name__}"
    namespace = {
        "__slots__": ("_kept_hash",),
        "__init__": __init__,
        "__hash__": __hash__,
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"{base.__name__} rdata that keeps its hash (``wire._kept_class``).",
    }
    kept: type[dns.rdata.Rdata] = type(name, (base,), namespace)
    globals()[name] = kept  # importable by name: instances can be pickled
    return kept


#: Record class -> its hash-keeping subclass, for the types this reader keeps (class IN).
_KEPT_CLASSES: dict[type, type[dns.rdata.Rdata]] = {}
for _kept_type in (
    "A",
    "AAAA",
    "NS",
    "CNAME",
    "PTR",
    "SOA",
    "MX",
    "RRSIG",
    "DS",
    "DNSKEY",
    "CDS",
    "CDNSKEY",
    "TXT",
    "NSEC3PARAM",
):
    _base = dns.rdata.get_rdata_class(dns.rdataclass.IN, dns.rdatatype.RdataType.make(_kept_type))
    _KEPT_CLASSES[_base] = _kept_class(_base)
#: Every slot of a kept class's base (what a copy must carry over).
_SLOTS: dict[type, tuple[str, ...]] = {
    kept: tuple(
        dict.fromkeys(slot for cls in base.__mro__ for slot in getattr(cls, "__slots__", ()))
    )
    for base, kept in _KEPT_CLASSES.items()
}


def _parse_rdata(wire: bytes, offset: int, end: int, rdclass: int, rdtype: int) -> dns.rdata.Rdata:
    parser = dns.wire.Parser(wire, offset)
    with parser.restrict_to(end - offset):
        return dns.rdata.from_wire_parser(_class(rdclass), _type(rdtype), parser, None)


def _name(
    wire: bytes, offset: int, limit: int | None = None
) -> tuple[tuple[dns.name.Name, tuple[bytes, ...]], int]:
    """The (possibly compressed) name at ``offset`` and the offset just after it.

    As strict as dnspython: pointers go strictly backwards, at most
    ``MAX_COMPRESSION_POINTER_CHAIN`` of them, and a pointer's target must end before the
    labels that point to it; nothing is read at or past ``limit``.
    """
    end = len(wire) if limit is None else limit
    labels: list[bytes] = []
    after = -1
    hops = 0
    start = lowest = position = offset
    while True:
        if position >= end:
            raise _Unusual
        length = wire[position]
        if length == 0:
            position += 1
            break
        if length < 64:
            following = position + 1 + length
            if following > end:
                raise _Unusual
            labels.append(wire[position + 1 : following])
            position = following
        elif length >= 192 and position + 1 < end:
            target = ((length & 0x3F) << 8) | wire[position + 1]
            hops += 1
            if target >= lowest or hops > _MAX_POINTERS:
                raise _Unusual
            if after < 0:
                after = position + 2
            lowest = position = target
            end, start = start, target
        else:
            raise _Unusual
    labels.append(b"")
    exact = tuple(labels)
    known = _names.get(exact)
    if known is None:
        name = KeptName(exact)  # validates the total length
        known = (name, name.folded)
        if len(_names) >= CACHE_LIMIT:
            _names.clear()
        _names[exact] = known
    return known, (after if after >= 0 else position)


def _type(value: int) -> dns.rdatatype.RdataType:
    found = _types.get(value)
    if found is None:
        found = _types[value] = dns.rdatatype.RdataType.make(value)
    return found


def _class(value: int) -> dns.rdataclass.RdataClass:
    found = _classes.get(value)
    if found is None:
        found = _classes[value] = dns.rdataclass.RdataClass.make(value)
    return found


def _singleton(rdtype: int) -> bool:
    found = _singletons.get(rdtype)
    if found is None:
        found = _singletons[rdtype] = dns.rdatatype.is_singleton(_type(rdtype))
    return found


def _flag(value: int) -> dns.flags.Flag:
    found = _flags.get(value)
    if found is None:
        found = _flags[value] = dns.flags.Flag(value)
    return found


__all__ = ["CACHE_LIMIT", "clear_caches", "read_message"]
