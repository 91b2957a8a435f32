"""Conficker.A (Downadup.A, November 2008): 250 domains a day over five generic TLDs.

Label length is ``draw % 4 + 8`` with C's signed remainder, so 5 to 11 letters; the suffix is
``com net org info biz`` indexed by the draw read as unsigned, modulo 5.

Validated against the University of Bonn's downatool2 (``-a``): its published output for
every day of 2020 except 2020-05-04, which that listing lacks (Will-Beninger/ConfickerDGA,
``conficker.a.txt``), is reproduced exactly, 250 domains a day in the same order; the tests
keep a digest of several of those days.
"""

from __future__ import annotations

from typing import ClassVar

from dnscert.intel.dga.base import register
from dnscert.intel.dga.conficker import ConfickerConstants, ConfickerFamily, c_remainder


@register
class ConfickerA(ConfickerFamily):
    """Conficker.A's generator."""

    name: ClassVar[str] = "conficker-a"
    description: ClassVar[str] = "Conficker.A: 250 domains a day in com, net, org, info, biz"
    tlds: ClassVar[tuple[str, ...]] = ("com", "net", "org", "info", "biz")
    domains_per_day: ClassVar[int] = 250
    constants: ClassVar[ConfickerConstants] = ConfickerConstants(
        seed_multiplier=0x463DA5676,
        seed_divisor=0x58028E44000,
        seed_offset=0xB46A7637,
        step_multiplier=0x64236735,
        step_addend=0.737565675,
    )

    def label_length(self, draw: int) -> int:
        """5 to 11 letters."""
        return c_remainder(draw, 4) + 8

    def suffix(self, draw: int) -> str:
        """One of the five TLDs, from the draw read as unsigned."""
        return self.tlds[(draw & 0xFFFFFFFF) % len(self.tlds)]
