"""``KeptName`` behaves exactly as ``dns.name.Name`` does, only faster."""

from __future__ import annotations

import copy
import io
import itertools
import pickle

import dns.name
import pytest

from dnscert.dnshealth.engine.names import KeptName, keep, keep_labels, kept_name

TEXTS = [
    ".",
    "xa.",
    "example.xa.",
    "EXAMPLE.xa.",
    "ns1.Example.XA.",
    "ns1.example.xa.",
    "a.b.example.xa.",
    "example.xb.",
    "exam\\.ple.xa.",
    "\\000.xa.",
    "example",  # relative names
    "EXAMPLE",
    "ns1.example",
    "@",
]


def plain(text: str) -> dns.name.Name:
    if text == "@":
        return dns.name.empty
    return dns.name.from_text(text, origin=None if not text.endswith(".") else dns.name.root)


def kept(text: str) -> KeptName:
    return KeptName(plain(text).labels)


@pytest.mark.parametrize(("first", "second"), list(itertools.product(TEXTS, repeat=2)))
def test_it_compares_hashes_and_nests_as_dnspython(first: str, second: str) -> None:
    a, b = plain(first), plain(second)
    for left, right in ((kept(first), kept(second)), (kept(first), b), (a, kept(second))):
        assert (left == right) is (a == b)
        assert (left != right) is (a != b)
        assert left.is_subdomain(right) is a.is_subdomain(b)
        assert (left < right) is (a < b)
    assert hash(kept(first)) == hash(a)


def test_it_mixes_with_plain_names_in_sets_and_dicts() -> None:
    table = {dns.name.from_text("Example.XA."): 1}
    assert table[kept_name("example.xa.")] == 1
    assert kept_name("EXAMPLE.xa.") in {dns.name.from_text("example.xa.")}
    assert dns.name.from_text("example.xa.") in {kept_name("eXample.xa.")}
    assert kept_name("example.xa.") != "example.xa."  # other types are never equal


@pytest.mark.parametrize("text", TEXTS)
def test_it_writes_wire_and_text_as_dnspython(text: str) -> None:
    name, fast = plain(text), kept(text)
    for omit in (False, True):
        assert fast.to_text(omit) == name.to_text(omit)
        assert fast.to_text(omit) == name.to_text(omit)  # again, from what it kept
    assert str(fast) == str(name)
    if not name.is_absolute():
        with pytest.raises(dns.name.NeedAbsoluteNameOrOrigin):
            fast.to_wire()
        assert fast.to_wire(origin=dns.name.root) == name.to_wire(origin=dns.name.root)
        return
    for canonicalize in (False, True):
        assert fast.to_wire(canonicalize=canonicalize) == name.to_wire(canonicalize=canonicalize)
        out_fast, out_plain = io.BytesIO(), io.BytesIO()
        fast.to_wire(out_fast, None, None, canonicalize)
        name.to_wire(out_plain, None, None, canonicalize)
        assert out_fast.getvalue() == out_plain.getvalue()
    compress_fast: dict[dns.name.Name, int] = {}
    compress_plain: dict[dns.name.Name, int] = {}
    out_fast, out_plain = io.BytesIO(), io.BytesIO()
    for _twice in range(2):  # compression still goes through dnspython
        fast.to_wire(out_fast, compress_fast)
        name.to_wire(out_plain, compress_plain)
    assert out_fast.getvalue() == out_plain.getvalue()


def test_it_is_immutable_copies_to_itself_and_pickles() -> None:
    name = kept_name("ns1.example.xa.")
    with pytest.raises(TypeError):
        name.labels = ()  # type: ignore[misc]
    assert copy.copy(name) is name and copy.deepcopy(name) is name
    again = pickle.loads(pickle.dumps(name))
    assert isinstance(again, KeptName) and again == name and hash(again) == hash(name)
    assert again.folded == (b"ns1", b"example", b"xa", b"")


def test_it_refuses_what_dnspython_refuses() -> None:
    with pytest.raises(dns.name.LabelTooLong):
        KeptName((b"a" * 64, b""))
    with pytest.raises(dns.name.NameTooLong):
        KeptName((*[b"a" * 63] * 4, b""))
    with pytest.raises(dns.name.EmptyLabel):
        KeptName((b"a", b"", b"b", b""))


def test_the_helpers_remember_and_keep_names() -> None:
    assert kept_name("example.xa.") is kept_name("example.xa.")
    assert keep_labels((b"example", b"xa", b"")) is keep(dns.name.from_text("example.xa."))
    assert keep(kept_name("x.xa.")) is kept_name("x.xa.")
    assert keep_labels((b"Example", b"xa", b"")).labels == (b"Example", b"xa", b"")
