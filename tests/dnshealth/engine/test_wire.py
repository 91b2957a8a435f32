"""The fast response reader gives exactly what ``dns.message.from_wire`` gives, errors too."""

from __future__ import annotations

import pickle
import struct

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rrset
import pytest

from dnscert.dnshealth.engine import wire


def _signature(message: dns.message.Message) -> tuple[object, ...]:
    """Everything a check can read of a message, enum types included."""
    sections = []
    for section in message.sections:
        for rrset in section:
            sections.append(
                (
                    rrset.name.labels,
                    repr(rrset.rdclass),
                    repr(rrset.rdtype),
                    repr(rrset.covers),
                    rrset.ttl,
                    rrset.deleting,
                    [rdata.to_text() for rdata in rrset],
                )
            )
        sections.append(("--",))
    return (
        type(message),
        message.id,
        repr(message.flags),
        message.rcode(),
        message.edns,
        message.ednsflags,
        message.payload,
        [option.to_text() for option in message.options],
        message.to_text(),
        tuple(sections),
    )


def _assert_same(data: bytes) -> None:
    expected = dns.message.from_wire(data)
    wire.clear_caches()
    first = wire.read_message(data)
    again = wire.read_message(data)  # now from the caches
    assert _signature(first) == _signature(expected)
    assert _signature(again) == _signature(expected)


def _response(qname: str, rdtype: str, records: dict[str, list[str]]) -> dns.message.Message:
    query = dns.message.make_query(qname, rdtype)
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    for section_name, lines in records.items():
        section = getattr(response, section_name)
        for line in lines:
            name, ttl, rdclass, rrtype, *rest = line.split(None, 4)
            rrset = dns.rrset.from_text(name, int(ttl), rdclass, rrtype, *rest)
            section.append(rrset)
    return response


REFERRAL = {
    "authority": [
        "child.xa. 3600 IN NS ns1.child.xa.",
        "child.xa. 3600 IN NS ns.other.xb.",
    ],
    "additional": [
        "ns1.child.xa. 3600 IN A 192.0.2.1",
        "ns1.child.xa. 3600 IN AAAA 2001:db8::1",
    ],
}
SIGNED = {
    "answer": [
        "child.xa. 300 IN SOA ns1.child.xa. hostmaster.child.xa. 7 21600 3600 1209600 3600",
        "child.xa. 300 IN RRSIG SOA 13 2 300 20300101000000 20200101000000 12345 child.xa. "
        "dGVzdHNpZ25hdHVyZXRlc3RzaWduYXR1cmU=",
    ],
    "authority": [
        "child.xa. 300 IN NS ns1.child.xa.",
        "child.xa. 300 IN RRSIG NS 13 2 300 20300101000000 20200101000000 12345 child.xa. "
        "b3RoZXJzaWduYXR1cmVvdGhlcnNpZ25hdHVyZQ==",
    ],
    "additional": [
        "child.xa. 300 IN DNSKEY 257 3 13 "
        "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==",
        "child.xa. 300 IN DS 12345 13 2 "
        "0000000000000000000000000000000000000000000000000000000000000000",
        'child.xa. 300 IN TXT "v=spf1 -all" "second string"',
        "child.xa. 300 IN MX 10 mail.child.xa.",
        "www.child.xa. 300 IN CNAME child.xa.",
        "1.2.0.192.in-addr.arpa. 300 IN PTR ns1.child.xa.",
        "old.child.xa. 300 IN DNAME new.child.xa.",
        "child.xa. 300 IN NSEC3PARAM 1 0 0 -",
        "child.xa. 300 IN TYPE65280 \\# 3 010203",
    ],
}


@pytest.mark.parametrize(
    ("qname", "rdtype", "records"),
    [
        ("child.xa.", "NS", REFERRAL),
        ("child.xa.", "SOA", SIGNED),
        ("nothing.xa.", "A", {}),
    ],
)
def test_it_reads_common_responses_as_dnspython_does(
    qname: str, rdtype: str, records: dict[str, list[str]]
) -> None:
    response = _response(qname, rdtype, records)
    _assert_same(response.to_wire())
    response.use_edns(0, dns.flags.DO, 1232, options=[dns.edns.GenericOption(65001, b"xy")])
    response.set_rcode(dns.rcode.BADVERS)  # extended rcode bits live in the OPT record
    _assert_same(response.to_wire())


def test_it_merges_records_of_one_owner_in_any_letter_case_and_drops_duplicates() -> None:
    response = _response("child.xa.", "NS", {})
    response.answer.append(dns.rrset.from_text("Child.XA.", 300, "IN", "NS", "ns1.child.xa."))
    response.answer.append(dns.rrset.from_text("child.xa.", 200, "IN", "NS", "ns2.child.xa."))
    response.answer.append(dns.rrset.from_text("CHILD.xa.", 100, "IN", "NS", "NS1.child.xa."))
    data = response.to_wire()
    _assert_same(data)
    message = wire.read_message(data)
    assert len(message.answer) == 1 and len(message.answer[0]) == 2
    assert message.answer[0].ttl == 100


def test_it_keeps_one_record_of_a_singleton_type_and_clamps_huge_ttls() -> None:
    response = _response("www.child.xa.", "CNAME", {})
    response.answer.append(dns.rrset.from_text("www.child.xa.", 300, "IN", "CNAME", "a.xa."))
    response.answer.append(dns.rrset.from_text("www.child.xa.", 300, "IN", "CNAME", "b.xa."))
    data = bytearray(response.to_wire())
    ttl_at = data.rindex(struct.pack("!HHI", 5, 1, 300)) + 4
    data[ttl_at : ttl_at + 4] = struct.pack("!I", 0x80000000)
    _assert_same(bytes(data))


def _header(an: int = 0, ns: int = 0, ar: int = 0, flags: int = 0x8400) -> bytes:
    question = b"\x05child\x02xa\x00\x00\x02\x00\x01"  # child.xa. NS IN
    return struct.pack("!HHHHHH", 4660, flags, 1, an, ns, ar) + question


NS_RR = b"\xc0\x0c\x00\x02\x00\x01\x00\x00\x0e\x10\x00\x02\xc0\x0c"  # child.xa. NS child.xa.
SOA_TIMES = struct.pack("!IIIII", 7, 21600, 3600, 1209600, 3600)


def _rr(rdtype: int, rdata: bytes) -> bytes:
    """A record owned by child.xa. (a pointer to the question) with this rdata."""
    return b"\xc0\x0c" + struct.pack("!HHIH", rdtype, 1, 300, len(rdata)) + rdata


RRSIG_FIELDS = struct.pack("!HBBIIIH", 6, 13, 2, 300, 1_900_000_000, 1_600_000_000, 12345)


@pytest.mark.parametrize(
    "data",
    [
        b"\x12\x34\x84",  # shorter than a header
        _header(an=1),  # a record announced, none there
        _header(an=1) + NS_RR[:-3],  # cut inside the record
        _header(an=1) + NS_RR + b"\x00",  # trailing junk
        _header(an=1) + b"\xc0\x40" + NS_RR[2:],  # pointer forwards
        _header(an=1) + b"\xc0\x1a" + NS_RR[2:],  # pointer to itself
        _header(an=1) + b"\x80" + NS_RR[1:],  # label type 10
        _header(an=1) + NS_RR[:-2] + b"\xc0\x7f",  # rdata pointer out of the message
        _header(an=1) + NS_RR[:-4] + b"\x00\x03\xc0\x0c\x00",  # rdata longer than its name
        _header(an=1) + b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00",  # OPT in answer
        _header(ar=2) + b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00" * 2,  # two OPTs
        _header(ar=1) + b"\xc0\x0c\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00",  # OPT not at root
        _header(an=1) + (b"\x3f" + b"a" * 63) * 4 + b"\x00" + NS_RR[2:],  # name too long
        _header(an=1) + NS_RR[:-4] + b"\x00\x03\x01a\x00",  # NS target written out
        _header(an=1) + _rr(6, b"\xc0\x0c\x02ns\xc0\x0c" + SOA_TIMES),  # SOA, compressed
        _header(an=1) + _rr(6, b"\xc0\x0c\xc0\x0c" + SOA_TIMES[:-1]),  # SOA one octet short
        _header(an=1) + _rr(6, b"\xc0\x0c\xc0\x0c" + SOA_TIMES + b"\x00"),  # SOA too long
        _header(an=1) + _rr(6, b"\xc0\x0c"),  # SOA without rname
        _header(an=1) + _rr(15, b"\x00\x0a\x04mail\xc0\x0c"),  # MX, compressed exchange
        _header(an=1) + _rr(15, b"\x00"),  # MX cut in its preference
        _header(an=1) + _rr(15, b"\x00\x0a\xc0\x0c\x00"),  # MX with a trailing octet
        _header(an=1) + _rr(46, RRSIG_FIELDS + b"\x05child\x02xa\x00" + b"sig"),  # RRSIG
        _header(an=1) + _rr(46, RRSIG_FIELDS + b"\x05child\x02xa\x00"),  # empty signature
        _header(an=1) + _rr(46, RRSIG_FIELDS + b"\xc0\x0c" + b"sig"),  # compressed signer
        _header(an=1) + _rr(46, RRSIG_FIELDS[:10]),  # RRSIG cut in its fields
        _header(an=1, flags=0xA800) + NS_RR,  # UPDATE opcode: another message class
        _header(an=1, flags=0x9000) + NS_RR,  # STATUS opcode
    ],
)
def test_it_fails_or_succeeds_like_dnspython_on_odd_wire(data: bytes) -> None:
    try:
        expected = dns.message.from_wire(data)
    except Exception as exc:
        wire.clear_caches()
        with pytest.raises(type(exc)):
            wire.read_message(data)
    else:
        _assert_same(data)
        assert type(wire.read_message(data)) is type(expected)


def test_it_keeps_each_message_its_own_sections_while_sharing_rdata() -> None:
    data = _response("child.xa.", "NS", REFERRAL).to_wire()
    first, second = wire.read_message(data), wire.read_message(data)
    assert first.authority is not second.authority
    assert first.authority == second.authority
    assert first.index is None  # find_rrset still works, by scanning
    found = first.find_rrset(first.additional, dns.name.from_text("NS1.child.xa."), 1, 1)
    assert found.name == dns.name.from_text("ns1.child.xa.")


def test_it_empties_its_caches_when_they_are_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wire, "CACHE_LIMIT", 3)
    wire.clear_caches()
    for index in range(10):
        response = _response(f"z{index}.xa.", "NS", {})
        response.answer.append(
            dns.rrset.from_text(f"z{index}.xa.", 60, "IN", "NS", f"ns.z{index}.xa.")
        )
        data = response.to_wire()
        assert _signature(wire.read_message(data)) == _signature(dns.message.from_wire(data))
        assert len(wire._names) <= 3 and len(wire._rdata) <= 3


def test_kept_records_keep_their_hash_and_behave_as_dnspython_records() -> None:
    data = _response("child.xa.", "NS", REFERRAL).to_wire()
    expected = dns.message.from_wire(data)
    first, second = wire.read_message(data), wire.read_message(data)
    for ours, theirs in zip(first.additional, expected.additional, strict=True):
        for kept, plain in zip(ours, theirs, strict=True):
            assert kept == plain and plain == kept and hash(kept) == hash(plain)
            assert isinstance(kept, type(plain)) and kept.to_text() == plain.to_text()
            assert pickle.loads(pickle.dumps(kept)) == plain
    shared = first.additional[0][0]  # the A record of ns1.child.xa.
    assert shared is second.additional[0][0]  # one record object (and one hash) for both
    # dnspython's replace() on a kept record gives a record with its own, right hash.
    changed = shared.replace(address="192.0.2.99")
    plain_changed = dns.rdata.from_text(shared.rdclass, shared.rdtype, changed.to_text())
    assert changed == plain_changed and hash(changed) == hash(plain_changed)
