"""The pseudo-random generator shared by the Conficker A, B and C domain generators.

Facts, from the published reverse engineering of the worm (Porras, Saidi and Yegneswaran,
SRI 2009; Leder and Werner, "Know Your Enemy: Containing Conficker", 2009, with the Bonn
``downatool``), restated here and implemented independently:

* The seed is the UTC date at midnight as a Windows FILETIME (100 ns ticks since
  1601-01-01), multiplied by a variant constant (the product is kept modulo 2**64, like the
  32-bit code's 64-bit multiply helper), divided without sign by a variant divisor and
  offset by a variant constant. This 64-bit value is the generator's state.
* One draw: with ``k`` the state read as an unsigned integer and converted to a double,
  ``p`` the state times a variant multiplier modulo 2**64 (also as a double), the next
  state is the IEEE-754 bit pattern of ``((p + sin(k)) * k + c) * k + log(k)`` computed in
  double precision, ``c`` a variant constant; the draw is the low 32 bits of the new state
  read as a signed C ``int``.
* ``sin`` is the x87 ``FSIN`` instruction, whose argument reduction uses a 66-bit value of
  pi. For the huge arguments seen here (around 5e18) that gives a very different result from
  an exact sine; it matters whenever ``p`` is small, roughly once a day, so it is emulated:
  reduction modulo 2 * pi66 in exact integer arithmetic, then a double-precision sine.
* Remainders and absolute values follow 32-bit C semantics (``%`` truncates toward zero,
  ``labs(INT_MIN)`` stays negative).

The outputs of A and B were checked against the University of Bonn's downatool2 (see the
family modules); these rules and the per-variant constants therefore reproduce it exactly.
"""

from __future__ import annotations

import math
import struct
from abc import abstractmethod
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from dnscert.intel.dga.base import DgaFamily

_MASK64 = (1 << 64) - 1
_FILETIME_EPOCH = date(1601, 1, 1)
_TICKS_PER_DAY = 86_400 * 10_000_000
#: pi as the x87 unit holds it for FSIN's argument reduction: 66 significant bits, 2**-66 units.
_X87_PI_66 = 0xC90FDAA22168C234C
_X87_TWO_PI_66 = 2 * _X87_PI_66


@dataclass(frozen=True)
class ConfickerConstants:
    """The per-variant constants of the seed and of the generator step."""

    seed_multiplier: int
    seed_divisor: int
    seed_offset: int
    step_multiplier: int
    step_addend: float


def filetime_of(day: date) -> int:
    """Midnight UTC of ``day`` as a Windows FILETIME (100 ns ticks since 1601-01-01)."""
    return (day - _FILETIME_EPOCH).days * _TICKS_PER_DAY


def x87_sin(value: int) -> float:
    """``sin`` of an integer-valued argument as the x87 FSIN instruction computes it."""
    reduced = (value << 66) % _X87_TWO_PI_66
    return math.sin(reduced / 2.0**66)


def c_int32(value: int) -> int:
    """The low 32 bits of ``value`` as a signed C ``int``."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def c_remainder(dividend: int, divisor: int) -> int:
    """C's ``%``: the remainder of the division truncated toward zero (sign of the dividend)."""
    remainder = abs(dividend) % abs(divisor)
    return -remainder if dividend < 0 else remainder


def c_abs32(value: int) -> int:
    """C's ``labs`` on a 32-bit ``long``: ``INT_MIN`` wraps to itself."""
    return c_int32(abs(value))


class ConfickerRandom:
    """The Conficker generator for one day; :meth:`draw` yields the next signed 32-bit value."""

    def __init__(self, day: date, constants: ConfickerConstants) -> None:
        product = (filetime_of(day) * constants.seed_multiplier) & _MASK64
        self._state = (product // constants.seed_divisor + constants.seed_offset) & _MASK64
        self._multiplier = constants.step_multiplier
        self._addend = constants.step_addend

    def draw(self) -> int:
        """Advance the state one step and return its low 32 bits as a signed ``int``."""
        k = float(self._state)
        p = float((self._state * self._multiplier) & _MASK64)
        mixed = ((p + x87_sin(int(k))) * k + self._addend) * k + math.log(k)
        self._state = struct.unpack("<Q", struct.pack("<d", mixed))[0]
        return c_int32(self._state)


class ConfickerFamily(DgaFamily):
    """A Conficker variant: a label of random letters and a suffix per domain.

    A subclass sets ``constants`` and says how a draw becomes the label length and the suffix.
    Each domain takes one draw for its length, one per letter, and one for its suffix.
    """

    constants: ClassVar[ConfickerConstants]

    @abstractmethod
    def label_length(self, draw: int) -> int:
        """The number of letters of the next label, from one draw."""

    @abstractmethod
    def suffix(self, draw: int) -> str:
        """The suffix (TLD, or second-level suffix such as ``co.uk``) from one draw."""

    def domains_for(self, day: date) -> list[str]:
        """The ``domains_per_day`` domains of ``day``, in generation order."""
        rng = ConfickerRandom(day, self.constants)
        return [self._next_domain(rng) for _ in range(self.domains_per_day)]

    def _next_domain(self, rng: ConfickerRandom) -> str:
        length = self.label_length(rng.draw())
        label = "".join(_letter(rng.draw()) for _ in range(length))
        return f"{label}.{self.suffix(rng.draw())}"


def _letter(draw: int) -> str:
    """``'a' + labs(draw) % 26`` with the original's C conversions to an 8-bit ``char``."""
    return chr(((c_remainder(c_abs32(draw), 26) & 0xFF) + 97) & 0xFF)
