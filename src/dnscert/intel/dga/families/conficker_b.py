"""Conficker.B (Downadup.B, December 2008): 250 domains a day over eight TLDs.

Same generator as A with B's constants; label length ``draw % 4 + 8`` (C's signed remainder,
5 to 11 letters); the suffix is the table ``cc cn ws com net org info biz`` indexed by the
draw's low three bits.

Validated against the University of Bonn's downatool2: the reference output kept in
``shared/conformance/conficker/`` (2020-01-01 to 2020-01-07) is reproduced exactly and is a
test, and so was downatool2's published listing of every day of 2020 (Will-Beninger/
ConfickerDGA, ``conficker.b.txt``, 366 days), including the days where the x87 sine matters.
"""

from __future__ import annotations

from typing import ClassVar

from dnscert.intel.dga.base import register
from dnscert.intel.dga.conficker import ConfickerConstants, ConfickerFamily, c_remainder


@register
class ConfickerB(ConfickerFamily):
    """Conficker.B's generator."""

    name: ClassVar[str] = "conficker-b"
    description: ClassVar[str] = "Conficker.B: 250 domains a day in 8 TLDs (cc, cn, ws and gTLDs)"
    tlds: ClassVar[tuple[str, ...]] = ("cc", "cn", "ws", "com", "net", "org", "info", "biz")
    domains_per_day: ClassVar[int] = 250
    constants: ClassVar[ConfickerConstants] = ConfickerConstants(
        seed_multiplier=0x352C94565,
        seed_divisor=0x58028E44000,
        seed_offset=0xA3596526,
        step_multiplier=0x53125624,
        step_addend=0.626454564,
    )

    def label_length(self, draw: int) -> int:
        """5 to 11 letters."""
        return c_remainder(draw, 4) + 8

    def suffix(self, draw: int) -> str:
        """One of the eight TLDs, from the draw's low three bits."""
        return self.tlds[draw & 7]
