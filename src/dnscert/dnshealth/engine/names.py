"""``KeptName``: a ``dns.name.Name`` that compares and hashes in constant time.

Checks compare and hash names all the time (owner names against the zone, NS targets in sets
and dicts), and dnspython's ``Name`` does both with a Python loop over every byte of every
label, on every call: on the NSD test bed that was a sixth of the engine's CPU. A ``KeptName``
computes its case-folded labels and its hash once, when it is made; equality with any other
``Name`` keeps dnspython's meaning (case-insensitive, absolute differs from relative) and the
hash is dnspython's own, so kept and plain names mix freely in sets and dicts. The response
reader makes every owner name and NS/CNAME/PTR target a ``KeptName``; names parsed from text
by the engine (``kept_name``) are kept too. Everything else about the name is dnspython's.
"""

from __future__ import annotations

import functools
from typing import Any

import dns.name


class KeptName(dns.name.Name):
    """A name with its case-folded labels and hash computed once (immutable like ``Name``)."""

    __slots__ = ("_hash", "_texts", "_wire", "folded")

    folded: tuple[bytes, ...]
    _hash: int
    _wire: tuple[bytes, bytes] | None  # (as is, canonical) once asked for
    _texts: tuple[str, str] | None  # (with, without the final dot) once asked for

    def __init__(self, labels: Any) -> None:
        """Validate ``labels`` as ``dns.name.Name`` does, then keep the folded form and hash."""
        super().__init__(labels)
        folded = tuple(label.lower() for label in self.labels)
        object.__setattr__(self, "folded", folded)
        object.__setattr__(self, "_hash", dns.name.Name.__hash__(self))
        object.__setattr__(self, "_wire", None)
        object.__setattr__(self, "_texts", None)

    def __hash__(self) -> int:
        """dnspython's case-insensitive hash, computed once."""
        return self._hash

    def __eq__(self, other: object) -> bool:
        """Case-insensitive equality with any ``dns.name.Name`` (False for anything else)."""
        if self is other:
            return True
        if isinstance(other, KeptName):
            return self._hash == other._hash and self.folded == other.folded
        if isinstance(other, dns.name.Name):
            return self.labels == other.labels or self.folded == _fold(other.labels)
        return False

    def __ne__(self, other: object) -> bool:
        """The opposite of ``__eq__``."""
        return not self.__eq__(other)

    def is_subdomain(self, other: dns.name.Name) -> bool:
        """dnspython's ``is_subdomain`` (equal names included), by a suffix comparison."""
        mine = self.folded
        theirs = other.folded if isinstance(other, KeptName) else _fold(other.labels)
        if not mine or mine[-1] != b"" or not theirs or theirs[-1] != b"":
            return super().is_subdomain(other)  # relative names: dnspython's rules
        return len(theirs) <= len(mine) and mine[len(mine) - len(theirs) :] == theirs

    def to_wire(
        self,
        file: Any | None = None,
        compress: Any | None = None,
        origin: dns.name.Name | None = None,
        canonicalize: bool = False,
    ) -> bytes | None:
        """dnspython's ``to_wire``; an absolute name without compression from a kept copy.

        dnspython builds a ``Name`` for every suffix when it writes to a file, and hashing or
        comparing rdata writes their names: NS records of a batch are hashed over and over.
        """
        if compress is not None or not self.labels or self.labels[-1] != b"":
            return super().to_wire(file, compress, origin, canonicalize)
        kept = self._wire
        if kept is None:
            plain = b"".join(bytes((len(label),)) + label for label in self.labels)
            kept = (plain, b"".join(bytes((len(label),)) + label for label in self.folded))
            object.__setattr__(self, "_wire", kept)
        wire = kept[1] if canonicalize else kept[0]
        if file is None:
            return wire
        file.write(wire)
        return None

    def to_text(self, omit_final_dot: bool = False, style: dns.name.NameStyle | None = None) -> str:
        """dnspython's ``to_text``; the default style kept once computed (reports print names)."""
        if style is not None:
            return super().to_text(omit_final_dot, style)
        texts = self._texts
        if texts is None:
            texts = (super().to_text(False), super().to_text(True))
            object.__setattr__(self, "_texts", texts)
        return texts[1] if omit_final_dot else texts[0]

    def __str__(self) -> str:
        """The text form with the final dot, as ``dns.name.Name``."""
        return self.to_text(False)

    def __copy__(self) -> KeptName:
        """Itself: names are immutable."""
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> KeptName:
        """Itself: names are immutable."""
        return self

    def __reduce__(self) -> tuple[type[KeptName], tuple[tuple[bytes, ...]]]:
        """Pickled as its labels (the kept fields are computed again)."""
        return (KeptName, (self.labels,))


def _fold(labels: tuple[bytes, ...]) -> tuple[bytes, ...]:
    return tuple(label.lower() for label in labels)


def keep(name: dns.name.Name) -> KeptName:
    """``name`` as a ``KeptName`` (itself when it already is one)."""
    return name if isinstance(name, KeptName) else _kept_labels(name.labels)


@functools.lru_cache(maxsize=65536)
def _kept_labels(labels: tuple[bytes, ...]) -> KeptName:
    return KeptName(labels)


@functools.lru_cache(maxsize=65536)
def kept_name(text: str) -> KeptName:
    """``dns.name.from_text(text)`` as a ``KeptName``, remembered (names are immutable)."""
    return keep_labels(dns.name.from_text(text).labels)


def keep_labels(labels: tuple[bytes, ...]) -> KeptName:
    """The ``KeptName`` with exactly these labels (remembered)."""
    return _kept_labels(labels)


__all__ = ["KeptName", "keep", "keep_labels", "kept_name"]
